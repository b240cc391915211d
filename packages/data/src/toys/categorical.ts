// Drawing a category per example from an explicit key as a one-hot [n, K] tensor (the inverse-CDF rule:
// category k when c_k ≤ u < c_{k+1} for one uniform u and the cumulative weights c), built from engine
// comparisons so that mixture and multi-arm toys stay pure, backend-independent and traceable under jit.
// Selecting per-example parameters is then a matmul with the one-hot matrix.
import { array, astype, greaterEqual, less, mul, random, type Tensor } from "@scm-ts/core";

/** Normalises positive finite weights to probabilities; throws a RangeError naming a bad weight. */
export function normaliseWeights(context: string, weights: readonly number[]): Float64Array {
  if (weights.length === 0) throw new RangeError(`${context}: no categories; pass at least one weight`);
  weights.forEach((w, k) => {
    if (!(w > 0 && Number.isFinite(w))) throw new RangeError(`${context}: weight ${k} is ${w}; weights must be positive and finite`);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  return Float64Array.from(weights, (w) => w / total);
}

/** A one-hot [n, K] tensor: row i has a 1 in column k with probability `probabilities[k]` (which sum to 1). */
export function oneHotCategorical(key: Tensor, n: number, probabilities: ArrayLike<number>, dtype: "float32" | "float64" = "float32"): Tensor {
  const K = probabilities.length;
  const lower: number[] = [];
  let cumulative = 0;
  for (let k = 0; k < K; k++) {
    lower.push(k === 0 ? 0 : cumulative);
    cumulative += probabilities[k]!;
  }
  // The last upper edge is above 1 so that rounding of the cumulative sum never loses a draw.
  const upper = lower.slice(1).concat([2]);
  const u = random.uniform(key, [n, 1], { dtype }); // [n, 1] in [0, 1)
  const atLeastLower = astype(greaterEqual(u, array(lower, [1, K], { dtype })), dtype);
  const belowUpper = astype(less(u, array(upper, [1, K], { dtype })), dtype);
  return mul(atLeastLower, belowUpper); // [n, K]
}
