// The time grid and time distribution of the discrete-time consistency model (paper Sec. 5 / App. E;
// docs/guide/math.md, "Discrete-time consistency models"). Grid points t_0 = 0 < t_1 < … < t_N come from EDM's
// ρ-spacing in σ mapped by t = arctan(σ/σ_d); a training pair (t, t′) = (t_{i+1}, t_i) is drawn with
// probability proportional to the mass the log-normal proposal puts on the interval (σ_i, σ_{i+1}] (the iCT
// construction).
import type { RandomSource } from "./counter-random.js";
import { normalCdf } from "./normal-distribution.js";
import type { LogNormalParameters } from "./time-samplers.js";
import { paperSigmaData } from "./trigflow.js";

/** Options of the EDM ρ-grid. */
export interface EdmGridOptions {
  /** Smallest positive noise level σ_min (default 0.002). */
  readonly sigmaMin?: number;
  /** Largest noise level σ_max (default 80). */
  readonly sigmaMax?: number;
  /** Spacing exponent ρ (default 7). */
  readonly rho?: number;
  /** σ_d (default 0.5). */
  readonly sigmaData?: number;
}

function gridDefaults(options: EdmGridOptions): Required<EdmGridOptions> {
  const resolved = {
    sigmaMin: options.sigmaMin ?? 0.002,
    sigmaMax: options.sigmaMax ?? 80,
    rho: options.rho ?? 7,
    sigmaData: options.sigmaData ?? paperSigmaData,
  };
  if (!(resolved.sigmaMin > 0 && resolved.sigmaMin < resolved.sigmaMax && Number.isFinite(resolved.sigmaMax))) {
    throw new RangeError(`EDM grid: need 0 < sigmaMin < sigmaMax < ∞, got sigmaMin ${resolved.sigmaMin}, sigmaMax ${resolved.sigmaMax}`);
  }
  if (!(resolved.rho > 0 && Number.isFinite(resolved.rho))) throw new RangeError(`EDM grid: rho must be positive and finite, got ${resolved.rho}`);
  if (!(resolved.sigmaData > 0 && Number.isFinite(resolved.sigmaData))) {
    throw new RangeError(`EDM grid: sigmaData must be positive and finite, got ${resolved.sigmaData}`);
  }
  return resolved;
}

// math.md, "Discrete-time consistency models": σ_i = (σ_min^{1/ρ} + ((i−1)/(N−1))(σ_max^{1/ρ} − σ_min^{1/ρ}))^ρ
// for i = 1…N, t_i = arctan(σ_i/σ_d), t_0 = 0.
/**
 * The discrete-time CM grid: N + 1 increasing times t_0 = 0 < t_1 = arctan(σ_min/σ_d) < … < t_N =
 * arctan(σ_max/σ_d), with EDM's ρ-spacing in σ. (The paper's "M" is read as N − 1; the paper leaves it open.)
 */
export function edmTimeGrid(intervals: number, options: EdmGridOptions = {}): Float64Array {
  if (!Number.isInteger(intervals) || intervals < 2) {
    throw new RangeError(`edmTimeGrid: need an integer number of intervals N ≥ 2, got ${intervals}`);
  }
  const { sigmaMin, sigmaMax, rho, sigmaData } = gridDefaults(options);
  const lo = sigmaMin ** (1 / rho);
  const hi = sigmaMax ** (1 / rho);
  const grid = new Float64Array(intervals + 1);
  for (let i = 1; i <= intervals; i++) {
    const sigma = (lo + ((i - 1) / (intervals - 1)) * (hi - lo)) ** rho;
    grid[i] = Math.atan(sigma / sigmaData);
  }
  return grid;
}

/** A draw of the discrete-time CM: interval index i and its pair t = t_{i+1} > t′ = t_i. */
export interface DiscreteTimePair {
  /** The interval index i ∈ {0, …, N − 1}. */
  readonly index: number;
  /** The upper time t = t_{i+1}. */
  readonly t: number;
  /** The lower time t′ = t_i. */
  readonly tPrime: number;
}

/** The categorical distribution of training pairs over a grid. */
export interface DiscreteTimeDistribution {
  /** The grid t_0 = 0 < … < t_N. */
  readonly grid: Float64Array;
  /** P(index = i), i = 0…N − 1; sums to 1. */
  readonly probabilities: Float64Array;
  /** One draw, using the injected random source. */
  sample(random: RandomSource): DiscreteTimePair;
}

/**
 * Splits the log-normal proposal over a grid (iCT, math.md, "Discrete-time consistency models"):
 * P(i) ∝ Φ((ln σ_{i+1} − P_mean)/P_std) − Φ((ln σ_i − P_mean)/P_std), σ_i = σ_d tan t_i (σ_0 = 0). The grid
 * must start at 0 and increase strictly.
 */
export function discreteTimeDistribution(
  grid: ArrayLike<number>,
  parameters: LogNormalParameters,
  sigmaData: number = paperSigmaData,
): DiscreteTimeDistribution {
  const n = grid.length - 1;
  if (n < 1) throw new RangeError(`discreteTimeDistribution: the grid needs at least 2 points, got ${grid.length}`);
  if (grid[0] !== 0) throw new RangeError(`discreteTimeDistribution: the grid must start at t_0 = 0, got ${grid[0]}`);
  for (let i = 1; i <= n; i++) {
    if (!(grid[i]! > grid[i - 1]! && grid[i]! < Math.PI / 2)) {
      throw new RangeError(`discreteTimeDistribution: grid[${i}] = ${grid[i]} must exceed grid[${i - 1}] = ${grid[i - 1]} and stay below π/2`);
    }
  }
  if (!(parameters.pStd > 0)) throw new RangeError(`discreteTimeDistribution: pStd must be positive, got ${parameters.pStd}`);
  const cdf = (t: number): number =>
    t === 0 ? 0 : normalCdf((Math.log(sigmaData * Math.tan(t)) - parameters.pMean) / parameters.pStd);
  const masses = Float64Array.from({ length: n }, (_, i) => cdf(grid[i + 1]!) - cdf(grid[i]!));
  const total = masses.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError(`discreteTimeDistribution: the proposal puts no mass on the grid (total ${total})`);
  const probabilities = masses.map((m) => m / total);
  const cumulative = new Float64Array(n);
  let running = 0;
  probabilities.forEach((p, i) => {
    running += p;
    cumulative[i] = running;
  });
  const frozenGrid = Float64Array.from(grid);
  return {
    grid: frozenGrid,
    probabilities,
    sample(random) {
      const u = random.uniform();
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (u < cumulative[mid]!) hi = mid;
        else lo = mid + 1;
      }
      return { index: lo, t: frozenGrid[lo + 1]!, tPrime: frozenGrid[lo]! };
    },
  };
}
