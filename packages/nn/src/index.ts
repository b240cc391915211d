// @scm-ts/nn: layers as pure functions over parameter trees (Equinox/Haiku style: `init(key, config)`
// → params, `apply(params, inputs, config)` → outputs; params hold only tensors, so grad, jvp and jit
// act on them directly), explicit-key initializers, norms, time/class/guidance embeddings, attention
// with a fused JVP, optimizers (Adam, AdamW, RAdam), clipping, schedules, EMA and EDM2's power EMA.
// This file is the package's whole public surface.

/** Config validation shared by every init. */
export { ConfigError, checkPositiveInt, checkNonNegativeInt, checkEven, checkDivisible, checkRange, checkPositive } from "./config-check.js";
/** Explicit-key initializers. */
export { type FloatDType, type FanMode, type VarianceScalingOptions, fans, constant, normal, uniform, varianceScaling, lecunNormal, heNormal, glorotUniform } from "./initializers.js";

/** Affine layer y = x·W + b (`linear.init`, `linear.apply`). */
export * as linear from "./linear.js";
/** 2-D convolution layer in NCHW (`conv2d.init`, `conv2d.apply`). */
export * as conv2d from "./conv.js";
/** Group normalisation (`groupNorm.init`, `groupNorm.apply`). */
export * as groupNorm from "./group-norm.js";
/** Layer normalisation (`layerNorm.init`, `layerNorm.apply`). */
export * as layerNorm from "./layer-norm.js";
/** Pixel normalisation v / RMS(v). */
export { pixelNorm, type PixelNormOptions } from "./pixel-norm.js";
/** sCM's adaptive double normalisation norm(x)·pnorm(s(emb)) + pnorm(b(emb)). */
export * as adaptiveDoubleNorm from "./adaptive-double-norm.js";
/** SiLU x·σ(x), the activation of every block (re-exported from the engine). */
export { silu } from "@scm-ts/core";
/** Keyed inverted dropout. */
export { dropout, dropoutMask, type DropoutOptions } from "./dropout.js";
/** Sinusoidal embedding of c_noise(t) = t. */
export { positionalEmbedding, type PositionalEmbeddingConfig } from "./positional-embedding.js";
/** Random Fourier features of the noise level (`fourierEmbedding.init`, `fourierEmbedding.apply`). */
export * as fourierEmbedding from "./fourier-embedding.js";
/** Class embedding, one-hot labels and label dropout. */
export * as classEmbedding from "./class-embedding.js";
/** Guidance-scale embedding. */
export * as guidanceEmbedding from "./guidance-embedding.js";
/** Attention: the composed reference and the fused-JVP version. */
export { dotProductAttention, fusedAttention, swapLast, type FusedAttentionOptions } from "./attention.js";
/** The online-softmax attention JVP of sCM App. F. */
export { onlineAttentionJvp } from "./online-attention.js";
/** Multi-head self-attention (`selfAttention.init`, `selfAttention.apply`). */
export * as selfAttention from "./self-attention.js";
/** Nearest upsampling and average-pool downsampling. */
export { upsample2d, downsample2d } from "./resample.js";

/** The optimizer protocol. */
export { type Schedule, type LearningRate, type MomentState, type Optimizer, applyUpdates, rateAt, initMoments, decayMatrices } from "./optimizer.js";
/** Adam and AdamW. */
export { adam, adamw, type AdamConfig } from "./adam.js";
/** Rectified Adam. */
export { radam, rectification, type RAdamConfig } from "./radam.js";
/** Gradient clipping by global norm. */
export { globalNorm, clipByGlobalNorm } from "./clip.js";
/** Learning-rate schedules. */
export { constantSchedule, warmupSchedule, inverseSqrtSchedule, cosineSchedule, scheduleAt } from "./schedules.js";
/** EMA with a half-life in images. */
export { emaBeta, emaInit, emaUpdate, type EmaHalfLife } from "./ema.js";
/** EDM2's power-function EMA with snapshots. */
export { expToStd, stdToExp, powerFunctionBeta, powerEmaInit, powerEmaUpdate, powerEmaSnapshots, type PowerEmaState, type PowerEmaSnapshot } from "./power-ema.js";
/** Post-hoc EMA reconstruction from snapshots. */
export { pDotP, solvePosthocCoefficients, reconstructPosthocEma } from "./posthoc-ema.js";
