// The rules of a safetensors header, the one place they are checked for every reader of the format
// (checkpoints, datasets, the metrics' classifier weights): the 8-byte little-endian header length
// (at most 100 MB, and no more than the file holds), the header as UTF-8 and as a JSON object with no
// key repeated at any depth, each entry's dtype, shape and data_offsets, shape × item size equal to
// each byte range, and the ranges contiguous from 0 (no overlap, no gap) and covering the data exactly.
// It works on the header bytes and the data length alone, so a file's tensors need not be read (or
// allocated) before its header has been found sound.
import * as E from "fp-ts/lib/Either.js";
import type { DType } from "@scm-ts/core";
import { ioError, type IoError } from "./io-error.js";
import { firstDuplicateKey } from "./json-duplicate-keys.js";
import { engineDTypeOf, isSafetensorsDType, safetensorsDTypes, safetensorsItemSize, type SafetensorsDType } from "./safetensors-dtype.js";
import { metadataKey } from "./safetensors-write.js";

/** The largest header the reader accepts (the Rust implementation's limit, 100 MB). */
export const maxHeaderBytes = 100_000_000;

/** One validated header entry: a tensor's name, dtypes, shape and byte range within the data. */
export interface SafetensorsEntry {
  /** The tensor's name. */
  readonly name: string;
  /** The dtype stored in the file. */
  readonly stored: SafetensorsDType;
  /** The engine dtype it is read as. */
  readonly dtype: DType;
  /** The shape. */
  readonly shape: readonly number[];
  /** The first data byte (counted from the end of the header). */
  readonly begin: number;
  /** One past the last data byte. */
  readonly end: number;
}

/** A validated header: the entries in offset order (back to back from 0) and the metadata map. */
export interface SafetensorsHeader {
  /** The tensor entries sorted by offset; together they cover the data bytes exactly. */
  readonly entries: readonly SafetensorsEntry[];
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;

/** Reads the header length; Left unless the file can hold the 8-byte prefix and the header it claims. */
export function headerLength(prefix: Uint8Array, fileBytes: number, source: string): E.Either<IoError, number> {
  if (fileBytes < 8 || prefix.length < 8) {
    return E.left(ioError("format", source, `the file has ${fileBytes} bytes, fewer than the 8-byte header length of a safetensors file; it is truncated or not a safetensors file`));
  }
  // DataView reads little-endian whatever the host's byte order.
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

function parseEntry(name: string, value: unknown, dataBytes: number, source: string): E.Either<IoError, SafetensorsEntry> {
  const bad = (detail: string): E.Either<IoError, SafetensorsEntry> => E.left(ioError("format", source, `tensor "${name}": ${detail}`));
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

/** Parses JSON text into an object, refusing any key repeated within one object (`JSON.parse` would keep the last). */
function parseObject(text: string, source: string): E.Either<IoError, Record<string, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return E.left(ioError("format", source, `the header is not valid JSON (${(e as Error).message}); the file is corrupt or not a safetensors file`));
  }
  if (!isObject(json)) return E.left(ioError("format", source, "the header is JSON but not an object of tensor entries; the file is not a safetensors file"));
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) {
    const where = duplicate.path.length === 0 ? "at its top level" : `in ${duplicate.path.map((k) => JSON.stringify(k)).join(" → ")}`;
    return E.left(ioError("format", source, `the header repeats the key ${JSON.stringify(duplicate.key)} ${where}; readers would disagree on which one counts, so the file is refused as corrupt`));
  }
  return E.right(json);
}

/**
 * Validates the `headerBytes` (the JSON after the length field) of a file with `dataBytes` bytes after
 * its header; returns the entries in offset order and the metadata. `source` prefixes every error.
 */
export function parseHeader(headerBytes: Uint8Array, dataBytes: number, source: string): E.Either<IoError, SafetensorsHeader> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    return E.left(ioError("format", source, "the header is not valid UTF-8; the file is corrupt or not a safetensors file"));
  }
  const json = parseObject(text, source);
  if (E.isLeft(json)) return json;
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json.right)) {
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
