// The exact density of a Gaussian mixture p(x) = Σ_k π_k N(x; μ_k, Σ_k), for the built-in mixtures and for
// mixtures described in a data file: per component a strict Cholesky factor L_k (a singular Σ_k has no
// density and is refused, naming the component), then per point the forward substitution L_k z = x − μ_k,
// the squared Mahalanobis distance |z|², and a log-sum-exp over components — O(n·K·d²) in float64. The modes
// are the components; a point is near its mode when its squared Mahalanobis distance to the component of
// largest contribution is at most the χ²_d quantile at 0.9973 (the 1-D 3σ probability, so "3σ" in any d).
import { threeSigmaMahalanobis2 } from "./chi-square.js";
import { normaliseWeights } from "./categorical.js";
import { fullMatrix, strictCholeskyFactor } from "./covariance.js";
import { densityFromAnalysis, type ToyDensity } from "./density.js";
import type { MixtureComponent } from "@scm-ts/core";

function label(k: number, mean: readonly number[]): string {
  return mean.length <= 3 ? `component ${k} at (${mean.map((v) => v.toFixed(2)).join(", ")})` : `component ${k}`;
}

/**
 * The exact density of the mixture of `components` (weights normalised). Throws a RangeError naming the
 * component on an invalid parameter, or on a singular covariance (e.g. a point mass, which can be sampled
 * but has no density).
 */
export function gaussianMixtureDensity(components: readonly MixtureComponent[]): ToyDensity {
  const context = "gaussianMixtureDensity";
  const weights = normaliseWeights(context, components.map((c) => c.weight));
  const d = components[0]!.mean.length;
  if (d === 0) throw new RangeError(`${context}: component 0 has an empty mean; pass means of length d ≥ 1`);
  const K = components.length;
  const means = new Float64Array(K * d);
  const factors = new Float64Array(K * d * d);
  const logConstants = new Float64Array(K); // log π_k − (d/2) log 2π − ½ log det Σ_k
  components.forEach((c, k) => {
    const where = `${context}: component ${k}`;
    if (c.mean.length !== d) throw new RangeError(`${where} has a mean of length ${c.mean.length} but component 0 has ${d}`);
    c.mean.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new RangeError(`${where}: mean[${i}] is ${v}; means must be finite`);
      means[k * d + i] = v;
    });
    const L = strictCholeskyFactor(where, fullMatrix(where, c.covariance, d), d);
    factors.set(L, k * d * d);
    let halfLogDet = 0;
    for (let i = 0; i < d; i++) halfLogDet += Math.log(L[i * d + i]!);
    logConstants[k] = Math.log(weights[k]!) - 0.5 * d * Math.log(2 * Math.PI) - halfLogDet;
  });
  const bound = threeSigmaMahalanobis2(d);
  const z = new Float64Array(d);
  const mahalanobis = new Float64Array(K);
  const logs = new Float64Array(K);
  const shape = {
    dimension: d,
    modes: components.map((c, k) => ({ weight: weights[k]!, label: label(k, c.mean) })),
    description: `exact Gaussian mixture density (${K} components in R^${d}); near = squared Mahalanobis distance to the point's component ≤ χ²_${d}(0.9973) = ${bound.toFixed(3)}`,
  };
  return densityFromAnalysis(context, shape, (points, i, out) => {
    let best = 0;
    let bestLog = -Infinity;
    for (let k = 0; k < K; k++) {
      // Solve L z = x − μ_k by forward substitution; |z|² is the squared Mahalanobis distance.
      const f = k * d * d;
      let m2 = 0;
      for (let r = 0; r < d; r++) {
        let v = points[i * d + r]! - means[k * d + r]!;
        for (let s = 0; s < r; s++) v -= factors[f + r * d + s]! * z[s]!;
        const zr = v / factors[f + r * d + r]!;
        z[r] = zr;
        m2 += zr * zr;
      }
      mahalanobis[k] = m2;
      const log = logConstants[k]! - 0.5 * m2;
      logs[k] = log;
      if (log > bestLog) (bestLog = log), (best = k);
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logs[k]! - bestLog);
    out.logDensity = bestLog === -Infinity ? -Infinity : bestLog + Math.log(sum); // −∞ only if |x| overflows
    out.mode = best;
    out.near = mahalanobis[best]! <= bound;
  });
}
