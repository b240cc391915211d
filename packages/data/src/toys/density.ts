// The known density of a toy, for metrics that see modes (a mode lost or blurred, which sliced W2 cannot
// see): log p(x) of sample points under the true distribution, the mode each point belongs to, and whether
// it lies within "3σ" of that mode. Everything runs on the host in float64 over row-major [n, d] points.
// A density is finite everywhere a finite point can land (toys whose exact density vanishes somewhere are
// smoothed, and say so in `description`), so a mean log-density is a usable number. A point with a
// non-finite coordinate gets log-density NaN, mode −1 and near 0.

/** One mode of a density: its weight π_m and a short label (e.g. "component 3", "upper moon"). */
export interface DensityMode {
  /** The mode's probability π_m (the weights of a density sum to 1). */
  readonly weight: number;
  /** A short label, for reports. */
  readonly label: string;
}

/** The true density of a toy (or of a mixture from a file), evaluated on the host in float64. */
export interface ToyDensity {
  /** The dimension d of a point. */
  readonly dimension: number;
  /** The mode weights π_m (summing to 1) and a short label per mode. */
  readonly modes: readonly DensityMode[];
  /** log p(x) of n points given row-major [n, d]: n values, finite for every finite point. */
  logDensity(points: Float64Array): Float64Array;
  /** Per point: the index of the mode with the largest contribution π_m p_m(x). */
  modeOf(points: Float64Array): Int32Array;
  /** Per point: 1 when it lies within "3σ" of the mode `modeOf` gives it (each density defines "3σ"), else 0. */
  near(points: Float64Array): Uint8Array;
  /** One line saying how the density is computed (exact, quadrature, smoothed), for docs and CLI output. */
  readonly description: string;
}

/** The number of points in a row-major [n, d] array; throws a RangeError when its length is not a multiple of d. */
export function pointCount(context: string, points: Float64Array, d: number): number {
  if (points.length % d !== 0) throw new RangeError(`${context}: ${points.length} values are not whole points of dimension ${d}; pass row-major [n, ${d}]`);
  return points.length / d;
}

/** Whether the d coordinates of point i are all finite. */
export function isFinitePoint(points: Float64Array, i: number, d: number): boolean {
  for (let k = 0; k < d; k++) if (!Number.isFinite(points[i * d + k]!)) return false;
  return true;
}

/** What one pass over a point yields: its log-density, its mode, and whether it is near that mode. */
export interface PointAnalysis {
  /** log p(x). */
  logDensity: number;
  /** The mode of largest contribution. */
  mode: number;
  /** Within "3σ" of that mode. */
  near: boolean;
}

/**
 * A `ToyDensity` from a per-point analysis: `analyse(points, i, out)` fills `out` for finite point i
 * (non-finite points get NaN, −1 and 0 without calling it). One pass fills all three answers, and the last
 * call's points and answers are kept, so asking `logDensity`, `modeOf` and `near` of the same points (as
 * metrics do) analyses them once; the kept copy is compared value by value, so mutating the array is safe.
 */
export function densityFromAnalysis(
  context: string,
  shape: { readonly dimension: number; readonly modes: readonly DensityMode[]; readonly description: string },
  analyse: (points: Float64Array, i: number, out: PointAnalysis) => void,
): ToyDensity {
  const d = shape.dimension;
  let last: { points: Float64Array; logs: Float64Array; modes: Int32Array; near: Uint8Array } | undefined;
  const same = (a: Float64Array, b: Float64Array): boolean => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return false;
    return true;
  };
  const answers = (method: string, points: Float64Array) => {
    const n = pointCount(`${context}.${method}`, points, d);
    if (last !== undefined && same(last.points, points)) return last;
    const logs = new Float64Array(n);
    const modes = new Int32Array(n);
    const near = new Uint8Array(n);
    const analysis: PointAnalysis = { logDensity: 0, mode: 0, near: false };
    for (let i = 0; i < n; i++) {
      if (!isFinitePoint(points, i, d)) {
        [logs[i], modes[i], near[i]] = [Number.NaN, -1, 0];
        continue;
      }
      analyse(points, i, analysis);
      [logs[i], modes[i], near[i]] = [analysis.logDensity, analysis.mode, analysis.near ? 1 : 0];
    }
    last = { points: points.slice(), logs, modes, near };
    return last;
  };
  return {
    dimension: d,
    modes: shape.modes,
    description: shape.description,
    logDensity: (points) => answers("logDensity", points).logs.slice(),
    modeOf: (points) => answers("modeOf", points).modes.slice(),
    near: (points) => answers("near", points).near.slice(),
  };
}
