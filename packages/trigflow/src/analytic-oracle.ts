// The contract every analytic oracle fulfils: the exact TrigFlow quantities (denoiser, noise prediction, score,
// PF-ODE velocity, flow map, consistency function, ideal networks F* and F_cm) of a data distribution known in
// closed form (docs/guide/math.md, "Exact oracles"). These are the "perfect teacher" of sCD tests and the
// ground truth of metrics. Also the small argument checks and the categorical draw the oracles share.
import type { RandomSource } from "./counter-random.js";
import type { Matrix } from "./linalg.js";

/** The exact quantities of a TrigFlow process whose data distribution is known in closed form. */
export interface AnalyticOracle {
  /** Data dimension d. */
  readonly dimension: number;
  /** σ_d of the TrigFlow process (noise z ~ N(0, σ_d² I)). */
  readonly sigmaData: number;
  /** Mean of p0. */
  mean(): Float64Array;
  /** Covariance of p0. */
  covariance(): Matrix;
  /** A draw x0 ~ p0. */
  sample(random: RandomSource): Float64Array;
  /** log p_t(x). */
  logDensity(x: ArrayLike<number>, t: number): number;
  /** The posterior component probabilities w_k(x, t) (one per component). */
  posteriorWeights(x: ArrayLike<number>, t: number): Float64Array;
  /** The exact denoiser D(x, t) = E[x0 | x_t = x]. */
  denoiser(x: ArrayLike<number>, t: number): Float64Array;
  /** The exact noise prediction Ẑ(x, t) = E[z | x_t = x]. */
  noisePrediction(x: ArrayLike<number>, t: number): Float64Array;
  /** The score ∇log p_t(x). */
  score(x: ArrayLike<number>, t: number): Float64Array;
  /** The exact PF-ODE velocity dx_t/dt = E[cos t·z − sin t·x0 | x_t = x]. */
  velocity(x: ArrayLike<number>, t: number): Float64Array;
  /** The ideal diffusion network F*(u, t) = velocity(σ_d·u, t)/σ_d, with u = x/σ_d. */
  diffusionF(u: ArrayLike<number>, t: number): Float64Array;
  /** A draw x0 ~ p(x0 | x_t = x) (for Monte-Carlo sCT checks). */
  posteriorSample(x: ArrayLike<number>, t: number, random: RandomSource): Float64Array;
  /** The exact PF-ODE flow map Φ_{t→tEnd}(x). */
  flowMap(x: ArrayLike<number>, t: number, tEnd: number): Float64Array;
  /** The flow map of n points stored row-major in `points` ([n, d]); returns [n, d]. */
  flowMapBatch(points: ArrayLike<number>, t: number, tEnd: number): Float64Array;
  /** The exact consistency function f*(x, t) = Φ_{t→0}(x). */
  f(x: ArrayLike<number>, t: number): Float64Array;
  /** The ideal consistency network F_cm(u, t) = (cos t·x − f*(x, t))/(σ_d sin t), x = σ_d·u. */
  consistencyF(u: ArrayLike<number>, t: number): Float64Array;
}

/** Throws unless 0 ≤ t ≤ π/2 (the TrigFlow time interval). */
export function checkTime(context: string, t: number): void {
  if (!(t >= 0 && t <= Math.PI / 2)) throw new RangeError(`${context}: time ${t} is outside the TrigFlow interval [0, π/2]`);
}

/** Throws unless σ_d is positive and finite. */
export function checkSigmaData(context: string, sigmaData: number): void {
  if (!(sigmaData > 0 && Number.isFinite(sigmaData))) throw new RangeError(`${context}: sigmaData must be positive and finite, got ${sigmaData}`);
}

/** The index k with cumulative weight first exceeding u ∈ (0, 1) (inverse-CDF categorical draw). */
export function pickComponent(weights: ArrayLike<number>, u: number): number {
  let cumulative = 0;
  for (let k = 0; k < weights.length; k++) {
    cumulative += weights[k]!;
    if (u < cumulative) return k;
  }
  return weights.length - 1;
}
