// @scm-ts/metrics: sample-quality metrics. For low-dimensional data with known ground truth: the sliced
// Wasserstein distance (exact 1-D distances along random directions from an explicit key), the
// unbiased RBF-kernel MMD, and, given the true density, metrics that see modes (mean log-density, modes
// covered, fraction within 3σ). In the feature space of a caller-given network: the Fréchet distance of
// Gaussian fits (matrix square roots by symmetric eigendecomposition in float64) and k-NN precision and
// recall, with the project's own MNIST classifier as the feature network for images. Inputs are engine
// tensors [N, D] or host matrices; bad inputs throw RangeErrors that name the set and the problem.
// This entry imports no Node built-in; reading the MNIST classifier's weights is `@scm-ts/metrics/node`.

/** Sample sets. */
export { type HostSamples, type SampleSet, type Samples, checkSamples, toSamples } from "./samples.js";

/** Distribution distances for low-dimensional data. */
export { wasserstein1d, wassersteinPowerSorted } from "./wasserstein-1d.js";
export { type SlicedWassersteinOptions, randomDirections, slicedWassersteinTerms, slicedWasserstein } from "./sliced-wasserstein.js";
export { type MmdOptions, type MmdResult, medianHeuristic, mmd } from "./mmd.js";

/** Mode-aware metrics against a known density (a toy's `density()` from @scm-ts/data, structurally). */
export { type ReferenceDensity, type ModeMetricsOptions, type ModeShare, type ModeMetrics, modeMetrics } from "./mode-metrics.js";

/** Feature-space metrics. */
export { type FeatureExtractor, type FeatureOptions, extractFeatures } from "./features.js";
export { type GaussianFit, gaussianFit } from "./gaussian-fit.js";
export { frechetDistanceBetweenGaussians, frechetDistance } from "./frechet-distance.js";
export { type PrecisionRecallOptions, type PrecisionRecall, kNearestRadii, coverage, precisionRecall } from "./precision-recall.js";

/**
 * The MNIST feature network: a small conv classifier trained by scripts/train-mnist-classifier.mjs, its
 * weights committed in weights/; `mnistFeatureNet()` of `@scm-ts/metrics/node` gives the `features` option of `frechetDistance`
 * and `precisionRecall` for images [N, 1, 28, 28] (64-d features).
 */
export {
  type MnistClassifierParams,
  mnistClassifierArchitecture,
  mnistFeatureDimension,
  mnistClassifierWeightsUrl,
  initMnistClassifier,
  mnistClassifierFeatures,
  mnistClassifierLogits,
  mnistClassifierTensors,
  mnistClassifierSplit,
} from "./mnist-features.js";

/** The float64 symmetric eigendecomposition moved to @scm-ts/core; these names stay for existing imports. */
export { type SymmetricEigenResult, symmetricEigen, symmetricMatrixFunction } from "./deprecated.js";
