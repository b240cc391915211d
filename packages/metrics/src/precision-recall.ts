// Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is estimated as the union
// of balls around its points, each ball reaching the point's k-th nearest neighbour in the same set.
// Precision is the fraction of generated points inside the real manifold (quality); recall is the
// fraction of real points inside the generated manifold (coverage). Distances are exact, in float64, in
// the feature space of a caller-given network (default: the flattened inputs).
import type { SampleSet, Samples } from "./samples.js";
import { requireSameDimension } from "./samples.js";
import { extractFeatures, type FeatureOptions } from "./features.js";

/** Options of `precisionRecall`. */
export interface PrecisionRecallOptions extends FeatureOptions {
  /** The neighbourhood size k; default 3 (the paper's). */
  readonly k?: number;
}

/** The outcome of `precisionRecall`. */
export interface PrecisionRecall {
  /** Fraction of generated points inside the real manifold. */
  readonly precision: number;
  /** Fraction of real points inside the generated manifold. */
  readonly recall: number;
}

function squaredDistance(a: Samples, i: number, b: Samples, j: number): number {
  let s = 0;
  for (let k = 0; k < a.d; k++) {
    const diff = a.data[i * a.d + k]! - b.data[j * b.d + k]!;
    s += diff * diff;
  }
  return s;
}

/** The squared distance from each point to its k-th nearest other point of the same set. */
export function kNearestRadii(s: Samples, k: number): Float64Array {
  if (!Number.isSafeInteger(k) || k < 1 || k >= s.n) throw new RangeError(`precisionRecall: k = ${k} with ${s.n} points; use 1 ≤ k < number of points`);
  const radii = new Float64Array(s.n);
  const best = new Float64Array(k);
  for (let i = 0; i < s.n; i++) {
    best.fill(Infinity);
    for (let j = 0; j < s.n; j++) {
      if (j === i) continue;
      const dist = squaredDistance(s, i, s, j);
      if (dist >= best[k - 1]!) continue;
      // Insert into the sorted k smallest.
      let at = k - 1;
      while (at > 0 && best[at - 1]! > dist) (best[at] = best[at - 1]!), at--;
      best[at] = dist;
    }
    radii[i] = best[k - 1]!;
  }
  return radii;
}

/** The fraction of `query` points inside at least one ball (centre in `manifold`, squared radius given). */
export function coverage(query: Samples, manifold: Samples, squaredRadii: Float64Array): number {
  let inside = 0;
  for (let q = 0; q < query.n; q++) {
    for (let i = 0; i < manifold.n; i++) {
      if (squaredDistance(query, q, manifold, i) <= squaredRadii[i]!) {
        inside++;
        break;
      }
    }
  }
  return inside / query.n;
}

/** Precision and recall of generated inputs against real ones (each needs more than k points). */
export async function precisionRecall(real: SampleSet, generated: SampleSet, options: PrecisionRecallOptions = {}): Promise<PrecisionRecall> {
  const k = options.k ?? 3;
  const r = await extractFeatures(real, options, "precisionRecall: real");
  const g = await extractFeatures(generated, options, "precisionRecall: generated");
  requireSameDimension(r, g, "precisionRecall");
  return { precision: coverage(g, r, kNearestRadii(r, k)), recall: coverage(r, g, kNearestRadii(g, k)) };
}
