// An in-memory dataset: N examples of one shape stored row-major on the host as float32, with optional
// integer labels. Every loader of this package (toys materialised from a key, MNIST, safetensors files,
// PNG folders) produces one, and the batching iterators cut engine tensors out of it. Also its summary
// statistics, whose standard deviation is the measured σ_d the TrigFlow process should use.
import { array, type Tensor } from "@scm-ts/core";

/** N examples of one shape, example after example, on the host. */
export interface ArrayDataset {
  /** All values, row-major: example i occupies [i·E, (i + 1)·E), E = product of `shape` without its first axis. */
  readonly values: Float32Array;
  /** [N, ...exampleShape], e.g. [N, 2] for 2-D toys or [N, C, H, W] for images. */
  readonly shape: readonly number[];
  /** One integer label per example (e.g. the digit of an MNIST image), when the source has them. */
  readonly labels?: Int32Array;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Validates and wraps values of `shape` ([N, ...]) and optional labels; throws a RangeError on a mismatch. */
export function arrayDataset(values: Float32Array, shape: readonly number[], labels?: Int32Array): ArrayDataset {
  if (shape.length < 2) throw new RangeError(`arrayDataset: shape ${fmt(shape)} needs an example axis first and at least one more axis, e.g. [N, D]`);
  if (shape.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`arrayDataset: shape ${fmt(shape)} must have positive integer sizes`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new RangeError(`arrayDataset: ${values.length} values do not fill shape ${fmt(shape)} (${size} needed)`);
  if (labels === undefined) return { values, shape: [...shape] };
  if (labels.length !== shape[0]) throw new RangeError(`arrayDataset: ${labels.length} labels for ${shape[0]} examples; pass one label per example`);
  return { values, shape: [...shape], labels };
}

/** The number of examples N. */
export function datasetSize(dataset: ArrayDataset): number {
  return dataset.shape[0]!;
}

/** The shape of one example (the dataset's shape without its first axis). */
export function exampleShape(dataset: ArrayDataset): number[] {
  return dataset.shape.slice(1);
}

/** The number of values in one example. */
export function exampleSize(dataset: ArrayDataset): number {
  return exampleShape(dataset).reduce((a, b) => a * b, 1);
}

/** Copies the examples at `indices` (in that order) into a new dataset with their labels. */
export function takeExamples(dataset: ArrayDataset, indices: ArrayLike<number>): ArrayDataset {
  const n = datasetSize(dataset);
  const e = exampleSize(dataset);
  const values = new Float32Array(indices.length * e);
  const labels = dataset.labels === undefined ? undefined : new Int32Array(indices.length);
  for (let row = 0; row < indices.length; row++) {
    const i = indices[row]!;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`takeExamples: index ${i} at position ${row} is outside [0, ${n})`);
    values.set(dataset.values.subarray(i * e, (i + 1) * e), row * e);
    if (labels !== undefined) labels[row] = dataset.labels![i]!;
  }
  return arrayDataset(values, [indices.length, ...exampleShape(dataset)], labels);
}

/** The whole dataset as one engine tensor of shape [N, ...] (float32 unless `dtype` says float64). */
export function datasetTensor(dataset: ArrayDataset, dtype: "float32" | "float64" = "float32"): Tensor {
  return array(dataset.values, dataset.shape, { dtype });
}

/** Summary statistics of every value of a dataset (accumulated in float64). */
export interface DatasetStatistics {
  /** The mean of all values. */
  readonly mean: number;
  /** The standard deviation about the mean: the measured σ_d (EDM's and the paper's σ_data). */
  readonly std: number;
  /** The root mean square (about 0); equals `std` for centred data. */
  readonly rms: number;
  /** The smallest value. */
  readonly min: number;
  /** The largest value. */
  readonly max: number;
}

/** Mean, standard deviation (the measured σ_d), RMS and range over every value of the dataset. */
export function datasetStatistics(dataset: ArrayDataset): DatasetStatistics {
  let sum = 0;
  let sumSquares = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of dataset.values) {
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = dataset.values.length;
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(sumSquares / n - mean * mean, 0)), rms: Math.sqrt(sumSquares / n), min, max };
}
