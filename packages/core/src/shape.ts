// Shapes and abstract values (avals): a shape and a dtype, which is all that tracing and the
// shape/dtype rules of primitives look at. Also the shape arithmetic shared by ops and lowering:
// sizes, strides, numpy broadcasting, axis normalisation, with errors that name the op and shapes.
import type { DType } from "./dtype.js";

/** A tensor's shape: sizes of its axes, outermost first (row-major). */
export type Shape = readonly number[];

/** Abstract value: what a tracer knows about a tensor. */
export interface ShapedArray {
  /** Axis sizes, outermost first (row-major); [] for a scalar. */
  readonly shape: Shape;
  /** Element dtype. */
  readonly dtype: DType;
}

/** Builds an aval. */
export function aval(shape: Shape, dtype: DType): ShapedArray {
  return { shape, dtype };
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Formats a shape as `[2,3]` for messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** Formats an aval as `float32[2,3]`. */
export function fmtAval(a: ShapedArray): string {
  return `${a.dtype}${fmtShape(a.shape)}`;
}

/** True when two shapes are equal. */
export function shapeEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two avals have the same shape and dtype. */
export function avalEqual(a: ShapedArray, b: ShapedArray): boolean {
  return a.dtype === b.dtype && shapeEqual(a.shape, b.shape);
}

/** Numpy broadcasting of several shapes; throws naming `op` and the shapes when incompatible. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      const o = out[j]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[j] = d;
      else throw new Error(`${op}: shapes ${shapes.map(fmtShape).join(" and ")} are not broadcast-compatible (axis ${j}: ${o} vs ${d})`);
    }
  }
  return out;
}

/** Normalises a possibly negative axis; throws naming `op` when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1) || (rank === 0 && axis !== 0 && axis !== -1)) {
    throw new RangeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of axes (undefined = all), sorted and without duplicates. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return out.sort((a, b) => a - b);
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(`${op}: invalid shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers`);
  }
  return [...shape];
}
