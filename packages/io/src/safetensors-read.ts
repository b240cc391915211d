// Reading a safetensors file held in memory: the header is validated by the format's one rule set
// (`parseHeader`: sizes, UTF-8, JSON without repeated keys, dtypes, shapes, contiguous offsets) before
// any tensor storage is allocated, then each tensor's little-endian bytes are decoded into engine
// storage, so a truncated, corrupt or hostile file throws one clear `IoError` and never allocates more than
// the file's own size.
import * as E from "fp-ts/lib/Either.js";
import type { DataArray } from "@scm-ts/core";
import type { HostTensor } from "./host-tensor.js";
import { ioError, orThrow, type IoError } from "./io-error.js";
import { decodeElements, type SafetensorsDType } from "./safetensors-dtype.js";
import { headerLength, parseHeader, type SafetensorsEntry } from "./safetensors-header.js";

/** A tensor read from a file: the engine's host tensor plus the dtype it was stored as. */
export interface LoadedTensor extends HostTensor {
  /** The dtype name in the file (e.g. "BF16" for a tensor read as float32). */
  readonly storedDtype: SafetensorsDType;
}

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  /** The tensors by name, in file (offset) order. */
  readonly tensors: ReadonlyMap<string, LoadedTensor>;
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Decodes the bytes of one validated entry. `owned` says the bytes are a fresh buffer of exactly this
 * tensor that the result may keep (no copy); otherwise they are copied.
 */
export function decodeEntry(entry: SafetensorsEntry, bytes: Uint8Array, source: string, owned = false): E.Either<IoError, LoadedTensor> {
  const count = entry.shape.reduce((a, d) => a * d, 1);
  const decoded: DataArray | string = decodeElements(entry.stored, bytes, count, owned);
  if (typeof decoded === "string") return E.left(ioError("format", source, `tensor "${entry.name}" (${entry.stored}): ${decoded}`));
  return E.right({ dtype: entry.dtype, shape: entry.shape, data: decoded, storedDtype: entry.stored });
}

/**
 * Parses a whole safetensors file held in memory; throws an `IoError` (`source`, a path or description,
 * prefixes its message). F16/BF16 are widened to float32, small integer types to int32, I64/U64 narrowed
 * when they fit.
 */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors"): SafetensorsContents {
  const n = orThrow(headerLength(bytes, bytes.length, source));
  const dataStart = 8 + n;
  const header = orThrow(parseHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, source));
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.entries) tensors.set(e.name, orThrow(decodeEntry(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), source)));
  return { tensors, metadata: header.metadata };
}
