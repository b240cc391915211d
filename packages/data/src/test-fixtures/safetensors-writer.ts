// A tiny safetensors writer for tests (not part of the public surface; `@scm-ts/io` will own the real one):
// the 8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8 bytes as
// the reference implementation does, then each tensor's little-endian bytes in order. It encodes F64, F32,
// F16, BF16, I64, I32 and U8, enough to round-trip the reader's conversions.

/** A tensor to write: dtype label, shape and values. */
export interface TensorToWrite {
  /** The safetensors dtype label. */
  readonly dtype: "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "U8";
  /** The shape. */
  readonly shape: readonly number[];
  /** Row-major values (rounded to the dtype). */
  readonly values: ArrayLike<number>;
}

const bytesPer = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 } as const;

// Round-to-nearest-even float32 → IEEE half (normal range only, enough for test values).
function toHalf(value: number): number {
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, value);
  const bits = f.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (value === 0) return sign;
  if (exponent <= 0 || exponent >= 31) throw new RangeError(`toHalf: ${value} is outside the normal half range used by tests`);
  let mantissa = (bits >>> 13) & 0x3ff;
  const rest = bits & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (mantissa & 1) === 1)) mantissa++;
  return sign | ((exponent << 10) + mantissa);
}

function encode(view: DataView, offset: number, t: TensorToWrite, i: number): void {
  const v = t.values[i]!;
  const o = offset + i * bytesPer[t.dtype];
  if (t.dtype === "F64") view.setFloat64(o, v, true);
  else if (t.dtype === "F32") view.setFloat32(o, v, true);
  else if (t.dtype === "F16") view.setUint16(o, toHalf(v), true);
  else if (t.dtype === "BF16") {
    const f = new DataView(new ArrayBuffer(4));
    f.setFloat32(0, v);
    view.setUint16(o, f.getUint32(0) >>> 16, true);
  } else if (t.dtype === "I64") view.setBigInt64(o, BigInt(v), true);
  else if (t.dtype === "I32") view.setInt32(o, v, true);
  else view.setUint8(o, v);
}

/** The bytes of a safetensors file holding `tensors` (in key order) and optional string metadata. */
export function writeSafetensors(tensors: Readonly<Record<string, TensorToWrite>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const size = t.values.length * bytesPer[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of Object.values(tensors)) {
    for (let i = 0; i < t.values.length; i++) encode(view, at, t, i);
    at += t.values.length * bytesPer[t.dtype];
  }
  return out;
}
