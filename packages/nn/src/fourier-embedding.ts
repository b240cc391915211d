// Random Fourier features of the noise level (EDM's FourierEmbedding, Tancik et al. 2020), kept for
// comparison with the positional embedding: emb(c) = [cos(2π ω c), sin(2π ω c)] with ω ~ N(0, s²).
// With the large scale s = 16 used for EDM, d emb/dc ∝ 2π s ω oscillates fast, which the sCM paper
// identifies as a source of instability (docs/guide/math.md, "Time conditioning"). The frequencies are frozen: `apply` stops
// their gradient, and they are 1-D so AdamW's default mask does not decay them.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkEven, checkPositive } from "./config-check.js";
import { normal, type FloatDType } from "./initializers.js";

/** Configuration of the Fourier embedding. */
export interface FourierEmbeddingConfig {
  /** Output width (even). */
  readonly dim: number;
  /** Frequency scale s (default 16, EDM's value). */
  readonly scale?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** The frozen frequencies. */
export interface FourierEmbeddingParams {
  /** ω ~ N(0, s²). */
  readonly freqs: Tensor; // [dim/2]
}

/** Draws the frequencies from `key`. */
export function init(key: Tensor, config: FourierEmbeddingConfig): FourierEmbeddingParams {
  checkEven("fourierEmbedding.init", "dim", config.dim);
  const scale = checkPositive("fourierEmbedding.init", "scale", config.scale ?? 16);
  return { freqs: normal(key, [config.dim / 2], scale, config.dtype ?? "float32") };
}

// emb(c) = [cos(2π ω c), sin(2π ω c)]
/** Embeds c_noise: [B] or [B, 1] → [B, dim]. */
export function apply(params: FourierEmbeddingParams, cNoise: Tensor): Tensor {
  const freqs = c.stopGradient(params.freqs);
  const x = c.reshape(c.astype(cNoise, freqs.dtype), [-1, 1]); // [B, 1]
  const arg = c.mul(c.mul(x, 2 * Math.PI), c.reshape(freqs, [1, -1])); // [B, dim/2]
  return c.concat([c.cos(arg), c.sin(arg)], 1); // [B, dim]
}
