// A Diffusion Transformer (Peebles & Xie 2023, models.py) with the sCM conditioning: patchify, fixed
// 2-D sin-cos positional embedding, c_noise(t) = t through the positional time embedding (docs/guide/math.md,
// "Time conditioning"), and DiT's adaLN modulation replaced by the adaptive double normalisation
// LN(x)·pnorm(s(c)) + pnorm(b(c)) (math.md, "Network changes"), keeping adaLN-Zero's gates, which start at zero so every
// block is the identity at init. Attention uses the fused JVP. The final layer starts at zero. Optional
// class and guidance-scale conditioning join the time embedding.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import {
  adaptiveDoubleNorm, checkDivisible, checkEven, checkPositive, checkPositiveInt, checkRange, classEmbedding, conv2d,
  dropout, guidanceEmbedding, layerNorm, linear, positionalEmbedding, selfAttention, type FloatDType,
} from "@scm-ts/nn";
import { addConditioning, guidanceKey, initGuidance } from "./conditioning.js";
import { applyLogvar, initLogvar } from "./logvar-head.js";
import type { ModelParams, Network } from "./network.js";

/** Configuration of the DiT. */
export interface DitConfig {
  /** Square input size (pixels or latent positions). */
  readonly imageSize: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels (default inChannels; DiT's learn-sigma variant uses 2×). */
  readonly outChannels?: number;
  /** Patch size p; imageSize must be divisible by it. */
  readonly patchSize: number;
  /** Token width (hidden size). */
  readonly hidden: number;
  /** Transformer blocks. */
  readonly depth: number;
  /** Attention heads; hidden must be divisible by it. */
  readonly heads: number;
  /** MLP width / hidden (default 4). */
  readonly mlpRatio?: number;
  /** Positional time feature width (default 256, DiT's). */
  readonly timeFeatures?: number;
  /** Dropout on the MLP hidden units (default 0). */
  readonly dropout?: number;
  /** Classes for class conditioning (default 0). */
  readonly numClasses?: number;
  /** Condition on the guidance scale w (a guidance-distilled sCD student; default false). */
  readonly guidanceEmbedding?: boolean;
  /** Key block size of the online-softmax attention JVP (default: one block). */
  readonly attnBlockSize?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** One transformer block. */
export interface DitBlockParams {
  /** Double-norm modulation before attention. */
  readonly adn1: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** Multi-head self-attention. */
  readonly attn: selfAttention.SelfAttentionParams;
  /** Attention gate α₁(c), zero at init. */
  readonly gate1: linear.LinearParams;
  /** Double-norm modulation before the MLP. */
  readonly adn2: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** MLP first layer. */
  readonly fc1: linear.LinearParams;
  /** MLP second layer. */
  readonly fc2: linear.LinearParams;
  /** MLP gate α₂(c), zero at init. */
  readonly gate2: linear.LinearParams;
}

/** The backbone θ of the DiT. */
export interface DitParams {
  /** Patch embedding (p×p convolution, stride p). */
  readonly patchEmbed: conv2d.Conv2dParams;
  /** Time features → hidden. */
  readonly mapNoise0: linear.LinearParams;
  /** Hidden → hidden. */
  readonly mapNoise1: linear.LinearParams;
  /** Class embedding (class-conditional only). */
  readonly mapLabel?: classEmbedding.ClassEmbeddingParams;
  /** Guidance-scale embedding (guidanceEmbedding only), last layer zero at init. */
  readonly mapGuidance?: guidanceEmbedding.GuidanceEmbeddingParams;
  /** Transformer blocks. */
  readonly blocks: readonly DitBlockParams[];
  /** Final double-norm modulation. */
  readonly finalAdn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** Final linear map to p²·outChannels, zero at init. */
  readonly finalLinear: linear.LinearParams;
}

function validate(config: DitConfig) {
  const where = "dit.init";
  checkPositiveInt(where, "imageSize", config.imageSize);
  checkPositiveInt(where, "inChannels", config.inChannels);
  checkPositiveInt(where, "patchSize", config.patchSize);
  checkDivisible(where, "imageSize", config.imageSize, "patchSize", config.patchSize);
  checkPositiveInt(where, "hidden", config.hidden);
  checkPositiveInt(where, "depth", config.depth);
  checkPositiveInt(where, "heads", config.heads);
  checkDivisible(where, "hidden", config.hidden, "heads", config.heads);
  checkDivisible(where, "hidden", config.hidden, "4 (for the 2-D sin-cos position embedding)", 4);
  const mlpHidden = Math.round(config.hidden * checkPositive(where, "mlpRatio", config.mlpRatio ?? 4));
  const timeFeatures = checkEven(where, "timeFeatures", config.timeFeatures ?? 256);
  const rate = checkRange(where, "dropout", config.dropout ?? 0, 0, 1);
  const numClasses = config.numClasses ?? 0;
  if (numClasses !== 0) checkPositiveInt(where, "numClasses", numClasses);
  const grid = config.imageSize / config.patchSize;
  return { ...config, outChannels: config.outChannels ?? config.inChannels, mlpHidden, timeFeatures, rate, numClasses, grid, dtype: config.dtype ?? "float32" };
}

function initNet(key: Tensor, config: DitConfig): DitParams {
  const cfg = validate(config);
  const { hidden: d, dtype } = cfg;
  const k = c.random.split(key, 6 + cfg.depth);
  const lin = (kk: Tensor, i: number, o: number, initScale = 1) => linear.init(kk, { inFeatures: i, outFeatures: o, initScale, dtype });
  const adn = (kk: Tensor) => adaptiveDoubleNorm.init(kk, { embDim: d, channels: d, dtype });
  const blocks = Array.from({ length: cfg.depth }, (_, i) => {
    const kb = c.random.split(k[6 + i]!, 7);
    return {
      adn1: adn(kb[0]!),
      attn: selfAttention.init(kb[1]!, { dim: d, heads: cfg.heads, dtype }),
      gate1: lin(kb[2]!, d, d, 0),
      adn2: adn(kb[3]!),
      fc1: lin(kb[4]!, d, cfg.mlpHidden),
      fc2: lin(kb[5]!, cfg.mlpHidden, d),
      gate2: lin(kb[6]!, d, d, 0),
    };
  });
  const p = cfg.patchSize;
  return {
    patchEmbed: conv2d.init(k[0]!, { inChannels: cfg.inChannels, outChannels: d, kernel: p, stride: p, padding: "VALID", dtype }),
    mapNoise0: lin(k[1]!, cfg.timeFeatures, d),
    mapNoise1: lin(k[2]!, d, d),
    ...(cfg.numClasses ? { mapLabel: classEmbedding.init(k[3]!, { numClasses: cfg.numClasses, dim: d, dtype }) } : {}),
    ...(cfg.guidanceEmbedding ? { mapGuidance: initGuidance(guidanceKey(key, 6 + cfg.depth), cfg.timeFeatures, d, dtype) } : {}),
    blocks,
    finalAdn: adn(k[4]!),
    finalLinear: lin(k[5]!, d, p * p * cfg.outChannels, 0),
  };
}

// DiT's get_2d_sincos_pos_embed: half the width embeds the row, half the column, each as
// [sin(ω·pos), cos(ω·pos)] with ω_i = 10000^(−i/(D/4)).
function sincos2d(dim: number, grid: number, dtype: FloatDType): Tensor {
  const quarter = dim / 4;
  const rows: number[] = [];
  for (let i = 0; i < grid; i++) {
    for (let j = 0; j < grid; j++) {
      const axis = (pos: number) => {
        const w = Array.from({ length: quarter }, (_, k) => pos / Math.pow(10000, k / quarter));
        return [...w.map(Math.sin), ...w.map(Math.cos)];
      };
      rows.push(...axis(j), ...axis(i));
    }
  }
  return c.array(rows, [1, grid * grid, dim], { dtype }); // [1, N, D]
}

// x ← x + α₁(c)·attn(ADN(LN(x), c));  x ← x + α₂(c)·MLP(ADN(LN(x), c))   (DiT block, adaLN-Zero gates)
function block(p: DitBlockParams, x: Tensor, cond: Tensor, cfg: ReturnType<typeof validate>, key: Tensor | null): Tensor {
  const gate = (g: linear.LinearParams) => c.reshape(linear.apply(g, cond), [cond.shape[0]!, 1, -1]); // [B, 1, D]
  const a = selfAttention.apply(p.attn, adaptiveDoubleNorm.apply(p.adn1, layerNorm.apply({}, x), cond), { heads: cfg.heads, ...(cfg.attnBlockSize ? { blockSize: cfg.attnBlockSize } : {}) }); // [B, N, D]
  x = c.add(x, c.mul(gate(p.gate1), a));
  const h = dropout(key, c.silu(linear.apply(p.fc1, adaptiveDoubleNorm.apply(p.adn2, layerNorm.apply({}, x), cond))), cfg.rate); // [B, N, M]
  return c.add(x, c.mul(gate(p.gate2), linear.apply(p.fc2, h))); // [B, N, D]
}

function applyNet(p: DitParams, config: DitConfig, u: Tensor, t: Tensor, options: NetworkOptions = {}): Tensor {
  const cfg = validate(config);
  const b = u.shape[0]!, g = cfg.grid, ps = cfg.patchSize, d = cfg.hidden;
  let x = conv2d.apply(p.patchEmbed, u, { stride: ps, padding: "VALID" }); // [B, D, g, g]
  x = c.add(c.transpose(c.reshape(x, [b, d, g * g]), [0, 2, 1]), sincos2d(d, g, cfg.dtype)); // [B, N, D]
  let cond = linear.apply(p.mapNoise1, c.silu(linear.apply(p.mapNoise0, positionalEmbedding(t, { dim: cfg.timeFeatures })))); // [B, D]
  cond = c.silu(addConditioning(cond, p, options, cfg.timeFeatures, "dit.apply")); // [B, D]
  const keys = options.dropoutKey && cfg.rate > 0 ? c.random.split(options.dropoutKey, cfg.depth) : [];
  p.blocks.forEach((bp, i) => (x = block(bp, x, cond, cfg, keys[i] ?? null)));
  const y = linear.apply(p.finalLinear, adaptiveDoubleNorm.apply(p.finalAdn, layerNorm.apply({}, x), cond)); // [B, N, p·p·C]
  const patches = c.reshape(y, [b, g, g, ps, ps, cfg.outChannels]); // [B, g, g, p, p, C]
  return c.reshape(c.transpose(patches, [0, 5, 1, 3, 2, 4]), [b, cfg.outChannels, g * ps, g * ps]); // [B, C, H, W]
}

/** The DiT as a `Network` (validates the config now). */
export function dit(config: DitConfig): Network<DitConfig, DitParams> {
  const cfg = validate(config);
  return {
    name: "dit",
    config,
    sampleShape: [cfg.inChannels, cfg.imageSize, cfg.imageSize],
    init(key: Tensor): ModelParams<DitParams> {
      const [kn, kl] = c.random.split(key);
      return { net: initNet(kn!, config), logvar: initLogvar(kl!, { dtype: cfg.dtype }) };
    },
    apply: (params, u, t, options) => applyNet(params.net, config, u, t, options),
    logvar: (params, t) => applyLogvar(params.logvar, t),
  };
}

/** DiT's presets (models.py, for 32×32×4 latents of 256² images) and `tiny` for tests. */
export const ditPresets = {
  /** For tests: 16 tokens of width 32, about 0.04 M parameters. */
  tiny: {
    /** 8×8 inputs: (8/2)² = 16 tokens. */
    imageSize: 8,
    /** Three input channels, like RGB. */
    inChannels: 3,
    /** 2×2 patches. */
    patchSize: 2,
    /** Token width. */
    hidden: 32,
    /** Two transformer blocks. */
    depth: 2,
    /** Two heads of 16 channels. */
    heads: 2,
    /** 16 positional time features instead of DiT's 256. */
    timeFeatures: 16,
  },
  /** DiT-S/2 of Peebles & Xie (2023), with 4 output channels: 32.9 M parameters and 6.05 GMACs per sample (`modelReport`). */
  "S/2": {
    /** 32×32 latents (the SD-VAE's, 8× below 256² images): 16² = 256 tokens at p = 2. */
    imageSize: 32,
    /** The SD-VAE's 4 latent channels. */
    inChannels: 4,
    /** p = 2, the "/2" of the name. */
    patchSize: 2,
    /** Token width of DiT-S. */
    hidden: 384,
    /** Transformer blocks of DiT-S. */
    depth: 12,
    /** Attention heads, 64 channels each. */
    heads: 6,
    /** ImageNet's 1000 classes (class-conditional). */
    numClasses: 1000,
  },
  /** DiT-B/2 of Peebles & Xie (2023), with 4 output channels: 130.3 M parameters and 23.0 GMACs per sample (`modelReport`). */
  "B/2": {
    /** 32×32 latents (the SD-VAE's, 8× below 256² images): 16² = 256 tokens at p = 2. */
    imageSize: 32,
    /** The SD-VAE's 4 latent channels. */
    inChannels: 4,
    /** p = 2, the "/2" of the name. */
    patchSize: 2,
    /** Token width of DiT-B. */
    hidden: 768,
    /** Transformer blocks of DiT-B. */
    depth: 12,
    /** Attention heads, 64 channels each. */
    heads: 12,
    /** ImageNet's 1000 classes (class-conditional). */
    numClasses: 1000,
  },
  /** DiT-L/2 of Peebles & Xie (2023), with 4 output channels: 457.8 M parameters and 80.7 GMACs per sample (`modelReport`). */
  "L/2": {
    /** 32×32 latents (the SD-VAE's, 8× below 256² images): 16² = 256 tokens at p = 2. */
    imageSize: 32,
    /** The SD-VAE's 4 latent channels. */
    inChannels: 4,
    /** p = 2, the "/2" of the name. */
    patchSize: 2,
    /** Token width of DiT-L. */
    hidden: 1024,
    /** Transformer blocks of DiT-L. */
    depth: 24,
    /** Attention heads, 64 channels each. */
    heads: 16,
    /** ImageNet's 1000 classes (class-conditional). */
    numClasses: 1000,
  },
  /** DiT-XL/2 of Peebles & Xie (2023), with 4 output channels: 674.8 M parameters and 118.6 GMACs per sample (`modelReport`). */
  "XL/2": {
    /** 32×32 latents (the SD-VAE's, 8× below 256² images): 16² = 256 tokens at p = 2. */
    imageSize: 32,
    /** The SD-VAE's 4 latent channels. */
    inChannels: 4,
    /** p = 2, the "/2" of the name. */
    patchSize: 2,
    /** Token width of DiT-XL. */
    hidden: 1152,
    /** Transformer blocks of DiT-XL. */
    depth: 28,
    /** Attention heads, 72 channels each. */
    heads: 16,
    /** ImageNet's 1000 classes (class-conditional). */
    numClasses: 1000,
  },
} as const satisfies Record<string, DitConfig>;
