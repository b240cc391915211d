// A minimal reader of the safetensors format (8-byte little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {…}}, then the raw little-endian
// data), enough to load a user's dataset. It validates everything it relies on — sizes, the JSON header,
// each entry's dtype, shape and byte range against the file — and converts a tensor to float32 on demand.
// The `__metadata__` map is exposed as the file's metadata; only its string values are kept (the format
// allows nothing else, and a stray non-string is ignored rather than refusing an otherwise good file).
// `@scm-ts/io` will own safetensors (issue 7); this sits behind the `TensorFileReader` interface until then.
import * as E from "fp-ts/lib/Either.js";
import { dataError, type DataError } from "./data-error.js";
import type { HostTensor, TensorFile, TensorFileReader } from "./tensor-file.js";

type Converter = (view: DataView, offset: number) => number;

// IEEE half precision to a number.
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const float32Scratch = new DataView(new ArrayBuffer(4));

/** Bytes per element and the little-endian decoder of each safetensors dtype. */
const dtypes: Readonly<Record<string, { readonly bytes: number; readonly read: Converter }>> = {
  F64: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  F32: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  F16: { bytes: 2, read: (v, o) => halfToNumber(v.getUint16(o, true)) },
  BF16: {
    bytes: 2,
    read: (v, o) => {
      float32Scratch.setUint32(0, v.getUint16(o, true) << 16, false);
      return float32Scratch.getFloat32(0, false);
    },
  },
  I64: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  I32: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  I16: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  I8: { bytes: 1, read: (v, o) => v.getInt8(o) },
  U64: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  U32: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  U16: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  U8: { bytes: 1, read: (v, o) => v.getUint8(o) },
  BOOL: { bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

/** The largest header the format allows (100 MB, as in the reference implementation). */
const maxHeaderBytes = 100_000_000;

interface Entry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function parseEntry(source: string, name: string, raw: unknown, dataBytes: number): E.Either<DataError, Entry> {
  const bad = (detail: string): E.Either<DataError, Entry> => E.left(dataError("format", source, `tensor "${name}": ${detail}`));
  if (raw === null || typeof raw !== "object") return bad("its header entry is not an object {dtype, shape, data_offsets}");
  const { dtype, shape, data_offsets: offsets } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== "string" || dtypes[dtype] === undefined) return bad(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(dtypes).join(", ")}`);
  if (!Array.isArray(shape) || shape.some((n) => !Number.isSafeInteger(n) || n < 0)) return bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    return bad(`data_offsets ${JSON.stringify(offsets)} is not a pair [begin, end] of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  const expected = (shape as number[]).reduce((a, b) => a * b, 1) * dtypes[dtype]!.bytes;
  if (end < begin || end - begin !== expected) {
    return bad(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} ${fmt(shape as number[])} needs ${expected}`);
  }
  if (end > dataBytes) {
    return E.left(dataError("format", source, `tensor "${name}" ends at data byte ${end} but the file has only ${dataBytes} data bytes; the file is truncated`));
  }
  return E.right({ dtype, shape: shape as number[], begin, end });
}

/** Parses safetensors bytes (validating the header and every entry's byte range) into a `TensorFile`. */
export function parseSafetensors(bytes: Uint8Array, source: string): E.Either<DataError, TensorFile> {
  const format = (detail: string): E.Either<DataError, TensorFile> => E.left(dataError("format", source, detail));
  if (bytes.length < 8) return format(`is ${bytes.length} bytes long; a safetensors file starts with an 8-byte header length, so it is truncated or not safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = Number(view.getBigUint64(0, true));
  if (headerBytes > maxHeaderBytes) return format(`declares a ${headerBytes}-byte header (over the format's 100 MB limit); the file is corrupt or not safetensors`);
  if (8 + headerBytes > bytes.length) return format(`declares a ${headerBytes}-byte header but only ${bytes.length - 8} bytes follow the length; the file is truncated`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (cause) {
    return format(`the header is not valid UTF-8 JSON (${cause instanceof Error ? cause.message : String(cause)}); the file is corrupt or not safetensors`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) return format("the header is not a JSON object of tensor entries");
  const dataStart = 8 + headerBytes;
  const dataBytes = bytes.length - dataStart;
  const entries = new Map<string, Entry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = parseEntry(source, name, raw, dataBytes);
    if (E.isLeft(entry)) return entry;
    entries.set(name, entry.right);
  }
  const names = [...entries.keys()];
  const rawMetadata: unknown = (header as Record<string, unknown>)["__metadata__"];
  const metadata: Record<string, string> = {};
  if (rawMetadata !== null && typeof rawMetadata === "object" && !Array.isArray(rawMetadata)) {
    for (const [key, value] of Object.entries(rawMetadata)) if (typeof value === "string") metadata[key] = value;
  }
  const file: TensorFile = {
    source,
    names,
    metadata,
    shapeOf: (name) => entries.get(name)?.shape,
    tensor(name: string): E.Either<DataError, HostTensor> {
      const entry = entries.get(name);
      if (entry === undefined) {
        const has = names.length === 0 ? "no tensors" : `tensors ${names.map((n) => `"${n}"`).join(", ")}`;
        return E.left(dataError("name", source, `has no tensor named "${name}"; it has ${has}`));
      }
      const { bytes: size, read } = dtypes[entry.dtype]!;
      const count = (entry.end - entry.begin) / size;
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = read(view, dataStart + entry.begin + i * size);
      return E.right({ name, dtype: entry.dtype, shape: entry.shape, values });
    },
  };
  return E.right(file);
}

/** The minimal safetensors reader as a `TensorFileReader`. */
export const safetensorsReader: TensorFileReader = { format: "safetensors", parse: parseSafetensors };
