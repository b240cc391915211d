// Sample sets as the metrics see them: n points in d dimensions, row-major float64 on the host. They
// come from engine tensors [N, D] (read from any backend) or from host matrices (e.g. the oracles'
// draws), and are checked once here: the right rank, at least the points a metric needs, all finite —
// a NaN from a diverged model is reported, never averaged into a distance. (A metric that counts
// non-finite points as failures instead, like `modeMetrics`, reads them with `finite: false`.)
import type { Tensor } from "@scm-ts/core";

/** Points already on the host: `rows` points of `cols` coordinates, row-major. */
export interface HostSamples {
  /** Number of points. */
  readonly rows: number;
  /** Coordinates per point. */
  readonly cols: number;
  /** The coordinates, row-major (rows·cols values). */
  readonly data: ArrayLike<number>;
}

/** Points given to a metric: an engine tensor [N, D] or a host matrix. */
export type SampleSet = Tensor | HostSamples;

/** Validated points: n rows of d float64 coordinates. */
export interface Samples {
  /** Number of points. */
  readonly n: number;
  /** Dimension. */
  readonly d: number;
  /** Coordinates, row-major. */
  readonly data: Float64Array;
}

function isHost(x: SampleSet): x is HostSamples {
  return typeof (x as HostSamples).rows === "number" && typeof (x as HostSamples).cols === "number";
}

/**
 * Checks row/column counts and (unless `finite` is false) finiteness; `what` names the set in errors
 * (e.g. "slicedWasserstein: x").
 */
export function checkSamples(n: number, d: number, data: ArrayLike<number>, what: string, minPoints = 1, finite = true): Samples {
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d) || n < 0 || d < 1) throw new RangeError(`${what}: ${n} points of dimension ${d}; pass [N, D] with D ≥ 1`);
  if (data.length !== n * d) throw new RangeError(`${what}: ${data.length} values for ${n} points of dimension ${d}`);
  if (n < minPoints) throw new RangeError(`${what}: ${n} points; this metric needs at least ${minPoints}`);
  const out = Float64Array.from(data);
  for (let i = 0; finite && i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new RangeError(`${what}: point ${Math.floor(i / d)} has the non-finite value ${out[i]} at coordinate ${i % d}; metrics need finite samples (check the model for divergence)`);
    }
  }
  return { n, d, data: out };
}

/** Reads a sample set to the host as validated float64 points (non-finite values allowed when `finite` is false). */
export async function toSamples(x: SampleSet, what: string, minPoints = 1, finite = true): Promise<Samples> {
  if (isHost(x)) return checkSamples(x.rows, x.cols, x.data, what, minPoints, finite);
  if (x.shape.length !== 2) throw new RangeError(`${what}: a tensor of shape [${x.shape.join(", ")}]; pass points as [N, D]`);
  return checkSamples(x.shape[0]!, x.shape[1]!, await x.data(), what, minPoints, finite);
}

/** Requires two sample sets to share their dimension. */
export function requireSameDimension(a: Samples, b: Samples, where: string): void {
  if (a.d !== b.d) throw new RangeError(`${where}: the sets have dimensions ${a.d} and ${b.d}; they must match`);
}
