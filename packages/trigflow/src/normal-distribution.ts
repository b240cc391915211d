// The standard normal distribution in float64: erf/erfc, the CDF Φ, the density φ and the quantile Φ⁻¹,
// accurate to about 1e−15 (relative in the tails). The time samplers need them for their CDFs (the
// Kolmogorov–Smirnov tests), for inverse-CDF sampling, and for splitting the log-normal proposal over a
// discrete grid (docs/guide/math.md, "Discrete-time consistency models").

const twoOverSqrtPi = 2 / Math.sqrt(Math.PI);

// Series erf(x) = 2/√π · e^{−x²} · Σ_n 2^n x^{2n+1} / (1·3·…·(2n+1)); every term is positive.
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return twoOverSqrtPi * Math.exp(-x2) * sum;
}

// Continued fraction erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), x > 0 (modified Lentz).
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let fValue = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    fValue *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fValue;
}

/** The error function erf(x) = 2/√π ∫₀ˣ e^{−u²} du. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const value = ax < 2.5 ? erfSeries(ax) : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -value : value;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in relative terms for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x > 27) return 0;
  return erfcContinuedFraction(x);
}

/** The standard normal density φ(x) = e^{−x²/2}/√(2π). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** The standard normal CDF Φ(x) = ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// Acklam's rational approximation of Φ⁻¹ (relative error 1.2e−9), refined by Halley steps on Φ.
const acklamA = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const acklamB = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const acklamC = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const acklamD = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function polynomial(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const c of coefficients) value = value * x + c;
  return value;
}

function acklam(p: number): number {
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(acklamC, q) / (polynomial(acklamD, q) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -polynomial(acklamC, q) / (polynomial(acklamD, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(acklamA, r) * q) / (polynomial(acklamB, r) * r + 1);
}

/**
 * The standard normal quantile Φ⁻¹(p) for p ∈ (0, 1); ±Infinity at p = 0 or 1.
 * Throws a RangeError for p outside [0, 1] or NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`normalQuantile: probability must lie in [0, 1], got ${p}`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x = acklam(p);
  for (let iteration = 0; iteration < 2; iteration++) {
    // Halley's step on Φ(x) − p, working with the smaller tail for relative accuracy.
    const error = x < 0 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
    const u = error / normalPdf(x);
    x -= u / (1 + (x * u) / 2);
  }
  return x;
}
