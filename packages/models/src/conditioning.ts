// The conditioning every architecture adds to its time embedding before the SiLU (EDM2's layout):
// the class embedding of one-hot rows — a zero row, the null label of classifier-free guidance, adds
// nothing, so it is exactly an unconditional call — and, for guidance-conditioned sCD students
// (the paper's sCD with classifier-free guidance), the embedding of the guidance scale w: a positional embedding of
// w and a two-layer MLP (nn's guidanceEmbedding) whose last layer starts at zero, so a network with
// it enabled computes, at init, the same F as one without.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { classEmbedding, guidanceEmbedding, type FloatDType } from "@scm-ts/nn";

/**
 * The input scale of w in the guidance embedding: 1, so w ∈ [1, 2] spans the same range as
 * c_noise(t) = t ∈ [0, π/2] in the time embedding's positional features (SANA-Sprint's 0.1 would
 * squeeze [1, 2] into [0.1, 0.2], where the features barely change).
 */
export const guidanceInputScale = 1;

/** The conditioning parameters an architecture may hold. */
export interface ConditioningParams {
  /** Class embedding (class-conditional only). */
  readonly mapLabel?: classEmbedding.ClassEmbeddingParams;
  /** Guidance-scale embedding (guidance-conditioned students only), last layer zero at init. */
  readonly mapGuidance?: guidanceEmbedding.GuidanceEmbeddingParams;
}

/**
 * A key for the guidance embedding that leaves every other parameter's draw unchanged: the last of
 * `split(key, n + 1)`, where the architecture already takes `split(key, n)`. Splits are not prefixes
 * of each other (split(k, n + 1)[i] ≠ split(k, n)[i]), but their counters are disjoint, so this key
 * is independent of the n keys in use and models without guidance keep their parameters bit for bit.
 */
export function guidanceKey(key: Tensor, n: number): Tensor {
  return c.random.split(key, n + 1)[n]!;
}

/** Draws the guidance embedding: positional features of width `featureDim` → `dim`. */
export function initGuidance(key: Tensor, featureDim: number, dim: number, dtype: FloatDType): guidanceEmbedding.GuidanceEmbeddingParams {
  return guidanceEmbedding.init(key, { featureDim, dim, inputScale: guidanceInputScale, dtype });
}

// emb ← emb + onehot·table + MLP(pos(w)); a zero one-hot row and a zero-initialised MLP add nothing.
/** Adds the class and guidance embeddings of `options` to the time embedding emb [B, E]. */
export function addConditioning(emb: Tensor, p: ConditioningParams, options: NetworkOptions, featureDim: number, where: string): Tensor {
  if (p.mapLabel && options.classLabels) emb = c.add(emb, classEmbedding.apply(p.mapLabel, options.classLabels)); // [B, E]
  if (p.mapGuidance) {
    const w = options.guidance;
    if (!w) throw new Error(`${where}: this network is guidance-conditioned (guidanceEmbedding: true); pass the guidance scale w [B] as options.guidance (1 = no guidance)`);
    if (w.ndim !== 1 || w.shape[0] !== emb.shape[0]) throw new Error(`${where}: guidance must be one scale per sample, [${emb.shape[0]}], got [${w.shape.join(",")}]`);
    emb = c.add(emb, guidanceEmbedding.apply(p.mapGuidance, c.astype(w, emb.dtype), { featureDim, inputScale: guidanceInputScale })); // [B, E]
  }
  return emb;
}
