// Shuffling and batching with explicit keys: an epoch visits every example of an `ArrayDataset` exactly
// once (exactly once among its full batches when the ragged tail is dropped), in the order of
// `permutation(epochKey, N)`; a stream of epochs derives each epoch's key from the previous one with
// `random.split`, JAX style, so the whole sequence of batches is a pure function of the starting key.
// Batches are engine tensors cut from host memory, with the dataset indices they hold.
import { array, random, type Tensor } from "@scm-ts/core";
import { datasetSize, exampleShape, exampleSize, type ArrayDataset } from "./array-dataset.js";
import { permutation } from "./permutation.js";

/** Options of `epochBatches` and `batchStream`. */
export interface BatchOptions {
  /** Examples per batch (a positive integer). */
  readonly batchSize: number;
  /** Drop a final batch smaller than `batchSize` (default true, so every batch has the same shape and jit traces once). */
  readonly dropLast?: boolean;
  /** Visit the examples in a random order from the key (default true); false keeps dataset order. */
  readonly shuffle?: boolean;
  /** The dtype of `x` (default float32). */
  readonly dtype?: "float32" | "float64";
}

/** One batch: the examples, their labels, and where they came from. */
export interface Batch {
  /** The examples, [B, ...exampleShape]. */
  readonly x: Tensor;
  /** Their labels as an int32 [B] tensor, when the dataset has labels. */
  readonly labels?: Tensor;
  /** The dataset indices of the rows of `x`. */
  readonly indices: Int32Array;
  /** The epoch this batch belongs to (0 for `epochBatches`). */
  readonly epoch: number;
  /** The batch's position within its epoch. */
  readonly step: number;
}

function checkOptions(context: string, dataset: ArrayDataset, options: BatchOptions): void {
  const { batchSize } = options;
  const n = datasetSize(dataset);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`${context}: batchSize must be a positive integer, got ${batchSize}`);
  if ((options.dropLast ?? true) && batchSize > n) {
    throw new RangeError(`${context}: batchSize ${batchSize} exceeds the ${n} examples, so dropLast leaves no batch; use batchSize ≤ ${n} or dropLast: false`);
  }
}

function makeBatch(dataset: ArrayDataset, indices: Int32Array, options: BatchOptions, epoch: number, step: number): Batch {
  const e = exampleSize(dataset);
  const values = new Float32Array(indices.length * e);
  indices.forEach((i, row) => values.set(dataset.values.subarray(i * e, (i + 1) * e), row * e));
  const x = array(values, [indices.length, ...exampleShape(dataset)], { dtype: options.dtype ?? "float32" });
  if (dataset.labels === undefined) return { x, indices, epoch, step };
  const labels = array(Int32Array.from(indices, (i) => dataset.labels![i]!), [indices.length], { dtype: "int32" });
  return { x, labels, indices, epoch, step };
}

async function* oneEpoch(dataset: ArrayDataset, key: Tensor, options: BatchOptions, epoch: number): AsyncGenerator<Batch> {
  const n = datasetSize(dataset);
  const order = (options.shuffle ?? true) ? await permutation(key, n) : Int32Array.from({ length: n }, (_, i) => i);
  const { batchSize } = options;
  const end = (options.dropLast ?? true) ? n - (n % batchSize) : n;
  for (let start = 0, step = 0; start < end; start += batchSize, step++) {
    yield makeBatch(dataset, order.slice(start, Math.min(start + batchSize, end)), options, epoch, step);
  }
}

/** The batches of one epoch, in the order `permutation(key, N)`; throws a RangeError on a bad batch size. */
export function epochBatches(dataset: ArrayDataset, key: Tensor, options: BatchOptions): AsyncGenerator<Batch> {
  checkOptions("epochBatches", dataset, options);
  return oneEpoch(dataset, key, options, 0);
}

/** Options of `batchStream`: batching plus how many epochs (default: without end). */
export interface BatchStreamOptions extends BatchOptions {
  /** The number of epochs to run (a positive integer; default Infinity). */
  readonly epochs?: number;
}

/**
 * Batches over successive epochs. Epoch e shuffles with the first key of `random.split(k_e)` and passes the
 * second on as k_{e+1} (k_0 = `key`), so the stream is reproducible from its key and any epoch can be
 * recomputed. Throws a RangeError on a bad batch size or epoch count.
 */
export function batchStream(dataset: ArrayDataset, key: Tensor, options: BatchStreamOptions): AsyncGenerator<Batch> {
  checkOptions("batchStream", dataset, options);
  const epochs = options.epochs ?? Infinity;
  if (!(epochs === Infinity || (Number.isInteger(epochs) && epochs >= 1))) throw new RangeError(`batchStream: epochs must be a positive integer or Infinity, got ${epochs}`);
  return epochsFrom(dataset, key, options, epochs);
}

async function* epochsFrom(dataset: ArrayDataset, key: Tensor, options: BatchOptions, epochs: number): AsyncGenerator<Batch> {
  let current = key;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const [epochKey, next] = random.split(current, 2) as [Tensor, Tensor];
    yield* oneEpoch(dataset, epochKey, options, epoch);
    current = next;
  }
}
