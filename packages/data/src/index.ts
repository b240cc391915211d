// The public surface of @scm-ts/data: in-memory datasets and their statistics (the measured σ_d); shuffling
// and batching with explicit PRNG keys; 2-D toys sampled from a key with exact moments (Gaussian mixtures in
// the format of trigflow's exact oracle, two moons, checkerboard, spirals), each with its density on the host
// (log p, modes and "within 3σ", for mode-aware metrics); MNIST's pixel statistics; a user's own data
// parsed from safetensors bytes or stacked from decoded images — the formats read by @scm-ts/io — where a
// failure throws a `DataError` naming the file, the tensor and the shape expected vs found. This entry
// imports no Node built-in; loading files (MNIST, safetensors, PNG folders) is `@scm-ts/data/node`.
// Every symbol below carries its own doc comment at its declaration.

/** Errors of the loading boundary. */
export { DataError, type DataErrorKind, dataError, fromIoError } from "./data-error.js";

/** In-memory datasets. */
export {
  type ArrayDataset,
  type DatasetStatistics,
  arrayDataset,
  datasetSize,
  exampleShape,
  exampleSize,
  takeExamples,
  datasetTensor,
  datasetStatistics,
} from "./array-dataset.js";

/** Shuffling and batching with explicit keys. */
export { permutation } from "./permutation.js";
export { type BatchOptions, type BatchStreamOptions, type Batch, epochBatches, batchStream } from "./batching.js";

/** Toys: key-driven samplers with exact moments. */
export { type Toy, type ToySampleOptions, type ToyScaleOptions, sigmaDataScale, sampleDataset } from "./toys/toy.js";
export { oneHotCategorical } from "./toys/categorical.js";
/** The component types moved to @scm-ts/core; these names stay for existing imports. */
export { type Covariance, type MixtureComponent } from "./deprecated.js";
export {
  type MixtureOracleSpec,
  type GaussianMixture,
  type RingOptions,
  type GridOptions,
  gaussianMixture,
  ringOfGaussians,
  gridOfGaussians,
} from "./toys/gaussian-mixture.js";
export { type TwoMoonsOptions, twoMoons, twoMoonsCanonicalMean, twoMoonsDensity } from "./toys/two-moons.js";
export { type CheckerboardOptions, checkerboard, checkerboardCells, checkerboardDensity, checkerboardSmoothing } from "./toys/checkerboard.js";
export { type SpiralsOptions, spirals, spiralPoint, spiralsDensity } from "./toys/spirals.js";

/** Toy densities on the host: log p, modes, and "within 3σ" of a mode. */
export { type ToyDensity, type DensityMode } from "./toys/density.js";
export { gaussianMixtureDensity } from "./toys/mixture-density.js";
export { curveSmoothingStd } from "./toys/curve-density.js";
export { threeSigmaProbability, chiSquareQuantile, regularizedGammaP } from "./toys/chi-square.js";

/** Standardising data to σ_d per coordinate or channel, and back. */
export {
  type Standardization,
  type StandardizationEstimate,
  estimateStandardization,
  identityStandardization,
  isIdentityStandardization,
  standardize,
  unstandardize,
} from "./standardize.js";

/** MNIST's pixel statistics (loading the digits is `@scm-ts/data/node`). */
export { type MnistNormalisation, mnistPixelMean, mnistPixelStd, mnistSide } from "./mnist-pixels.js";

/** A user's own data: tensor files (safetensors) parsed from bytes, and decoded images stacked. */
export { type HostTensor, type TensorFile, type TensorFileReader } from "./tensor-file.js";
export { parseSafetensors, safetensorsReader } from "./safetensors-reader.js";
export { type TensorDatasetOptions, type TensorDataset, datasetFromTensorFile } from "./safetensors-dataset.js";
export { mixtureMetadataKey, parseMixtureMetadata } from "./mixture-metadata.js";
export { type DecodedImage, type PngFolderOptions, stackImages } from "./decoded-image.js";
export { pngSignature } from "@scm-ts/io";
