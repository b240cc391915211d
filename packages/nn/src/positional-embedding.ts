// The sinusoidal positional embedding of the noise level (DDPM, Ho et al. 2020; EDM's
// PositionalEmbedding), which sCM feeds with c_noise(t) = t in radians, without the ×1000 of DDPM
// (docs/guide/math.md, "Time conditioning"): the frequencies lie in [1/maxPeriod, 1], so d emb/dt stays bounded by 1
// and the embedding is smooth up to t = π/2, unlike EDM's log-σ or Fourier-16 embeddings.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkEven, checkPositive } from "./config-check.js";

/** Configuration of the positional embedding. */
export interface PositionalEmbeddingConfig {
  /** Output width (even): half cosines, half sines. */
  readonly dim: number;
  /** Longest period (default 10000). */
  readonly maxPeriod?: number;
  /** Include the lowest frequency 1/maxPeriod exactly (EDM's `endpoint`, default false). */
  readonly endpoint?: boolean;
  /** Multiplier of the input before embedding (default 1: c_noise(t) = t as is). */
  readonly scale?: number;
}

/** Checks the config (the embedding has no parameters). */
export function checkConfig(config: PositionalEmbeddingConfig): void {
  checkEven("positionalEmbedding", "dim", config.dim);
  checkPositive("positionalEmbedding", "maxPeriod", config.maxPeriod ?? 10000);
}

// ω_i = (1/maxPeriod)^(i/(half − endpoint)), i = 0..half−1;  emb(c) = [cos(ω c), sin(ω c)].
/** Embeds c_noise: [B] or [B, 1] → [B, dim] (float32 unless the input is float64). */
export function positionalEmbedding(cNoise: Tensor, config: PositionalEmbeddingConfig): Tensor {
  checkConfig(config);
  const half = config.dim / 2;
  const denom = Math.max(half - (config.endpoint ? 1 : 0), 1);
  const maxPeriod = config.maxPeriod ?? 10000;
  const freqs = Array.from({ length: half }, (_, i) => Math.pow(1 / maxPeriod, i / denom));
  const dtype = cNoise.dtype === "float64" ? "float64" : "float32";
  const x = c.reshape(c.astype(cNoise, dtype), [-1, 1]); // [B, 1]
  const arg = c.mul(c.mul(x, config.scale ?? 1), c.array(freqs, [1, half], { dtype })); // [B, half]
  return c.concat([c.cos(arg), c.sin(arg)], 1); // [B, dim]
}
