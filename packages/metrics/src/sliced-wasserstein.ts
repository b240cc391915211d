// Sliced Wasserstein distance (Rabin et al. 2011; Bonneel et al. 2015): SW_p(μ, ν)^p = E_θ W_p^p(θ·μ, θ·ν)
// over directions θ uniform on the unit sphere, estimated with L directions drawn from an explicit PRNG
// key (normal vectors normalised, so every backend draws the same ones) and the exact 1-D distance of
// each projection. For N(μ₁, Σ₁) and N(μ₂, Σ₂) each slice has the closed form
// W₂² = (θ·(μ₁ − μ₂))² + (√(θᵀΣ₁θ) − √(θᵀΣ₂θ))², which the tests hold it to.
import { random, type Tensor } from "@scm-ts/core";
import { requireSameDimension, toSamples, type SampleSet, type Samples } from "./samples.js";
import { wassersteinPowerSorted } from "./wasserstein-1d.js";

/** Options of `slicedWasserstein`. */
export interface SlicedWassersteinOptions {
  /** The PRNG key of the directions (`random.key(seed)`). */
  readonly key: Tensor;
  /** Number of random directions L; default 128. */
  readonly projections?: number;
  /** The order p ≥ 1; default 2. */
  readonly p?: number;
}

/** L unit directions in R^d from `key`, row-major [L, d], float64. */
export async function randomDirections(key: Tensor, projections: number, d: number): Promise<Float64Array> {
  if (!Number.isSafeInteger(projections) || projections < 1) throw new RangeError(`slicedWasserstein: projections = ${projections}; use a positive integer`);
  const draw = random.normal(key, [projections, d]);
  const out = Float64Array.from(await draw.data());
  draw.dispose();
  for (let l = 0; l < projections; l++) {
    let norm = 0;
    for (let k = 0; k < d; k++) norm += out[l * d + k]! ** 2;
    norm = Math.sqrt(norm);
    // A zero draw has probability 0; map it to the first axis rather than divide by zero.
    for (let k = 0; k < d; k++) out[l * d + k] = norm > 0 ? out[l * d + k]! / norm : k === 0 ? 1 : 0;
  }
  return out;
}

/** The sorted projections of points onto direction `theta` (offset into a directions array). */
function sortedProjection(s: Samples, directions: Float64Array, offset: number): Float64Array {
  const out = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    let dot = 0;
    for (let k = 0; k < s.d; k++) dot += s.data[i * s.d + k]! * directions[offset + k]!;
    out[i] = dot;
  }
  return out.sort();
}

/** The per-direction W_p^p values of the two sets along the given unit directions ([L, d]). */
export function slicedWassersteinTerms(x: Samples, y: Samples, directions: Float64Array, p = 2): Float64Array {
  requireSameDimension(x, y, "slicedWasserstein");
  const projections = directions.length / x.d;
  return Float64Array.from({ length: projections }, (_, l) => wassersteinPowerSorted(sortedProjection(x, directions, l * x.d), sortedProjection(y, directions, l * x.d), p));
}

/**
 * The sliced p-Wasserstein distance between two point sets [N, D] and [M, D] (sizes may differ):
 * (mean over L random directions of W_p^p of the projections)^{1/p}.
 */
export async function slicedWasserstein(x: SampleSet, y: SampleSet, options: SlicedWassersteinOptions): Promise<number> {
  const p = options.p ?? 2;
  if (!(p >= 1 && Number.isFinite(p))) throw new RangeError(`slicedWasserstein: p = ${p}; use a finite p ≥ 1`);
  const a = await toSamples(x, "slicedWasserstein: x");
  const b = await toSamples(y, "slicedWasserstein: y");
  requireSameDimension(a, b, "slicedWasserstein");
  const directions = await randomDirections(options.key, options.projections ?? 128, a.d);
  const terms = slicedWassersteinTerms(a, b, directions, p);
  return (terms.reduce((s, t) => s + t, 0) / terms.length) ** (1 / p);
}
