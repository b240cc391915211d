// An ADM/DDPM++-style U-Net in EDM2's layout (Karras et al. 2024, Fig. 21: encoder blocks named by resolution,
// decoder blocks fed the encoder's skips) with the sCM changes (docs/guide/math.md, "Network changes"):
// c_noise(t) = t through the positional embedding, and adaptive double normalisation replacing AdaGN in every
// residual block, y = GN(x)·pnorm(s(emb)) + pnorm(b(emb)). GroupNorm, SiLU, keyed dropout, optional
// self-attention at chosen resolutions (fused JVP), optional class and guidance-scale conditioning. The last
// convolution of each residual branch and of the output start at zero, so F_θ = 0 at init.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import {
  adaptiveDoubleNorm, checkDivisible, checkEven, checkPositiveInt, checkRange, classEmbedding, ConfigError, conv2d,
  downsample2d, dropout, groupNorm, guidanceEmbedding, linear, positionalEmbedding, selfAttention, upsample2d, type FloatDType,
} from "@scm-ts/nn";
import { addConditioning, guidanceKey, initGuidance } from "./conditioning.js";
import { applyLogvar, initLogvar } from "./logvar-head.js";
import type { ModelParams, Network } from "./network.js";

/** Configuration of the U-Net. */
export interface UnetConfig {
  /** Image height H, and the width W too unless `imageWidth` is given. */
  readonly imageSize: number;
  /** Image width W of images that are not square (default imageSize: square images). */
  readonly imageWidth?: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels (default inChannels). */
  readonly outChannels?: number;
  /** Base width C. */
  readonly modelChannels: number;
  /** Width multiplier per resolution level; level i runs at imageSize/2^i. */
  readonly channelMult: readonly number[];
  /** Residual blocks per level in the encoder (the decoder has one more). */
  readonly numBlocks: number;
  /** Resolutions with self-attention (default none). */
  readonly attnResolutions?: readonly number[];
  /** Attention at the lowest resolution in the middle (default true). */
  readonly midAttention?: boolean;
  /** Channels per attention head (default: one head). */
  readonly channelsPerHead?: number;
  /** GroupNorm groups (default 32). */
  readonly groups?: number;
  /** Conditioning embedding width (default 4C). */
  readonly embDim?: number;
  /** Positional time feature width (default C, even). */
  readonly timeFeatures?: number;
  /** Dropout rate in residual blocks (default 0). */
  readonly dropout?: number;
  /** Classes for class conditioning (default 0). */
  readonly numClasses?: number;
  /** Condition on the guidance scale w (a guidance-distilled sCD student; default false). */
  readonly guidanceEmbedding?: boolean;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** One residual block (with optional attention). */
export interface UnetBlockParams {
  /** GroupNorm before the first convolution. */
  readonly norm0: groupNorm.GroupNormParams;
  /** First 3×3 convolution. */
  readonly conv0: conv2d.Conv2dParams;
  /** Adaptive double normalisation after the second (affine-free) GroupNorm. */
  readonly adn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** Second 3×3 convolution, zero at init. */
  readonly conv1: conv2d.Conv2dParams;
  /** 1×1 convolution on the skip path when the width changes. */
  readonly skip?: conv2d.Conv2dParams;
  /** GroupNorm before attention. */
  readonly attnNorm?: groupNorm.GroupNormParams;
  /** Self-attention, output projection zero at init. */
  readonly attn?: selfAttention.SelfAttentionParams;
}

/** The backbone θ of the U-Net. */
export interface UnetParams {
  /** Time features → embedding. */
  readonly mapNoise0: linear.LinearParams;
  /** Embedding → embedding. */
  readonly mapNoise1: linear.LinearParams;
  /** Class embedding (class-conditional only). */
  readonly mapLabel?: classEmbedding.ClassEmbeddingParams;
  /** Guidance-scale embedding (guidanceEmbedding only), last layer zero at init. */
  readonly mapGuidance?: guidanceEmbedding.GuidanceEmbeddingParams;
  /** Input convolution. */
  readonly convIn: conv2d.Conv2dParams;
  /** Encoder blocks by name ("8x8_down", "8x8_block0", …). */
  readonly enc: Readonly<Record<string, UnetBlockParams>>;
  /** Decoder blocks by name ("4x4_in0", "8x8_up", "8x8_block0", …). */
  readonly dec: Readonly<Record<string, UnetBlockParams>>;
  /** Output GroupNorm. */
  readonly outNorm: groupNorm.GroupNormParams;
  /** Output convolution, zero at init. */
  readonly outConv: conv2d.Conv2dParams;
}

interface BlockSpec {
  readonly name: string;
  readonly cin: number;
  readonly cout: number;
  readonly resample: "none" | "up" | "down";
  readonly attention: boolean;
  readonly takesSkip: boolean;
}

interface Plan {
  readonly cfg: Required<Omit<UnetConfig, "dtype" | "channelsPerHead">> & { dtype: FloatDType; channelsPerHead: number | undefined };
  readonly enc: readonly BlockSpec[];
  readonly dec: readonly BlockSpec[];
  readonly c0: number;
}

// The block list of EDM2's UNet.__init__, with every rule checked and named.
function plan(config: UnetConfig): Plan {
  const where = "unet.init";
  checkPositiveInt(where, "imageSize", config.imageSize);
  checkPositiveInt(where, "inChannels", config.inChannels);
  checkPositiveInt(where, "modelChannels", config.modelChannels);
  checkPositiveInt(where, "numBlocks", config.numBlocks);
  if (config.channelMult.length === 0) throw new ConfigError(where, "channelMult", "must list at least one level");
  config.channelMult.forEach((m, i) => checkPositiveInt(where, `channelMult[${i}]`, m));
  const levels = config.channelMult.length;
  const width = config.imageWidth === undefined ? config.imageSize : checkPositiveInt(where, "imageWidth", config.imageWidth);
  for (const [field, size] of [["imageSize", config.imageSize], ["imageWidth", width]] as const) {
    if (size % 2 ** (levels - 1) !== 0) {
      throw new ConfigError(where, field, `(${size}) must be divisible by 2^(levels − 1) = ${2 ** (levels - 1)} to down-sample ${levels - 1} time(s) (channelMult has ${levels} levels)`);
    }
  }
  const groups = checkPositiveInt(where, "groups", config.groups ?? 32);
  const cfg = {
    ...config, imageWidth: width, outChannels: config.outChannels ?? config.inChannels, attnResolutions: config.attnResolutions ?? [], midAttention: config.midAttention ?? true,
    channelsPerHead: config.channelsPerHead, groups, embDim: checkPositiveInt(where, "embDim", config.embDim ?? 4 * config.modelChannels),
    timeFeatures: checkEven(where, "timeFeatures", config.timeFeatures ?? config.modelChannels), dropout: checkRange(where, "dropout", config.dropout ?? 0, 0, 1),
    numClasses: config.numClasses ?? 0, guidanceEmbedding: config.guidanceEmbedding ?? false, dtype: config.dtype ?? "float32",
  };
  const enc: BlockSpec[] = [], dec: BlockSpec[] = [];
  const block = (name: string, cin: number, cout: number, resample: BlockSpec["resample"], attention: boolean, takesSkip = false): BlockSpec => {
    checkDivisible(where, `channels of ${name} (input)`, cin, "groups", groups);
    checkDivisible(where, `channels of ${name}`, cout, "groups", groups);
    if (attention && cfg.channelsPerHead !== undefined) checkDivisible(where, `channels of ${name}`, cout, "channelsPerHead", checkPositiveInt(where, "channelsPerHead", cfg.channelsPerHead));
    return { name, cin, cout, resample, attention, takesSkip };
  };
  const widths = config.channelMult.map((m) => m * config.modelChannels);
  let cout = widths[0]!;
  // Blocks are named by their resolution, EDM2's "16x16_block0" (height × width), and attnResolutions lists heights.
  const at = (level: number) => `${config.imageSize >> level}x${width >> level}`;
  widths.forEach((ch, level) => {
    const res = config.imageSize >> level;
    if (level > 0) enc.push(block(`${at(level)}_down`, cout, cout, "down", false));
    for (let i = 0; i < config.numBlocks; i++, cout = ch) enc.push(block(`${at(level)}_block${i}`, cout, ch, "none", cfg.attnResolutions.includes(res)));
  });
  const skips = [widths[0]!, ...enc.map((b) => b.cout)];
  for (let level = levels - 1; level >= 0; level--) {
    const res = config.imageSize >> level, ch = widths[level]!;
    if (level === levels - 1) dec.push(block(`${at(level)}_in0`, cout, cout, "none", cfg.midAttention), block(`${at(level)}_in1`, cout, cout, "none", false));
    else dec.push(block(`${at(level)}_up`, cout, cout, "up", false));
    for (let i = 0; i <= config.numBlocks; i++, cout = ch) dec.push(block(`${at(level)}_block${i}`, cout + skips.pop()!, ch, "none", cfg.attnResolutions.includes(res), true));
  }
  return { cfg, enc, dec, c0: widths[0]! };
}

function initBlock(key: Tensor, s: BlockSpec, p: Plan): UnetBlockParams {
  const { groups, embDim, dtype } = p.cfg;
  const k = c.random.split(key, 5);
  return {
    norm0: groupNorm.init({ channels: s.cin, groups, dtype }),
    conv0: conv2d.init(k[0]!, { inChannels: s.cin, outChannels: s.cout, dtype }),
    adn: adaptiveDoubleNorm.init(k[1]!, { embDim, channels: s.cout, dtype }),
    conv1: conv2d.init(k[2]!, { inChannels: s.cout, outChannels: s.cout, initScale: 0, dtype }),
    ...(s.cin !== s.cout ? { skip: conv2d.init(k[3]!, { inChannels: s.cin, outChannels: s.cout, kernel: 1, dtype }) } : {}),
    ...(s.attention
      ? { attnNorm: groupNorm.init({ channels: s.cout, groups, dtype }), attn: selfAttention.init(k[4]!, { dim: s.cout, heads: s.cout / (p.cfg.channelsPerHead ?? s.cout), outInitScale: 0, dtype }) }
      : {}),
  };
}

function initNet(key: Tensor, config: UnetConfig): UnetParams {
  const p = plan(config);
  const { cfg } = p;
  const k = c.random.split(key, 7);
  const ke = c.random.split(k[4]!, p.enc.length), kd = c.random.split(k[5]!, p.dec.length);
  return {
    mapNoise0: linear.init(k[0]!, { inFeatures: cfg.timeFeatures, outFeatures: cfg.embDim, dtype: cfg.dtype }),
    mapNoise1: linear.init(k[1]!, { inFeatures: cfg.embDim, outFeatures: cfg.embDim, dtype: cfg.dtype }),
    ...(cfg.numClasses ? { mapLabel: classEmbedding.init(k[2]!, { numClasses: cfg.numClasses, dim: cfg.embDim, dtype: cfg.dtype }) } : {}),
    ...(cfg.guidanceEmbedding ? { mapGuidance: initGuidance(guidanceKey(key, 7), cfg.timeFeatures, cfg.embDim, cfg.dtype) } : {}),
    convIn: conv2d.init(k[3]!, { inChannels: cfg.inChannels, outChannels: p.c0, dtype: cfg.dtype }),
    enc: Object.fromEntries(p.enc.map((s, i) => [s.name, initBlock(ke[i]!, s, p)])),
    dec: Object.fromEntries(p.dec.map((s, i) => [s.name, initBlock(kd[i]!, s, p)])),
    outNorm: groupNorm.init({ channels: p.dec[p.dec.length - 1]!.cout, groups: cfg.groups, dtype: cfg.dtype }),
    outConv: conv2d.init(k[6]!, { inChannels: p.dec[p.dec.length - 1]!.cout, outChannels: cfg.outChannels, initScale: 0, dtype: cfg.dtype }),
  };
}

// Tokens of a feature map for attention: [B, C, H, W] ↔ [B, HW, C].
const toTokens = (x: Tensor): Tensor => c.transpose(c.reshape(x, [x.shape[0]!, x.shape[1]!, -1]), [0, 2, 1]);
const fromTokens = (x: Tensor, like: Tensor): Tensor => c.reshape(c.transpose(x, [0, 2, 1]), like.shape);
const skipScale = Math.SQRT1_2; // DDPM++ scales residual sums by 1/√2

// h = conv0(resample(silu(GN(x)))); h = conv1(dropout(silu(ADN(GN(h), emb)))); y = (skip(x) + h)/√2;
// with attention y = (y + attn(GN(y)))/√2   (ADM residual block with AdaGN → double normalisation)
function applyBlock(p: UnetBlockParams, s: BlockSpec, x: Tensor, emb: Tensor, pl: Plan, key: Tensor | null): Tensor {
  const { groups } = pl.cfg;
  const resample = (v: Tensor) => (s.resample === "down" ? downsample2d(v) : s.resample === "up" ? upsample2d(v) : v);
  let h = c.silu(groupNorm.apply(p.norm0, x, { groups })); // [B, Cin, H, W]
  h = conv2d.apply(p.conv0, resample(h)); // [B, Cout, H', W']
  h = adaptiveDoubleNorm.apply(p.adn, groupNorm.apply({}, h, { groups }), emb); // [B, Cout, H', W']
  h = conv2d.apply(p.conv1, dropout(key, c.silu(h), pl.cfg.dropout)); // [B, Cout, H', W']
  const skip = p.skip ? conv2d.apply(p.skip, resample(x)) : resample(x); // [B, Cout, H', W']
  let y = c.mul(c.add(skip, h), skipScale);
  if (p.attn && p.attnNorm) {
    const heads = s.cout / (pl.cfg.channelsPerHead ?? s.cout);
    const a = selfAttention.apply(p.attn, toTokens(groupNorm.apply(p.attnNorm, y, { groups })), { heads }); // [B, HW, Cout]
    y = c.mul(c.add(y, fromTokens(a, y)), skipScale);
  }
  return y;
}

function applyNet(p: UnetParams, config: UnetConfig, u: Tensor, t: Tensor, options: NetworkOptions = {}): Tensor {
  const pl = plan(config);
  const { cfg } = pl;
  let emb = linear.apply(p.mapNoise0, positionalEmbedding(t, { dim: cfg.timeFeatures })); // [B, E]
  emb = linear.apply(p.mapNoise1, c.silu(emb)); // [B, E]
  emb = c.silu(addConditioning(emb, p, options, cfg.timeFeatures, "unet.apply")); // [B, E]
  const n = pl.enc.length + pl.dec.length;
  const keys = options.dropoutKey && cfg.dropout > 0 ? c.random.split(options.dropoutKey, n) : [];
  let x = conv2d.apply(p.convIn, u); // [B, C0, H, W]
  const skips = [x];
  pl.enc.forEach((s, i) => {
    x = applyBlock(p.enc[s.name]!, s, x, emb, pl, keys[i] ?? null); // [B, C, H/2^l, W/2^l]
    skips.push(x);
  });
  pl.dec.forEach((s, i) => {
    if (s.takesSkip) x = c.concat([x, skips.pop()!], 1); // [B, C + Cskip, h, w]
    x = applyBlock(p.dec[s.name]!, s, x, emb, pl, keys[pl.enc.length + i] ?? null);
  });
  return conv2d.apply(p.outConv, c.silu(groupNorm.apply(p.outNorm, x, { groups: cfg.groups }))); // [B, Cout, H, W]
}

/** The U-Net as a `Network` (validates the config now). */
export function unet(config: UnetConfig): Network<UnetConfig, UnetParams> {
  const { cfg } = plan(config);
  return {
    name: "unet",
    config,
    sampleShape: [cfg.inChannels, cfg.imageSize, cfg.imageWidth],
    init(key: Tensor): ModelParams<UnetParams> {
      const [kn, kl] = c.random.split(key);
      return { net: initNet(kn!, config), logvar: initLogvar(kl!, { dtype: cfg.dtype }) };
    },
    apply: (params, u, t, options) => applyNet(params.net, config, u, t, options),
    logvar: (params, t) => applyLogvar(params.logvar, t),
  };
}

/**
 * Size presets. `tiny` is for tests; `cifar10` is DDPM++ (EDM's CIFAR-10 config, as the sCM CIFAR-10
 * teacher, math.md, "The paper's settings"); `imagenet64S` uses EDM2-S's widths and depths (192 channels, mult
 * [1, 2, 3, 4], 3 blocks, attention at 16 and 8) in this ADM block design, so its count differs
 * from the magnitude-preserving EDM2-S (280 M).
 */
export const unetPresets = {
  /** For tests: two levels (8×8 and 4×4), about 0.19 M parameters. */
  tiny: {
    /** 8×8 inputs. */
    imageSize: 8,
    /** Three input channels, like RGB. */
    inChannels: 3,
    /** Base width C = 16. */
    modelChannels: 16,
    /** Widths 16 at 8×8 and 32 at 4×4. */
    channelMult: [1, 2],
    /** One residual block per encoder level. */
    numBlocks: 1,
    /** Self-attention at 4×4. */
    attnResolutions: [4],
    /** GroupNorm with 8 groups (the default 32 does not divide C = 16). */
    groups: 8,
    /** Conditioning embedding width 2C instead of the default 4C. */
    embDim: 32,
    /** 16 positional time features. */
    timeFeatures: 16,
  },
  /**
   * DDPM++ as in EDM's CIFAR-10 config, the sCM CIFAR-10 teacher (math.md, "The paper's settings"): 61.4 M
   * parameters, 22.1 GMACs per sample.
   */
  cifar10: {
    /** CIFAR-10's 32×32 images. */
    imageSize: 32,
    /** RGB. */
    inChannels: 3,
    /** Base width C = 128. */
    modelChannels: 128,
    /** Width 256 at each of 32×32, 16×16 and 8×8. */
    channelMult: [2, 2, 2],
    /** Four residual blocks per encoder level. */
    numBlocks: 4,
    /** Self-attention at 16×16 (and in the middle, at 8×8). */
    attnResolutions: [16],
    /** The teacher's dropout 0.13 (math.md, "The paper's settings"; the sCT student uses 0.20, sCD 0). */
    dropout: 0.13,
  },
  /** EDM2-S's widths and depths for ImageNet 64 in this ADM block design: 291.7 M parameters with the class embedding. */
  imagenet64S: {
    /** ImageNet 64×64. */
    imageSize: 64,
    /** RGB. */
    inChannels: 3,
    /** Base width C = 192 (EDM2-S). */
    modelChannels: 192,
    /** Widths 192, 384, 576 and 768 at 64, 32, 16 and 8. */
    channelMult: [1, 2, 3, 4],
    /** Three residual blocks per encoder level. */
    numBlocks: 3,
    /** Self-attention at 16×16 and 8×8. */
    attnResolutions: [16, 8],
    /** Heads of 64 channels. */
    channelsPerHead: 64,
    /** ImageNet's 1000 classes (class-conditional). */
    numClasses: 1000,
  },
} as const satisfies Record<string, UnetConfig>;
