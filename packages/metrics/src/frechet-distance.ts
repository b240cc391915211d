// The Fréchet distance between Gaussian fits of two feature sets (Dowson & Landau 1982; FID of Heusel et
// al. 2017 when the features are Inception's):
//   FD = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}),
// with tr (Σ₁Σ₂)^{1/2} = tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}, a symmetric positive semi-definite matrix, so
// both square roots come from symmetric eigendecompositions in float64 (negative round-off eigenvalues
// clipped to 0) instead of the general, sometimes complex, sqrtm. The feature network is a parameter.
import { symmetricEigen, symmetricMatrixFunction } from "@scm-ts/core";
import type { SampleSet } from "./samples.js";
import { extractFeatures, type FeatureOptions } from "./features.js";
import { gaussianFit, type GaussianFit } from "./gaussian-fit.js";

/** The Fréchet distance between two Gaussians (≥ 0; round-off below 0 is returned as 0). */
export function frechetDistanceBetweenGaussians(a: GaussianFit, b: GaussianFit): number {
  if (a.d !== b.d) throw new RangeError(`frechetDistance: the Gaussians have dimensions ${a.d} and ${b.d}; they must match`);
  const d = a.d;
  let meanTerm = 0, traceTerm = 0;
  for (let k = 0; k < d; k++) {
    meanTerm += (a.mean[k]! - b.mean[k]!) ** 2;
    traceTerm += a.covariance[k * d + k]! + b.covariance[k * d + k]!;
  }
  const rootA = symmetricMatrixFunction(a.covariance, d, (v) => Math.sqrt(Math.max(v, 0)));
  // M = Σ₁^{1/2} Σ₂ Σ₁^{1/2}.
  const t = new Float64Array(d * d), m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const r = rootA[i * d + k]!;
      if (r === 0) continue;
      for (let j = 0; j < d; j++) t[i * d + j] = t[i * d + j]! + r * b.covariance[k * d + j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const r = t[i * d + k]!;
      if (r === 0) continue;
      for (let j = 0; j < d; j++) m[i * d + j] = m[i * d + j]! + r * rootA[k * d + j]!;
    }
  }
  const traceRoot = symmetricEigen(m, d).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
  return Math.max(0, meanTerm + traceTerm - 2 * traceRoot);
}

/**
 * The Fréchet distance between the Gaussian fits of the features of two input sets (each ≥ 2 inputs):
 * tensors [N, ...] passed through `options.features` (default: flattened), or host points.
 */
export async function frechetDistance(x: SampleSet, y: SampleSet, options: FeatureOptions = {}): Promise<number> {
  const fx = gaussianFit(await extractFeatures(x, options, "frechetDistance: x"), "frechetDistance: x");
  const fy = gaussianFit(await extractFeatures(y, options, "frechetDistance: y"), "frechetDistance: y");
  return frechetDistanceBetweenGaussians(fx, fy);
}
