// The χ² quantile that makes "within 3σ" mean the same thing in every dimension: a point of N(μ, Σ) in R^d
// is within 3σ when its squared Mahalanobis distance is at most the χ²_d quantile at 2Φ(3) − 1 ≈ 0.9973,
// the probability of |z| ≤ 3 in one dimension (so the bound is exactly 9 for d = 1). The χ²_d CDF is the
// regularized lower incomplete gamma function P(d/2, q/2), by its series below a + 1 and Lentz's continued
// fraction for the upper tail above (Numerical Recipes §6.2), with a Lanczos log-gamma; the quantile is
// found by bisection on a bracket that doubles until it holds p (to a relative width of 1e−14).

/** 2Φ(3) − 1 = erf(3/√2): the probability that a 1-D Gaussian lies within 3σ of its mean. */
export const threeSigmaProbability = 0.9973002039367398;

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e−15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = lanczos[0]!;
  for (let i = 1; i < 9; i++) sum += lanczos[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), for a > 0 and x ≥ 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0 && Number.isFinite(a))) throw new RangeError(`regularizedGammaP: a must be positive and finite, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`regularizedGammaP: x must be ≥ 0, got ${x}`);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // P = e^{−x} x^a / Γ(a) · Σ_n x^n / (a (a+1) ⋯ (a+n)).
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, sum * Math.exp(logPrefactor));
  }
  // Q = e^{−x} x^a / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − ⋯)), modified Lentz.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let dd = 1 / b;
  let h = dd;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    dd = an * dd + b;
    if (Math.abs(dd) < tiny) dd = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    dd = 1 / dd;
    const delta = dd * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefactor) * h);
}

/** The χ²_d CDF at q: P(d/2, q/2). */
export function chiSquareCdf(q: number, d: number): number {
  return regularizedGammaP(d / 2, Math.max(q, 0) / 2);
}

/** The χ²_d quantile at probability p ∈ (0, 1): the q with P(χ²_d ≤ q) = p (d > 0, need not be an integer). */
export function chiSquareQuantile(p: number, d: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`chiSquareQuantile: p must lie in (0, 1), got ${p}`);
  if (!(d > 0 && Number.isFinite(d))) throw new RangeError(`chiSquareQuantile: the degrees of freedom must be positive and finite, got ${d}`);
  let lo = 0;
  let hi = Math.max(1, 2 * d);
  while (chiSquareCdf(hi, d) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (chiSquareCdf(mid, d) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The squared-Mahalanobis bound of "within 3σ" in R^d: the χ²_d quantile at `threeSigmaProbability` (9 for d = 1). */
export function threeSigmaMahalanobis2(d: number): number {
  return chiSquareQuantile(threeSigmaProbability, d);
}
