// The standard normal CDF in log space, for densities smoothed by a Gaussian: log Φ(z) and
// log(Φ(b) − Φ(a)) without underflow far in the tails (where Φ itself is 0 in float64 but its log is a
// perfectly good −z²/2 − log(−z) − …). Based on the Chebyshev fit of erfc in Numerical Recipes §6.2,
// erfc(x) = t·exp(−x² − 1.26551223 + t·P(t)), t = 1/(1 + x/2), relative error below 1.2e−7 for all x ≥ 0 —
// taken in log form, so it never underflows. The difference is formed on the side of 0 where both CDFs are
// small (Φ(b) − Φ(a) = Φ(−a) − Φ(−b)), so neither tail loses its relative precision.

/** log erfc(x) for x ≥ 0 (relative error of erfc below 1.2e−7; finite for every finite x). */
export function logErfc(x: number): number {
  if (!(x >= 0)) throw new RangeError(`logErfc: x must be ≥ 0, got ${x}`);
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + poly;
}

/** Φ(z) for z ≤ 0 (the lower tail, with full relative precision where it does not underflow). */
function lowerTail(z: number): number {
  return 0.5 * Math.exp(logErfc(-z / Math.SQRT2));
}

/** log Φ(z), the log of the standard normal CDF (−∞ only at z = −∞). */
export function logNormalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === -Infinity) return -Infinity;
  if (z < 0) return Math.log(0.5) + logErfc(-z / Math.SQRT2);
  return Math.log1p(-lowerTail(-z));
}

/** log(Φ(b) − Φ(a)) for a < b (either may be infinite): the log-probability that a standard normal lies in (a, b). */
export function logNormalInterval(a: number, b: number): number {
  if (!(a < b)) throw new RangeError(`logNormalInterval: need a < b, got a = ${a}, b = ${b}`);
  if (a >= 0) return logNormalInterval(-b, -a); // by symmetry, into the lower tail
  if (b <= 0) {
    const lb = logNormalCdf(b);
    return lb + Math.log1p(-Math.exp(logNormalCdf(a) - lb));
  }
  // a < 0 < b: 1 − Φ(a) − Φ(−b), both tails small.
  return Math.log1p(-(lowerTail(a) + lowerTail(-b)));
}
