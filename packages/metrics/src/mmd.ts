// Maximum mean discrepancy with the Gaussian (RBF) kernel k(x, y) = exp(−‖x − y‖²/(2h²)) (Gretton et al.
// 2012): the unbiased estimator
//   MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j),
// which is zero in expectation when the distributions agree (so it can be slightly negative). The
// bandwidth h is given, or the median heuristic: the median distance between points of the pooled sample.
import { requireSameDimension, toSamples, type SampleSet, type Samples } from "./samples.js";

/** Options of `mmd`. */
export interface MmdOptions {
  /** The kernel bandwidth h > 0, or "median" for the median heuristic (the default). */
  readonly bandwidth?: number | "median";
  /** Most points per set used by the median heuristic (evenly strided); default 500. */
  readonly medianPoints?: number;
}

/** The outcome of `mmd`. */
export interface MmdResult {
  /** The unbiased estimate of MMD² (may be slightly negative when the sets agree). */
  readonly mmd2: number;
  /** The bandwidth h used. */
  readonly bandwidth: number;
}

function squaredDistance(a: Samples, i: number, b: Samples, j: number): number {
  let s = 0;
  for (let k = 0; k < a.d; k++) {
    const diff = a.data[i * a.d + k]! - b.data[j * b.d + k]!;
    s += diff * diff;
  }
  return s;
}

/** The median distance between distinct points of the pooled, strided subsample of both sets. */
export function medianHeuristic(a: Samples, b: Samples, maxPoints = 500): number {
  const pick = (s: Samples): number[] => {
    const count = Math.min(s.n, maxPoints);
    return Array.from({ length: count }, (_, k) => Math.floor((k * s.n) / count));
  };
  const points: [Samples, number][] = [...pick(a).map((i): [Samples, number] => [a, i]), ...pick(b).map((i): [Samples, number] => [b, i])];
  const d2 = new Float64Array((points.length * (points.length - 1)) / 2);
  let at = 0;
  for (let u = 0; u < points.length; u++) for (let v = u + 1; v < points.length; v++) d2[at++] = squaredDistance(points[u]![0], points[u]![1], points[v]![0], points[v]![1]);
  d2.sort();
  const mid = d2.length >> 1;
  const median = d2.length % 2 ? d2[mid]! : 0.5 * (d2[mid - 1]! + d2[mid]!);
  return Math.sqrt(median);
}

/** Σ k over pairs (i, j) of two sets, skipping i = j when they are the same set. */
function kernelSum(a: Samples, b: Samples, gamma: number, same: boolean): number {
  let sum = 0;
  for (let i = 0; i < a.n; i++) {
    for (let j = same ? i + 1 : 0; j < b.n; j++) sum += Math.exp(-gamma * squaredDistance(a, i, b, j));
  }
  return same ? 2 * sum : sum;
}

/** The unbiased RBF-kernel MMD² between point sets [M, D] and [N, D] (each with at least 2 points). */
export async function mmd(x: SampleSet, y: SampleSet, options: MmdOptions = {}): Promise<MmdResult> {
  const a = await toSamples(x, "mmd: x", 2);
  const b = await toSamples(y, "mmd: y", 2);
  requireSameDimension(a, b, "mmd");
  const given = options.bandwidth ?? "median";
  const bandwidth = given === "median" ? medianHeuristic(a, b, options.medianPoints) : given;
  if (!(bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw new RangeError(`mmd: bandwidth ${bandwidth}${given === "median" ? " from the median heuristic (are all points equal?)" : ""}; it must be positive and finite`);
  }
  const gamma = 1 / (2 * bandwidth * bandwidth);
  const m = a.n, n = b.n;
  const mmd2 = kernelSum(a, a, gamma, true) / (m * (m - 1)) + kernelSum(b, b, gamma, true) / (n * (n - 1)) - (2 * kernelSum(a, b, gamma, false)) / (m * n);
  return { mmd2, bandwidth };
}
