// Metrics that see modes, for low-dimensional data whose density is known (the toys of @scm-ts/data, or a
// mixture from a data file). Sliced W2 barely moves when a model drops a mode or blurs all of them; these
// do: the mean log-density of the samples under the true density (a blurred or off-support model scores
// clearly lower), which modes hold at least half their share of the samples (a mode of weight π counts as
// covered when ≥ π/2 of the samples fall in it; only modes of weight ≥ `minWeight`, default 5%, count), and
// the fraction of samples within "3σ" of their mode (as the density defines it: 0.9973 for true draws of a
// mixture). The density is a structural interface, so this package does not import @scm-ts/data. A sample
// with a non-finite coordinate (a diverged model) is counted, belongs to no mode, is never near, and makes
// the mean log-density −∞: a clear failure rather than a number averaged over the survivors.
import { toSamples, type SampleSet } from "./samples.js";

/** A known density as `modeMetrics` needs it (`ToyDensity` of @scm-ts/data satisfies it). */
export interface ReferenceDensity {
  /** The dimension d of a point. */
  readonly dimension: number;
  /** The mode weights (summing to 1) and labels. */
  readonly modes: readonly {
    /** The mode's weight π_m. */
    readonly weight: number;
    /** A short label for reports. */
    readonly label: string;
  }[];
  /** log p(x) for n finite points, row-major [n, d]. */
  logDensity(points: Float64Array): ArrayLike<number>;
  /** Per point: the index of its mode (in `modes`). */
  modeOf(points: Float64Array): ArrayLike<number>;
  /** Per point: 1 when within "3σ" of its mode, else 0. */
  near(points: Float64Array): ArrayLike<number>;
}

/** Options of `modeMetrics`. */
export interface ModeMetricsOptions {
  /** Modes lighter than this do not count towards `modes` and `modesCovered` (default 0.05). */
  readonly minWeight?: number;
}

/** One mode's weight and the share of the samples that fell in it. */
export interface ModeShare {
  /** The mode's label. */
  readonly label: string;
  /** Its weight π_m under the true density. */
  readonly weight: number;
  /** The fraction of all samples (non-finite ones included in the count) whose mode it is. */
  readonly share: number;
}

/** What `modeMetrics` reports. */
export interface ModeMetrics {
  /** The mean of log p over the samples; −∞ when any sample is non-finite. */
  readonly meanLogDensity: number;
  /** How many samples have a non-finite coordinate. */
  readonly nonFinite: number;
  /** How many modes weigh at least `minWeight`. */
  readonly modes: number;
  /** How many of those hold at least half their weight's share of the samples. */
  readonly modesCovered: number;
  /** The fraction of all samples within "3σ" of their mode. */
  readonly within3Sigma: number;
  /** Every mode's weight and share, in the density's order. */
  readonly shares: readonly ModeShare[];
}

/** Scores `samples` [N, d] against the true `density`: mean log-density, modes covered, fraction within 3σ. */
export async function modeMetrics(samples: SampleSet, density: ReferenceDensity, options: ModeMetricsOptions = {}): Promise<ModeMetrics> {
  const minWeight = options.minWeight ?? 0.05;
  if (!(minWeight >= 0 && minWeight <= 1)) throw new RangeError(`modeMetrics: minWeight = ${minWeight}; use a weight in [0, 1]`);
  const s = await toSamples(samples, "modeMetrics: samples", 1, false);
  const d = s.d;
  if (d !== density.dimension) throw new RangeError(`modeMetrics: the samples have dimension ${d} but the density is in R^${density.dimension}`);
  // Only the finite points go to the density.
  const finite = new Float64Array(s.data.length);
  let kept = 0;
  for (let i = 0; i < s.n; i++) {
    const row = s.data.subarray(i * d, (i + 1) * d);
    if (row.every(Number.isFinite)) finite.set(row, d * kept++);
  }
  const points = finite.subarray(0, kept * d);
  const nonFinite = s.n - kept;
  const logs = density.logDensity(points);
  const modeOf = density.modeOf(points);
  const near = density.near(points);
  let sum = 0;
  let nearCount = 0;
  const counts = new Float64Array(density.modes.length);
  for (let i = 0; i < kept; i++) {
    sum += logs[i]!;
    nearCount += near[i] ? 1 : 0;
    const m = modeOf[i]!;
    if (!(Number.isInteger(m) && m >= 0 && m < counts.length)) throw new RangeError(`modeMetrics: the density put finite point ${i} in mode ${m}, but it has modes 0 to ${counts.length - 1}`);
    counts[m] = counts[m]! + 1;
  }
  const shares = density.modes.map((mode, m) => ({ label: mode.label, weight: mode.weight, share: counts[m]! / s.n }));
  const counted = shares.filter((m) => m.weight >= minWeight);
  return {
    meanLogDensity: nonFinite > 0 ? -Infinity : sum / kept,
    nonFinite,
    modes: counted.length,
    modesCovered: counted.filter((m) => m.share >= m.weight / 2).length,
    within3Sigma: nearCount / s.n,
    shares,
  };
}
