// Gaussian fits of point sets: the sample mean and the unbiased sample covariance
// Σ = (1/(n−1)) Σ_i (x_i − μ)(x_i − μ)ᵀ (numpy.cov's, as the FID reference code uses), in float64
// with the mean removed first for accuracy.
import type { Samples } from "./samples.js";

/** A Gaussian N(mean, covariance) in R^d. */
export interface GaussianFit {
  /** Dimension d. */
  readonly d: number;
  /** The mean, length d. */
  readonly mean: Float64Array;
  /** The covariance, d×d row-major. */
  readonly covariance: Float64Array;
}

/** The mean and unbiased covariance of n ≥ 2 points. */
export function gaussianFit(s: Samples, what = "gaussianFit"): GaussianFit {
  const { n, d, data } = s;
  if (n < 2) throw new RangeError(`${what}: ${n} points; a covariance needs at least 2`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] = mean[k]! + data[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k] = mean[k]! / n;
  const covariance = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) centred[k] = data[i * d + k]! - mean[k]!;
    for (let r = 0; r < d; r++) {
      const cr = centred[r]!;
      if (cr === 0) continue;
      for (let c = r; c < d; c++) covariance[r * d + c] = covariance[r * d + c]! + cr * centred[c]!;
    }
  }
  for (let r = 0; r < d; r++) {
    for (let c = r; c < d; c++) {
      const v = covariance[r * d + c]! / (n - 1);
      covariance[r * d + c] = v;
      covariance[c * d + r] = v;
    }
  }
  return { d, mean, covariance };
}
