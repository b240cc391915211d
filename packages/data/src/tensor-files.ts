// Tensor files on disk (Node only): a safetensors file read by `@scm-ts/io` (a regular file, in chunks,
// tensor by tensor) as a `TensorFile`, and a dataset loaded from a tensor file of any format a
// `TensorFileReader` parses. A missing, special or corrupt file rejects with a `DataError` naming it.
import { readRegularFile, readSafetensors } from "@scm-ts/io/node";
import { carryIoError } from "./data-error.js";
import { datasetFromTensorFile, type TensorDataset, type TensorDatasetOptions } from "./safetensors-dataset.js";
import { tensorFileOf } from "./safetensors-reader.js";
import type { TensorFile } from "./tensor-file.js";

/** Reads a safetensors file (a regular file, in chunks, tensor by tensor) into a `TensorFile`; rejects with a `DataError`. */
export async function readSafetensorsFile(path: string): Promise<TensorFile> {
  try {
    return tensorFileOf(await readSafetensors(path), path);
  } catch (e) {
    throw carryIoError(e);
  }
}

/**
 * Reads a tensor file (safetensors by default) at `path` into a dataset (with its `scm.mixture`, if any);
 * only a regular file is read (a FIFO or a device is refused at once), in chunks; rejects with a `DataError`.
 */
export async function loadSafetensorsDataset(path: string, options: TensorDatasetOptions = {}): Promise<TensorDataset> {
  const { reader } = options;
  let file: TensorFile;
  if (reader === undefined) file = await readSafetensorsFile(path);
  else {
    let bytes: Uint8Array;
    try {
      bytes = await readRegularFile(path);
    } catch (e) {
      throw carryIoError(e);
    }
    file = reader.parse(bytes, path);
  }
  return datasetFromTensorFile(file, options);
}
