// The dtypes of the safetensors format (the names PyTorch's `safetensors` writes) and how each maps to
// the engine: F32, F64, I32, U32 and BOOL are native and round-trip exactly; F16 and BF16 widen exactly
// to float32; U8, I8, I16 and U16 widen exactly to int32; I64 and U64 narrow to int32/uint32 only when
// every value fits; the 8-bit float formats are refused. Also the order in which the Rust writer lays
// tensors out (descending dtype in its enum order, then by name), which byte-identical output needs.
import type { DataArray, DType } from "@scm-ts/core";

/** A dtype name of the safetensors header. */
export type SafetensorsDType =
  | "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "I16" | "U16" | "F16" | "BF16"
  | "I32" | "U32" | "F32" | "F64" | "I64" | "U64";

/** Every safetensors dtype in the order of the Rust `Dtype` enum (the writer sorts by it, descending). */
export const safetensorsDTypes: readonly SafetensorsDType[] = [
  "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64",
];

const itemSizes: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** Bytes per element of a safetensors dtype. */
export function safetensorsItemSize(dtype: SafetensorsDType): number {
  return itemSizes[dtype];
}

/** True when `name` is a safetensors dtype name. */
export function isSafetensorsDType(name: unknown): name is SafetensorsDType {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(itemSizes, name);
}

const nativeNames: Readonly<Record<DType, SafetensorsDType>> = {
  float32: "F32", float64: "F64", int32: "I32", uint32: "U32", bool: "BOOL",
};

/** The safetensors name under which an engine dtype is written. */
export function safetensorsNameOf(dtype: DType): SafetensorsDType {
  return nativeNames[dtype];
}

/** The engine dtype a stored dtype is read as, or null when it cannot be read. */
export function engineDTypeOf(stored: SafetensorsDType): DType | null {
  switch (stored) {
    case "F32": case "F16": case "BF16": return "float32";
    case "F64": return "float64";
    case "I32": case "U8": case "I8": case "I16": case "U16": case "I64": return "int32";
    case "U32": case "U64": return "uint32";
    case "BOOL": return "bool";
    case "F8_E5M2": case "F8_E4M3": return null;
  }
}

/** True when this machine stores numbers little-endian (as the format does). */
export const littleEndianHost: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of engine storage (a view when the host is little-endian, else a copy). */
export function littleEndianBytes(data: DataArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndianHost || data.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(data.byteLength);
  const step = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < out.length; i += step) for (let j = 0; j < step; j++) out[i + j] = bytes[i + step - 1 - j]!;
  return out;
}

/** IEEE half precision bits → number (exact). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Decodes `count` little-endian elements of `stored` starting at `bytes[0]` into the engine storage of
 * `engineDTypeOf(stored)`. Returns a message instead when a value does not fit (I64/U64 out of range).
 * With `owned`, `bytes` is a buffer of its own (offset 0, nothing else in it) that a native-width result
 * may keep instead of copying; otherwise the bytes are copied.
 */
export function decodeElements(stored: SafetensorsDType, bytes: Uint8Array, count: number, owned = false): DataArray | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A buffer aligned at 0 can back a typed array directly on little-endian hosts: the owned one, or a copy.
  const aligned = (size: number): ArrayBuffer =>
    owned && bytes.byteOffset === 0 && bytes.byteLength === size * count && bytes.buffer.byteLength === size * count
      ? (bytes.buffer as ArrayBuffer)
      : bytes.slice(0, size * count).buffer;
  switch (stored) {
    case "F32": return littleEndianHost ? new Float32Array(aligned(4)) : Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case "F64": return littleEndianHost ? new Float64Array(aligned(8)) : Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
    case "I32": return littleEndianHost ? new Int32Array(aligned(4)) : Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case "U32": return littleEndianHost ? new Uint32Array(aligned(4)) : Uint32Array.from({ length: count }, (_, i) => view.getUint32(4 * i, true));
    case "BOOL": return Uint8Array.from(bytes.subarray(0, count), (b) => (b !== 0 ? 1 : 0));
    case "U8": return Int32Array.from(bytes.subarray(0, count));
    case "I8": return Int32Array.from({ length: count }, (_, i) => view.getInt8(i));
    case "I16": return Int32Array.from({ length: count }, (_, i) => view.getInt16(2 * i, true));
    case "U16": return Int32Array.from({ length: count }, (_, i) => view.getUint16(2 * i, true));
    case "F16": return Float32Array.from({ length: count }, (_, i) => halfToNumber(view.getUint16(2 * i, true)));
    // bfloat16 is the top half of a float32.
    case "BF16": {
      const out = new Float32Array(count);
      const widened = new DataView(out.buffer);
      for (let i = 0; i < count; i++) widened.setUint32(4 * i, view.getUint16(2 * i, true) << 16, littleEndianHost);
      return out;
    }
    case "I64": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) return `element ${i} is ${v}, outside the int32 range the engine reads I64 into; store it as I32 or F64 instead`;
        out[i] = Number(v);
      }
      return out;
    }
    case "U64": {
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigUint64(8 * i, true);
        if (v > 4294967295n) return `element ${i} is ${v}, outside the uint32 range the engine reads U64 into; store it as U32 or F64 instead`;
        out[i] = Number(v);
      }
      return out;
    }
    case "F8_E5M2": case "F8_E4M3":
      return `8-bit float (${stored}) tensors are not supported; convert them in PyTorch with tensor.float() before saving`;
  }
}
