// Where training data comes from: a built-in 2-D toy (sampled fresh each step from a key), MNIST
// from the `mnist` package, or a user's file (safetensors `x` [N, D] or [N, C, H, W]) or folder of
// PNGs. Every source gives a batch as a deterministic function of the step, so resume is exact.
// MNIST's digits and, when asked for, a file's int tensor `y` [N] are the class labels of
// class-conditional training, given for the same rows as the batch.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import {
  checkerboard,
  DataError,
  estimateStandardization,
  gaussianMixtureDensity,
  gridOfGaussians,
  ringOfGaussians,
  spirals,
  twoMoons,
  type ArrayDataset,
  type GaussianMixture,
  type StandardizationEstimate,
  type TensorDataset,
  type Toy,
  type ToyDensity,
} from "@scm-ts/data";
import { loadMnist, loadPngFolder, loadSafetensorsDataset } from "@scm-ts/data/node";
import { mnistClassifierRecordedSplit } from "@scm-ts/metrics/node";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { checkpointFileName, configFileName } from "@scm-ts/io/node";
import { UsageError } from "./args.js";
import { asUsage } from "./input-errors.js";

/** Names of the built-in data sets. */
export const builtinData = ["ring", "grid", "moons", "checkerboard", "spirals", "mnist"] as const;

/** A resolved data source. */
export interface DataSource {
  /** What --data named: a toy's name, "mnist", or the file or folder path; recorded in the run config. */
  readonly name: string;
  /** Shape of one example. */
  readonly sampleShape: readonly number[];
  /** The batch of step i (1-based), deterministic in (seed, i). */
  batch(step: number, size: number): Tensor;
  /** Class labels (MNIST's digits; a file's `y` when resolveData was asked for labels); absent for unlabelled data. */
  readonly classes?: {
    /** K = the largest id + 1; ids lie in [0, K), or are −1 (an unlabelled example: the null label). */
    readonly numClasses: number;
    /** The int32 ids [size] of the rows `batch(step, size)` gives, deterministic in (seed, step). */
    labels(step: number, size: number): Tensor;
  };
  /** n reference samples for metrics (fresh draws for toys; a fixed subset for files; MNIST's held-out digits). */
  reference(n: number, seed: number): Tensor;
  /**
   * Two reference sets that share no example, for a metric and its noise floor: two independent draws
   * of n for toys; for a file (or MNIST's held-out digits) two disjoint subsets of min(n, ⌊N/2⌋) of
   * its N rows, as two overlapping subsets put the floor near 0 (equal to 0 when n ≥ N).
   */
  referencePair(n: number, seed: number): [Tensor, Tensor];
  /** The mixture, when the data is a known Gaussian mixture (exact teacher and ground truth). */
  readonly mixture?: GaussianMixture;
  /** The data's true density, for toys and for files that describe the mixture they were drawn from (`scm.mixture`). */
  readonly density?: ToyDensity;
  /** The smallest and largest value of a .safetensors file's images, so their samples are drawn on the same gray scale. */
  readonly valueRange?: readonly [number, number];
  /** The per-coordinate (vectors) or per-channel (images) mean and std, and the map to std σ_d (exact for toys). */
  standardization(sigmaData: number): StandardizationEstimate;
}

const toys: Record<string, () => Toy> = { ring: () => ringOfGaussians(), grid: () => gridOfGaussians(), moons: () => twoMoons(), checkerboard: () => checkerboard(), spirals: () => spirals() };

function fromToy(name: string, toy: Toy, seed: number): DataSource {
  return {
    name,
    sampleShape: [2],
    batch: (step, size) => c.tidy(() => toy.sample(c.random.key((seed * 1_000_003 + step) % 2 ** 52), size)),
    reference: (n, s) => c.tidy(() => toy.sample(c.random.key(s), n)),
    referencePair: (n, s) => [c.tidy(() => toy.sample(c.random.key(s), n)), c.tidy(() => toy.sample(c.random.key(s + 1), n))],
    standardization(sigmaData) {
      const mean = toy.mean(), cov = toy.covariance(), d = toy.dimension;
      const std = Array.from({ length: d }, (_, k) => Math.sqrt(cov[k * d + k]!));
      return { shift: Array.from(mean), std, scale: std.map((s) => sigmaData / s), constant: [] };
    },
    density: toy.density(),
    ...(name === "ring" || name === "grid" ? { mixture: toy as GaussianMixture } : {}),
  };
}

