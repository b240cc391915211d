// Reading the safetensors format defensively: every claim the header makes is checked before any
// tensor storage is allocated — the header length against the bytes present, the header as UTF-8 and
// as a JSON object, each entry's dtype, shape and data_offsets, the offsets in range, contiguous from 0
// and covering the data exactly, and shape × item size against each byte range — so a truncated,
// corrupt or hostile file gives one clear Left and never allocates more than the file's own size.
import * as E from "fp-ts/lib/Either.js";
import type { DataArray, DType } from "@scm-ts/core";
import type { HostTensor } from "./host-tensor.js";
import { ioError, type IoError } from "./io-error.js";
import { decodeElements, engineDTypeOf, isSafetensorsDType, safetensorsDTypes, safetensorsItemSize, type SafetensorsDType } from "./safetensors-dtype.js";
import { metadataKey } from "./safetensors-write.js";

/** The largest header the reader accepts (the Rust implementation's limit, 100 MB). */
export const maxHeaderBytes = 100_000_000;

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

/** A validated header entry, before its data is decoded. */
interface HeaderEntry {
  readonly name: string;
  readonly stored: SafetensorsDType;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/** Reads the header length; Left unless the file can hold the 8-byte prefix and the header it claims. */
export function headerLength(prefix: Uint8Array, fileBytes: number, source: string): E.Either<IoError, number> {
  if (fileBytes < 8 || prefix.length < 8) {
    return E.left(ioError("format", source, `the file has ${fileBytes} bytes, fewer than the 8-byte header length of a safetensors file; it is truncated or not a safetensors file`));
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) {
    return E.left(ioError("format", source, `the header length field says ${n} bytes, more than the ${maxHeaderBytes}-byte limit; the file is corrupt or not a safetensors file`));
  }
  if (Number(n) + 8 > fileBytes) {
    return E.left(ioError("format", source, `the header length field says ${n} bytes but only ${fileBytes - 8} follow it; the file is truncated or corrupt`));
  }
  return E.right(Number(n));
}

function parseMetadata(value: unknown, source: string): E.Either<IoError, Record<string, string>> {
  if (!isObject(value)) return E.left(ioError("format", source, `"${metadataKey}" must be an object of strings, got ${JSON.stringify(value)}`));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") return E.left(ioError("format", source, `metadata "${k}" is ${JSON.stringify(v)}, not a string; safetensors metadata values are strings`));
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return E.right(out);
}

function parseEntry(name: string, value: unknown, dataBytes: number, source: string): E.Either<IoError, HeaderEntry> {
  const bad = (detail: string): E.Either<IoError, HeaderEntry> => E.left(ioError("format", source, `tensor "${name}": ${detail}`));
  if (!isObject(value)) return bad(`its header entry must be an object with dtype, shape and data_offsets, got ${JSON.stringify(value)?.slice(0, 80)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isSafetensorsDType(dtype)) return bad(`unknown dtype ${JSON.stringify(dtype)?.slice(0, 40)}; known: ${safetensorsDTypes.join(", ")}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) return bad(`shape ${JSON.stringify(shape)?.slice(0, 80)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return bad(`data_offsets ${JSON.stringify(offsets)?.slice(0, 80)} is not a pair [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) return bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) return bad(`data_offsets [${begin}, ${end}] reach past the ${dataBytes} data bytes of the file; it is truncated or corrupt`);
  // Element count, stopping as soon as it exceeds what the byte range could hold (no overflow).
  const itemSize = safetensorsItemSize(dtype);
  let count = shape.includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (count * itemSize > end - begin) break;
    count *= d;
  }
  if (count * itemSize !== end - begin) {
    const needed = (shape as number[]).reduce((a, d) => a * BigInt(d), 1n) * BigInt(itemSize);
    return bad(`shape [${(shape as number[]).join(", ")}] of ${dtype} needs ${needed} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  const engine = engineDTypeOf(dtype);
  if (engine === null) return bad(`8-bit float (${dtype}) tensors are not supported; convert them in PyTorch with tensor.float() before saving`);
  return E.right({ name, stored: dtype, dtype: engine, shape: shape as number[], begin, end });
}

/** Parses and validates the JSON header; returns its entries sorted by offset and the metadata. */
function parseHeader(bytes: Uint8Array, n: number, source: string): E.Either<IoError, { entries: HeaderEntry[]; metadata: Record<string, string> }> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return E.left(ioError("format", source, "the header is not valid UTF-8; the file is corrupt or not a safetensors file"));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return E.left(ioError("format", source, `the header is not valid JSON (${(e as Error).message}); the file is corrupt or not a safetensors file`));
  }
  if (!isObject(json)) return E.left(ioError("format", source, "the header is JSON but not an object of tensor entries; the file is not a safetensors file"));
  const dataBytes = bytes.length - 8 - n;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === metadataKey) {
      const m = parseMetadata(value, source);
      if (E.isLeft(m)) return m;
      metadata = m.right;
      continue;
    }
    const entry = parseEntry(name, value, dataBytes, source);
    if (E.isLeft(entry)) return entry;
    entries.push(entry.right);
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) return E.left(ioError("format", source, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap the tensor before it (which ends at ${expected}); the file is corrupt`));
    if (e.begin > expected) return E.left(ioError("format", source, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${expected}; tensors must be stored back to back`));
    expected = e.end;
  }
  if (expected !== dataBytes) {
    return E.left(ioError("format", source, `the tensors cover ${expected} data bytes but the file holds ${dataBytes} after its header; it is corrupt or has trailing bytes`));
  }
  return E.right({ entries, metadata });
}

/**
 * Parses a whole safetensors file held in memory. `source` (a path or description) prefixes every error.
 * F16/BF16 are widened to float32, small integer types to int32, I64/U64 narrowed when they fit.
 */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors"): E.Either<IoError, SafetensorsContents> {
  const n = headerLength(bytes, bytes.length, source);
  if (E.isLeft(n)) return n;
  const header = parseHeader(bytes, n.right, source);
  if (E.isLeft(header)) return header;
  const tensors = new Map<string, LoadedTensor>();
  const dataStart = 8 + n.right;
  for (const e of header.right.entries) {
    const count = e.shape.reduce((a, d) => a * d, 1);
    const decoded: DataArray | string = decodeElements(e.stored, bytes.subarray(dataStart + e.begin, dataStart + e.end), count);
    if (typeof decoded === "string") return E.left(ioError("format", source, `tensor "${e.name}" (${e.stored}): ${decoded}`));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decoded, storedDtype: e.stored });
  }
  return E.right({ tensors, metadata: header.right.metadata });
}
