// Data types of the engine: their names, storage (typed array) classes, and promotion questions.
// float32 is the default; float64 exists for oracles and finite differences on the CPU backend;
// int32 and bool for indices and masks; uint32 carries random bits (threefry words).

/** The element types a tensor can hold. */
export type DType = "float32" | "float64" | "int32" | "uint32" | "bool";

/** Every dtype, in a fixed order. */
export const dtypes: readonly DType[] = ["float32", "float64", "int32", "uint32", "bool"];

/** The typed array that stores each dtype (bool is one byte per element, 0 or 1). */
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
      ? Int32Array
      : D extends "uint32"
        ? Uint32Array
        : Uint8Array;

/** Any typed array the engine stores. */
export type DataArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Allocates zero-filled storage for `size` elements of `dtype`. */
export function allocArray(dtype: DType, size: number): DataArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "uint32":
      return new Uint32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** True for the dtypes that carry derivatives. */
export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** Bytes per element of each dtype's storage. */
export function itemSize(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}

/** Rounds or converts a JS number to what storing it in `dtype` gives. */
export function castScalar(value: number, dtype: DType): number {
  switch (dtype) {
    case "float32":
      return Math.fround(value);
    case "float64":
      return value;
    case "int32":
      return value | 0;
    case "uint32":
      return value >>> 0;
    case "bool":
      return value !== 0 ? 1 : 0;
  }
}

/** Checks a user-given dtype name, with an error that lists the valid ones. */
export function checkDType(dtype: unknown, where: string): DType {
  if (typeof dtype === "string" && (dtypes as readonly string[]).includes(dtype)) return dtype as DType;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)}; use one of ${dtypes.join(", ")}`);
}
