// Sample moments for tests: the mean and the (biased, 1/n) covariance of n points in R^d stored row-major,
// accumulated in float64, to compare draws with a distribution's exact moments.

/** Sample mean (length d) and covariance (row-major d × d) of the [n, d] values. */
export function moments(values: ArrayLike<number>, d: number): { mean: Float64Array; covariance: Float64Array } {
  const count = values.length / d;
  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + values[i * d + j]! / count;
  const covariance = new Float64Array(d * d);
  for (let i = 0; i < count; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
    covariance[a * d + b] = covariance[a * d + b]! + ((values[i * d + a]! - mean[a]!) * (values[i * d + b]! - mean[b]!)) / count;
  }
  return { mean, covariance };
}
