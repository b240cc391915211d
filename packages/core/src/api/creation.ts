// Creating tensors: from nested JS arrays or typed arrays (`array`), and filled shapes (zeros, ones,
// full, arange, linspace). float32 is the default dtype.
import { allocArray, castScalar, checkDType, type DataArray, type DType } from "../dtype.js";
import { checkShape, fmtShape, sizeOf } from "../shape.js";
import { fromData, type ConcreteArray } from "../tensor.js";

/** Nested arrays of numbers (or booleans). */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Creation options. */
export interface DTypeOption {
  /** Element dtype (default float32; `array` infers it from a Float64Array, Int32Array or Uint32Array). */
  readonly dtype?: DType;
}

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
  }
  return shape;
}

/** A tensor from nested arrays, a typed array or a number; `shape` reshapes flat data. */
export function array(values: NestedArray | ArrayLike<number>, shape?: readonly number[], options: DTypeOption = {}): ConcreteArray {
  const dtype = checkDType(options.dtype ?? (values instanceof Float64Array ? "float64" : values instanceof Int32Array ? "int32" : values instanceof Uint32Array ? "uint32" : "float32"), "array");
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof values === "number" || typeof values === "boolean") {
    flat = [Number(values)];
    inferred = [];
  } else if (ArrayBuffer.isView(values)) {
    flat = values as unknown as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    inferred = inferShape(values as NestedArray);
    const out: number[] = [];
    const walk = (v: NestedArray, depth: number): void => {
      if (depth === inferred.length) {
        if (Array.isArray(v)) throw new Error(`array: ragged nested array (expected shape ${fmtShape(inferred)})`);
        out.push(Number(v));
        return;
      }
      if (!Array.isArray(v) || v.length !== inferred[depth]) throw new Error(`array: ragged nested array (expected shape ${fmtShape(inferred)})`);
      for (const c of v) walk(c, depth + 1);
    };
    walk(values as NestedArray, 0);
    flat = out;
  }
  const s = shape ? checkShape("array", shape) : inferred;
  if (sizeOf(s) !== flat.length) throw new Error(`array: ${flat.length} values do not fill shape ${fmtShape(s)}`);
  const data = allocArray(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = castScalar(flat[i]!, dtype);
  const t = fromData(data, s, dtype);
  if (s.length === 0) t.scalarValue = data[0];
  return t;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: DTypeOption = {}): ConcreteArray {
  const dtype = checkDType(options.dtype ?? "float32", "full");
  const s = checkShape("full", shape);
  const data: DataArray = allocArray(dtype, sizeOf(s));
  data.fill(castScalar(value, dtype));
  const t = fromData(data, s, dtype);
  if (s.length === 0) t.scalarValue = data[0];
  return t;
}
/** Zeros. */
export function zeros(shape: readonly number[], options: DTypeOption = {}): ConcreteArray {
  return full(shape, 0, options);
}
/** Ones. */
export function ones(shape: readonly number[], options: DTypeOption = {}): ConcreteArray {
  return full(shape, 1, options);
}
/** start, start + step, … below stop (one argument: 0 … n−1). */
export function arange(start: number, stop?: number, step = 1, options: DTypeOption = {}): ConcreteArray {
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new Error("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((b - a) / step));
  return array(Array.from({ length: n }, (_, i) => a + i * step), [n], options);
}
/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num: number, options: DTypeOption = {}): ConcreteArray {
  if (!Number.isInteger(num) || num < 0) throw new Error(`linspace: num must be a non-negative integer, got ${num}`);
  const d = num > 1 ? (stop - start) / (num - 1) : 0;
  return array(Array.from({ length: num }, (_, i) => (i === num - 1 && num > 1 ? stop : start + i * d)), [num], options);
}
/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: { shape: readonly number[]; dtype: DType }): ConcreteArray {
  return full(x.shape, 0, { dtype: x.dtype });
}
/** Ones with the shape and dtype of `x`. */
export function onesLike(x: { shape: readonly number[]; dtype: DType }): ConcreteArray {
  return full(x.shape, 1, { dtype: x.dtype });
}