// mulberry32: a host permutation per epoch, so batches are a pure function of (seed, step).
function permutation(n: number, seed: number): Uint32Array {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

// K = the largest id + 1; ids below −1 (the null label) and data without any class are refused.
function numClasses(name: string, labels: Int32Array): number {
  const max = labels.reduce((m, v) => Math.max(m, v), -1), min = labels.reduce((m, v) => Math.min(m, v), 0);
  if (min < -1 || max < 0) throw new UsageError(`--data ${name}: class ids must be 0, 1, … (or −1 for an unlabelled example); ${min < -1 ? `found ${min}` : "no example has a class"}`);
  return max + 1;
}

// Batches from the rows `train` (default all), metrics' references from `held` (default all as well).
function fromArray(name: string, ds: ArrayDataset, seed: number, split?: { train: Int32Array; held: Int32Array }, density?: ToyDensity): DataSource {
  const shape = ds.shape.slice(1), e = ds.values.length / ds.shape[0]!;
  const n = split ? split.train.length : ds.shape[0]!;
  const trainRow = (i: number) => (split ? split.train[i]! : i);
  const heldRow = (i: number) => (split ? split.held[i]! : i);
  const nHeld = split ? split.held.length : n;
  // The permutations of the epochs the latest batch touched: training walks forward, so older epochs
  // are dropped (a cache of every epoch grew without bound); an earlier step recomputes its own, which
  // are a pure function of (seed, epoch).
  const perms = new Map<number, Uint32Array>();
  // The rows of step i: epoch after epoch of a permutation of the training rows.
  const batchRows = (step: number, size: number): number[] => {
    const first = Math.floor(((step - 1) * size) / n);
    for (const epoch of perms.keys()) if (epoch < first) perms.delete(epoch);
    return Array.from({ length: size }, (_, k) => {
      const g = (step - 1) * size + k, epoch = Math.floor(g / n);
      if (!perms.has(epoch)) perms.set(epoch, permutation(n, seed * 1000003 + epoch));
      return trainRow(perms.get(epoch)![g % n]!);
    });
  };
  const rows = (idx: ArrayLike<number>): Tensor => {
    const out = new Float32Array(idx.length * e);
    for (let k = 0; k < idx.length; k++) out.set(ds.values.subarray(idx[k]! * e, idx[k]! * e + e), k * e);
    return c.array(out, [idx.length, ...shape]);
  };
  return {
    name,
    sampleShape: shape,
    ...(density ? { density } : {}),
    batch: (step, size) => rows(batchRows(step, size)),
    ...(ds.labels ? { classes: { numClasses: numClasses(name, ds.labels), labels: (step: number, size: number) => c.array(Int32Array.from(batchRows(step, size), (i) => ds.labels![i]!), [size], { dtype: "int32" }) } } : {}),
    reference: (m, s) => rows(Array.from(permutation(nHeld, s).subarray(0, Math.min(m, nHeld)), heldRow)),
    referencePair(m, s) {
      const p = permutation(nHeld, s), k = Math.max(1, Math.min(m, Math.floor(nHeld / 2)));
      // A single row cannot be split: both sets are that row (the floor is then 0, and says so).
      return [rows(Array.from(p.subarray(0, k), heldRow)), rows(Array.from(nHeld >= 2 ? p.subarray(k, 2 * k) : p.subarray(0, 1), heldRow))];
    },
    standardization(sigmaData) {
      if (!split) return estimateStandardization(ds.values, shape, sigmaData);
      const values = new Float32Array(n * e);
      for (let i = 0; i < n; i++) values.set(ds.values.subarray(trainRow(i) * e, trainRow(i) * e + e), i * e);
      return estimateStandardization(values, shape, sigmaData);
    },
  };
}

/** What resolveData loads beyond the examples. */
export interface DataOptions {
  /** Class labels are needed (--class-conditional): a file's int tensor `y` [N] is read, and unlabelled data is a usage error. */
  readonly labels?: boolean;
}

const needsLabels = "--class-conditional needs labelled data: mnist, or a .safetensors file with class ids as an int tensor \"y\" [N] beside \"x\"";

// A run folder of `scm train` (or its checkpoint file) given as --data is refused by name, with the data
// that run recorded, instead of failing later as a PNG folder without PNGs or a file without "x".
function checkNotARun(spec: string, isDir: boolean): void {
  const dir = isDir ? spec : basename(spec) === checkpointFileName ? dirname(spec) : undefined;
  if (dir === undefined || !existsSync(join(dir, checkpointFileName))) return;
  let trainedOn: unknown;
  try {
    trainedOn = (JSON.parse(readFileSync(join(dir, configFileName), "utf8")) as { config?: { data?: unknown } }).config?.data;
  } catch {
    trainedOn = undefined;
  }
  const was = typeof trainedOn === "string" ? ` (that run recorded --data ${trainedOn})` : "";
  throw new UsageError(`--data ${spec}: that is the checkpoint of an scm train run, not data; give the data to train on${was}: a .safetensors file with "x", a folder of PNGs, or ${builtinData.join(", ")}`);
}

/** Resolves --data: a built-in name, a .safetensors file or a folder of PNGs (with a file's labels `y` when `options.labels`). */
export async function resolveData(spec: string, seed: number, options: DataOptions = {}): Promise<DataSource> {
  const toy = toys[spec];
  if (toy && options.labels) throw new UsageError(`--data ${spec}: the 2-D toys have no class labels; ${needsLabels}`);
  if (toy) return fromToy(spec, toy(), seed);
  if (spec === "mnist") {
    const mnist = await asUsage(loadMnist(), "--data mnist");
    // Train on the feature classifier's training digits and score against its held-out ones, so FD and
    // precision/recall compare with digits neither the model nor the classifier has seen.
    const { train, heldOut } = await mnistClassifierRecordedSplit(mnist.shape[0]!);
    return fromArray("mnist", mnist, seed, { train, held: heldOut });
  }
  let isDir = false;
  try {
    isDir = statSync(spec).isDirectory();
  } catch {
    throw new UsageError(`--data '${spec}': no such built-in data set (${builtinData.join(", ")}) and no such file or folder`);
  }
  checkNotARun(spec, isDir);
  if (isDir && options.labels) throw new UsageError(`--data ${spec}: a folder of PNGs has no class labels; ${needsLabels}`);
  let loaded: ArrayDataset | TensorDataset;
  try {
    loaded = isDir ? await loadPngFolder(spec) : await loadSafetensorsDataset(spec, options.labels ? { labels: "y" } : {});
  } catch (e) {
    if (options.labels && e instanceof DataError && e.kind === "name" && e.message.includes('no tensor named "y"')) throw new UsageError(`--data ${spec}: the file has no tensor "y"; ${needsLabels}`);
    // A file without "x" most often stores its examples under another name: say which name is read.
    const hint = e instanceof DataError && e.kind === "name" && e.message.includes('no tensor named "x"') ? '; store the examples as the tensor "x" ([N, D] vectors or [N, C, H, W] images)' : "";
    throw e instanceof DataError ? new UsageError(`--data ${spec}: ${e.message}${hint}`) : e;
  }
  const mixture = isDir ? undefined : (loaded as TensorDataset).mixture;
  let density: ToyDensity | undefined;
  try {
    density = mixture ? gaussianMixtureDensity(mixture) : undefined;
  } catch (e) {
    throw new UsageError(`--data ${spec}: its scm.mixture description cannot give a density: ${(e as Error).message}`);
  }
  const source = fromArray(spec, loaded, seed, undefined, density);
  // PNG folders decode to [−1, 1]; a file's images may be stored in [0, 1], [0, 255] or anything else.
  return isDir || loaded.shape.length !== 4 ? source : { ...source, valueRange: valueRange(loaded.values) };
}

// The finite extremes of the values ([−1, 1] when there are none, or all are equal).
function valueRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : [-1, 1];
}
