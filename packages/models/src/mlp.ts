// A time-conditioned residual MLP for 2-D and other low-dimensional data, with the sCM changes of
// docs/guide/math.md, "Network changes" in their MLP form: c_noise(t) = t through the positional embedding, and adaptive
// double normalisation (layer norm, then ·pnorm(s(emb)) + pnorm(b(emb))) in every block; optional class
// and guidance-scale conditioning. The residual branches and the output layer start at zero, so F_θ = 0
// at init. Layout as EDM2: helpers → block →
// network → presets.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { adaptiveDoubleNorm, checkEven, checkPositiveInt, checkRange, classEmbedding, dropout, guidanceEmbedding, layerNorm, linear, positionalEmbedding, type FloatDType } from "@scm-ts/nn";
import { addConditioning, guidanceKey, initGuidance } from "./conditioning.js";
import { applyLogvar, initLogvar } from "./logvar-head.js";
import type { ModelParams, Network } from "./network.js";

/** Configuration of the MLP. */
export interface MlpConfig {
  /** Data dimension D (inputs are [B, D]). */
  readonly dataDim: number;
  /** Hidden width W. */
  readonly width: number;
  /** Residual blocks. */
  readonly depth: number;
  /** Width of the positional time features (even; default 64). */
  readonly timeFeatures?: number;
  /** Conditioning embedding width (default W). */
  readonly embDim?: number;
  /**
   * Fourier input features: K > 0 adds sin(2^k·u) and cos(2^k·u), k = 0…K−1, of every input coordinate
   * to u before the first layer (default 0: u alone). Low-dimensional data with sharp modes needs
   * functions of u that change over a fraction of its unit scale, which a plain MLP learns slowly.
   */
  readonly inputFourier?: number;
  /** Dropout rate inside blocks (default 0). */
  readonly dropout?: number;
  /** Classes for class conditioning (default 0: unconditional). */
  readonly numClasses?: number;
  /** Condition on the guidance scale w (a guidance-distilled sCD student; default false). */
  readonly guidanceEmbedding?: boolean;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** One residual block's parameters. */
export interface MlpBlockParams {
  /** Adaptive double normalisation after the layer norm. */
  readonly adn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** First linear map W → W. */
  readonly fc0: linear.LinearParams;
  /** Second linear map W → W, zero at init. */
  readonly fc1: linear.LinearParams;
}

/** The backbone θ of the MLP. */
export interface MlpParams {
  /** Time features → embedding. */
  readonly mapNoise0: linear.LinearParams;
  /** Embedding → embedding. */
  readonly mapNoise1: linear.LinearParams;
  /** Class embedding (class-conditional only). */
  readonly mapLabel?: classEmbedding.ClassEmbeddingParams;
  /** Guidance-scale embedding (guidanceEmbedding only), last layer zero at init. */
  readonly mapGuidance?: guidanceEmbedding.GuidanceEmbeddingParams;
  /** Data → width. */
  readonly fcIn: linear.LinearParams;
  /** Residual blocks. */
  readonly blocks: readonly MlpBlockParams[];
  /** Modulation before the output layer. */
  readonly outAdn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  /** Width → data, zero at init. */
  readonly fcOut: linear.LinearParams;
}

function validate(config: MlpConfig): Required<Omit<MlpConfig, "dtype">> & { dtype: FloatDType } {
  const where = "mlp.init";
  checkPositiveInt(where, "dataDim", config.dataDim);
  checkPositiveInt(where, "width", config.width);
  checkPositiveInt(where, "depth", config.depth);
  const timeFeatures = checkEven(where, "timeFeatures", config.timeFeatures ?? 64);
  const embDim = checkPositiveInt(where, "embDim", config.embDim ?? config.width);
  checkRange(where, "dropout", config.dropout ?? 0, 0, 1);
  const inputFourier = config.inputFourier ?? 0;
  if (inputFourier !== 0) checkPositiveInt(where, "inputFourier", inputFourier);
  const numClasses = config.numClasses ?? 0;
  if (numClasses !== 0) checkPositiveInt(where, "numClasses", numClasses);
  return { ...config, timeFeatures, embDim, inputFourier, dropout: config.dropout ?? 0, numClasses, guidanceEmbedding: config.guidanceEmbedding ?? false, dtype: config.dtype ?? "float32" };
}

function initNet(key: Tensor, config: MlpConfig): MlpParams {
  const cfg = validate(config);
  const { width: w, embDim: e, dtype } = cfg;
  const k = c.random.split(key, 6 + cfg.depth);
  const adn = (kk: Tensor) => adaptiveDoubleNorm.init(kk, { embDim: e, channels: w, dtype });
  const blocks = Array.from({ length: cfg.depth }, (_, i) => {
    const kb = c.random.split(k[6 + i]!, 3);
    return {
      adn: adn(kb[0]!),
      fc0: linear.init(kb[1]!, { inFeatures: w, outFeatures: w, dtype }),
      fc1: linear.init(kb[2]!, { inFeatures: w, outFeatures: w, initScale: 0, dtype }), // residual branch starts at 0
    };
  });
  return {
    mapNoise0: linear.init(k[0]!, { inFeatures: cfg.timeFeatures, outFeatures: e, dtype }),
    mapNoise1: linear.init(k[1]!, { inFeatures: e, outFeatures: e, dtype }),
    ...(cfg.numClasses ? { mapLabel: classEmbedding.init(k[2]!, { numClasses: cfg.numClasses, dim: e, dtype }) } : {}),
    ...(cfg.guidanceEmbedding ? { mapGuidance: initGuidance(guidanceKey(key, 6 + cfg.depth), cfg.timeFeatures, e, dtype) } : {}),
    fcIn: linear.init(k[3]!, { inFeatures: cfg.dataDim * (1 + 2 * cfg.inputFourier), outFeatures: w, dtype }),
    blocks,
    outAdn: adn(k[4]!),
    fcOut: linear.init(k[5]!, { inFeatures: w, outFeatures: cfg.dataDim, initScale: 0, dtype }), // F_θ = 0 at init
  };
}

// [u, sin(2^k u), cos(2^k u)] for k = 0…K−1, per coordinate: [B, D] → [B, D(1 + 2K)].
function fourierFeatures(u: Tensor, K: number): Tensor {
  if (K === 0) return u;
  const [B, D] = [u.shape[0]!, u.shape[1]!];
  const omega = c.array(Array.from({ length: K }, (_, k) => 2 ** k), [1, 1, K], { dtype: u.dtype as FloatDType });
  const phase = c.reshape(c.mul(c.reshape(u, [B, D, 1]), omega), [B, D * K]);
  return c.concat([u, c.sin(phase), c.cos(phase)], 1);
}

// h ← h + W₁·dropout(silu(W₀·ADN(LN(h), emb)))
function block(p: MlpBlockParams, h: Tensor, emb: Tensor, rate: number, key: Tensor | null): Tensor {
  const r = adaptiveDoubleNorm.apply(p.adn, layerNorm.apply({}, h), emb); // [B, W]
  const r2 = dropout(key, c.silu(linear.apply(p.fc0, r)), rate); // [B, W]
  return c.add(h, linear.apply(p.fc1, r2)); // [B, W]
}

function applyNet(p: MlpParams, config: MlpConfig, u: Tensor, t: Tensor, options: NetworkOptions = {}): Tensor {
  const cfg = validate(config);
  let emb = linear.apply(p.mapNoise0, positionalEmbedding(t, { dim: cfg.timeFeatures })); // [B, E]
  emb = linear.apply(p.mapNoise1, c.silu(emb)); // [B, E]
  emb = c.silu(addConditioning(emb, p, options, cfg.timeFeatures, "mlp.apply")); // [B, E]
  const keys = options.dropoutKey && cfg.dropout > 0 ? c.random.split(options.dropoutKey, cfg.depth) : [];
  let h = linear.apply(p.fcIn, fourierFeatures(u, cfg.inputFourier)); // [B, W]
  p.blocks.forEach((bp, i) => (h = block(bp, h, emb, cfg.dropout, keys[i] ?? null)));
  const out = adaptiveDoubleNorm.apply(p.outAdn, layerNorm.apply({}, h), emb); // [B, W]
  return linear.apply(p.fcOut, c.silu(out)); // [B, D]
}

/** The MLP as a `Network` (validates the config now). */
export function mlp(config: MlpConfig): Network<MlpConfig, MlpParams> {
  const cfg = validate(config);
  const dtype = cfg.dtype;
  return {
    name: "mlp",
    config,
    sampleShape: [cfg.dataDim],
    init(key: Tensor): ModelParams<MlpParams> {
      const [kn, kl] = c.random.split(key);
      return { net: initNet(kn!, config), logvar: initLogvar(kl!, { dtype }) };
    },
    apply: (params, u, t, options) => applyNet(params.net, config, u, t, options),
    logvar: (params, t) => applyLogvar(params.logvar, t),
  };
}

/** Size presets for 2-D toy data (tiny is for tests). */
export const mlpPresets = {
  /** For tests: about 0.01 M parameters. */
  tiny: {
    /** 2-D points. */
    dataDim: 2,
    /** Hidden width W = 32. */
    width: 32,
    /** Two residual blocks. */
    depth: 2,
    /** 16 positional time features instead of the default 64. */
    timeFeatures: 16,
  },
  /** About 0.26 M parameters. */
  small: {
    /** 2-D points. */
    dataDim: 2,
    /** Hidden width W = 128. */
    width: 128,
    /** Three residual blocks. */
    depth: 3,
  },
  /** About 1.27 M parameters. */
  base: {
    /** 2-D points. */
    dataDim: 2,
    /** Hidden width W = 256. */
    width: 256,
    /** Four residual blocks. */
    depth: 4,
  },
} as const satisfies Record<string, MlpConfig>;
