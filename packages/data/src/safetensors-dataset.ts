// A user's own dataset from a tensor file (safetensors by default): the tensor `x` (or another name) of
// shape [N, D] or [N, C, H, W] (or [N], read as [N, 1], and [N, H, W], read as one-channel images
// [N, 1, H, W]) becomes the examples, an optional integer tensor of shape [N] their labels.
// This is a fallible boundary (docs/guide/design.md, "Errors"): a wrong tensor name, a wrong rank, an
// example shape other than the one the model expects, or a non-finite value each throw a `DataError`
// naming the file, the tensor, and the shape expected vs found. A file whose
// metadata describes the Gaussian mixture the data was drawn from (key `scm.mixture`) carries it along,
// so the data's true density is known (`gaussianMixtureDensity(dataset.mixture)`). Reading the file
// itself is tensor-files.ts (Node only).
import { arrayDataset, type ArrayDataset } from "./array-dataset.js";
import { dataError } from "./data-error.js";
import { mixtureMetadataKey, parseMixtureMetadata } from "./mixture-metadata.js";
import type { MixtureComponent } from "@scm-ts/core";
import type { HostTensor, TensorFile, TensorFileReader } from "./tensor-file.js";

/** Options of `loadSafetensorsDataset`. */
export interface TensorDatasetOptions {
  /** The name of the examples tensor (default "x"). */
  readonly name?: string;
  /** The name of an optional labels tensor of shape [N] with integer values. */
  readonly labels?: string;
  /** The shape one example must have (e.g. [1, 28, 28] for a model of MNIST); any when omitted. */
  readonly exampleShape?: readonly number[];
  /** A reader of another file format (default: safetensors, read by `@scm-ts/io` tensor by tensor). */
  readonly reader?: TensorFileReader;
}

/** A dataset loaded from a tensor file: the examples (and labels), and the mixture they were drawn from when the file says. */
export interface TensorDataset extends ArrayDataset {
  /** The Gaussian mixture of the file's `scm.mixture` metadata (weights normalised), when it has one. */
  readonly mixture?: readonly MixtureComponent[];
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function checkExamples(file: TensorFile, stored: HostTensor, options: TensorDatasetOptions): HostTensor {
  // A vector [N] holds N one-dimensional examples: the same values as [N, 1]. A rank-3 [N, H, W] holds
  // one-channel images (torchvision's MNIST layout): the same values as [N, 1, H, W].
  const s = stored.shape;
  const x = s.length === 1 ? { ...stored, shape: [s[0]!, 1] } : s.length === 3 ? { ...stored, shape: [s[0]!, 1, s[1]!, s[2]!] } : stored;
  const { shape } = x;
  const where = `tensor "${x.name}"`;
  const shown = s.length === shape.length ? fmt(shape) : `${fmt(s)} (read as ${fmt(shape)})`;
  if (shape.length !== 2 && shape.length !== 4) {
    throw dataError("shape", file.source, `${where} has shape ${fmt(shape)} (rank ${shape.length}); a dataset needs [N, D] (or [N] of one value each) or [N, C, H, W] (or [N, H, W] of one channel)`);
  }
  if (shape.some((n) => n === 0)) throw dataError("shape", file.source, `${where} has shape ${shown} with an empty axis; a dataset needs at least one example of positive size`);
  const expected = options.exampleShape;
  if (expected !== undefined && (expected.length !== shape.length - 1 || expected.some((n, i) => shape[i + 1] !== n))) {
    throw dataError("shape", file.source, `${where} has shape ${shown} but the expected shape is [N, ${expected.join(", ")}]`);
  }
  const bad = x.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const e = x.values.length / shape[0]!;
    throw dataError("format", file.source, `${where} has a non-finite value (${x.values[bad]}) in example ${Math.floor(bad / e)} at entry ${bad % e} (flat index ${bad}); datasets must be finite: drop or fix those examples`);
  }
  return x;
}

function readLabels(file: TensorFile, name: string, count: number): Int32Array {
  const t = file.tensor(name);
  if (t.shape.length !== 1 || t.shape[0] !== count) {
    throw dataError("shape", file.source, `labels tensor "${name}" has shape ${fmt(t.shape)} but the examples need [${count}]`);
  }
  const bad = t.values.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) throw dataError("format", file.source, `labels tensor "${name}" has the non-integer value ${t.values[bad]} at index ${bad}`);
  return Int32Array.from(t.values);
}

/**
 * Builds a dataset from a parsed tensor file (the pure part of `loadSafetensorsDataset`), with the mixture
 * of the file's `scm.mixture` metadata attached when there is one; throws a `DataError`.
 */
export function datasetFromTensorFile(file: TensorFile, options: TensorDatasetOptions = {}): TensorDataset {
  const x = checkExamples(file, file.tensor(options.name ?? "x"), options);
  const dataset = options.labels === undefined ? arrayDataset(x.values, x.shape) : arrayDataset(x.values, x.shape, readLabels(file, options.labels, x.shape[0]!));
  const text = file.metadata?.[mixtureMetadataKey];
  if (text === undefined) return dataset;
  const dimension = dataset.shape.slice(1).reduce((a, b) => a * b, 1);
  return { ...dataset, mixture: parseMixtureMetadata(file.source, text, dimension) };
}
