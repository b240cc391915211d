// Component covariances of Gaussian mixtures (core's `Covariance`: isotropic, diagonal or full), expanded
// to dense d × d matrices and validated (finite, non-negative variances, symmetric), and their Cholesky
// factors: a tolerant one for sampling, where a positive semi-definite Σ (a point mass, a flat direction)
// is fine, and a strict one for densities, which exist only for positive definite Σ.
import type { Covariance } from "@scm-ts/core";

/** The dense row-major d × d matrix of `covariance`; throws a RangeError prefixed by `context` naming a bad entry. */
export function fullMatrix(context: string, covariance: Covariance, d: number): Float64Array {
  const m = new Float64Array(d * d);
  const check = (v: number, where: string, diagonal: boolean): number => {
    if (!Number.isFinite(v) || (diagonal && v < 0)) throw new RangeError(`${context}: ${where} is ${v}; variances must be finite and ≥ 0`);
    return v;
  };
  if (covariance.kind === "isotropic") {
    for (let i = 0; i < d; i++) m[i * d + i] = check(covariance.variance, "the isotropic variance", true);
  } else if (covariance.kind === "diagonal") {
    if (covariance.variances.length !== d) throw new RangeError(`${context}: ${covariance.variances.length} diagonal variances for a mean of length ${d}; they must match`);
    covariance.variances.forEach((v, i) => (m[i * d + i] = check(v, `variances[${i}]`, true)));
  } else {
    const rows = covariance.matrix;
    if (rows.length !== d || rows.some((r) => r.length !== d)) throw new RangeError(`${context}: the covariance matrix is not ${d}×${d} (the mean has length ${d})`);
    rows.forEach((r, i) => r.forEach((v, j) => (m[i * d + j] = check(v, `covariance[${i}][${j}]`, i === j))));
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) {
      if (Math.abs(m[i * d + j]! - m[j * d + i]!) > 1e-12 * (1 + Math.abs(m[i * d + j]!))) throw new RangeError(`${context}: the covariance matrix is not symmetric at [${i}][${j}]`);
    }
  }
  return m;
}

/** The lower Cholesky factor L (row-major) with L Lᵀ = Σ, tolerating positive semi-definite Σ (zero pivots). */
export function choleskyFactor(context: string, sigma: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  let scale = 0;
  for (const v of sigma) scale = Math.max(scale, Math.abs(v));
  const tolerance = 1e-12 * Math.max(scale, 1);
  for (let j = 0; j < d; j++) {
    let pivot = sigma[j * d + j]!;
    for (let k = 0; k < j; k++) pivot -= L[j * d + k]! ** 2;
    if (pivot < -tolerance) throw new RangeError(`${context}: the covariance is not positive semi-definite (pivot ${pivot} at ${j})`);
    const root = pivot > tolerance ? Math.sqrt(pivot) : 0;
    L[j * d + j] = root;
    for (let i = j + 1; i < d; i++) {
      let v = sigma[i * d + j]!;
      for (let k = 0; k < j; k++) v -= L[i * d + k]! * L[j * d + k]!;
      L[i * d + j] = root > 0 ? v / root : 0;
    }
  }
  return L;
}


/**
 * The lower Cholesky factor L (row-major) of a positive definite Σ, for densities. A pivot at or below
 * 1e−13 × the largest variance means Σ is singular (numerically): the density does not exist there, so this
 * throws a RangeError prefixed by `context` (which names the component) rather than adding a silent jitter.
 */
export function strictCholeskyFactor(context: string, sigma: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  let largest = 0;
  for (let i = 0; i < d; i++) largest = Math.max(largest, sigma[i * d + i]!);
  for (let j = 0; j < d; j++) {
    let pivot = sigma[j * d + j]!;
    for (let k = 0; k < j; k++) pivot -= L[j * d + k]! ** 2;
    if (!(pivot > 1e-13 * largest) || largest === 0) {
      throw new RangeError(`${context}: the covariance is singular (Cholesky pivot ${pivot} at ${j}, largest variance ${largest}); a density needs a positive definite covariance`);
    }
    const root = Math.sqrt(pivot);
    L[j * d + j] = root;
    for (let i = j + 1; i < d; i++) {
      let v = sigma[i * d + j]!;
      for (let k = 0; k < j; k++) v -= L[i * d + k]! * L[j * d + k]!;
      L[i * d + j] = v / root;
    }
  }
  return L;
}
