// Writing the safetensors format byte for byte as PyTorch's `safetensors` (its Rust core) does: an
// 8-byte little-endian header length N, then N bytes of compact JSON — `__metadata__` first when
// given, then one `{"dtype","shape","data_offsets"}` entry per tensor — padded with spaces to a
// multiple of 8 so every tensor's data is aligned, then the tensors' little-endian bytes back to back.
// Tensors are laid out by descending dtype (the Rust enum order) and then by name (byte order), the
// layout `safetensors.torch.save_file` produces, so equal tensors give identical files.
import type { DataArray, DType } from "@scm-ts/core";
import type { HostTensor } from "./host-tensor.js";
import { ioError, type IoError } from "./io-error.js";
import { littleEndianBytes, safetensorsDTypes, safetensorsNameOf } from "./safetensors-dtype.js";

/** Named tensors to write: a Map, a plain object, or [name, tensor] pairs. */
export type TensorEntries = ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>> | Iterable<readonly [string, HostTensor]>;

/** The file as pieces to write in order (header, then each tensor's bytes), and its total length. */
export interface SafetensorsChunks {
  /** The pieces; tensor pieces are views of the callers' arrays, not copies. */
  readonly chunks: readonly Uint8Array[];
  /** The file length in bytes. */
  readonly byteLength: number;
}

/** The key the header reserves for the string-to-string metadata map. */
export const metadataKey = "__metadata__";

const storageClasses: Readonly<Record<DType, { new (n: number): DataArray; name: string }>> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array, bool: Uint8Array,
};

function entriesOf(tensors: TensorEntries): [string, HostTensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (Symbol.iterator in tensors) return [...(tensors as Iterable<readonly [string, HostTensor]>)].map(([k, v]) => [k, v]);
  return Object.entries(tensors as Readonly<Record<string, HostTensor>>);
}

const utf8 = new TextEncoder();

/** Byte order of UTF-8 encodings (Rust's `String` ordering), not UTF-16 code units. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(utf8.encode(a), utf8.encode(b));
}

function checkTensor(source: string, name: string, t: HostTensor): IoError | null {
  const where = `tensor "${name}"`;
  if (name.length === 0) return ioError("invalid-argument", source, "a tensor has an empty name; give every tensor a non-empty name");
  if (name === metadataKey) return ioError("invalid-argument", source, `"${metadataKey}" is reserved for the metadata map; rename that tensor`);
  const cls = storageClasses[t.dtype];
  if (cls === undefined) return ioError("invalid-argument", source, `${where} has dtype ${JSON.stringify(t.dtype)}; use float32, float64, int32, uint32 or bool`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    return ioError("invalid-argument", source, `${where} has shape ${JSON.stringify(t.shape)}; dimensions must be non-negative integers`);
  }
  if (!(t.data instanceof cls)) return ioError("invalid-argument", source, `${where} is ${t.dtype} but its data is a ${t.data?.constructor?.name}; pass a ${cls.name}`);
  const size = t.shape.reduce((n, d) => n * d, 1);
  if (t.data.length !== size) return ioError("invalid-argument", source, `${where} has shape [${t.shape.join(", ")}] (${size} elements) but ${t.data.length} values; they must match`);
  return null;
}

function boolBytes(data: DataArray): Uint8Array {
  const bytes = data as Uint8Array;
  return bytes.every((b) => b === 0 || b === 1) ? bytes : Uint8Array.from(bytes, (b) => (b !== 0 ? 1 : 0));
}

/**
 * The safetensors file of `tensors` (with an optional string-to-string `metadata` map) as pieces.
 * Throws an `IoError` when a name, shape, dtype or metadata value cannot be written; `source` names the target in messages.
 */
export function safetensorsChunks(tensors: TensorEntries, metadata?: Readonly<Record<string, string>>, source = "safetensors"): SafetensorsChunks {
  const entries = entriesOf(tensors);
  const seen = new Set<string>();
  for (const [name, t] of entries) {
    const problem = checkTensor(source, name, t);
    if (problem) throw problem;
    if (seen.has(name)) throw ioError("invalid-argument", source, `tensor "${name}" is given twice; names must be unique`);
    seen.add(name);
  }
  const rank = (t: HostTensor): number => safetensorsDTypes.indexOf(safetensorsNameOf(t.dtype));
  entries.sort(([an, at], [bn, bt]) => rank(bt) - rank(at) || compareNames(an, bn));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const fields: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw ioError("invalid-argument", source, `metadata "${k}" is a ${typeof v}; metadata values must be strings (JSON-encode other values)`);
      fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    parts.push(`"${metadataKey}":{${fields.join(",")}}`);
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.dtype === "bool" ? boolBytes(t.data) : littleEndianBytes(t.data);
    const begin = offset;
    offset += bytes.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${safetensorsNameOf(t.dtype)}","shape":[${t.shape.join(",")}],"data_offsets":[${begin},${offset}]}`);
    chunks.push(bytes);
  }
  const json = utf8.encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { chunks: [header, ...chunks], byteLength: header.length + offset };
}

/** The safetensors file of `tensors` as one byte array (see `safetensorsChunks`). */
export function serializeSafetensors(tensors: TensorEntries, metadata?: Readonly<Record<string, string>>, source = "safetensors"): Uint8Array {
  const { chunks, byteLength } = safetensorsChunks(tensors, metadata, source);
  const out = new Uint8Array(byteLength);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
