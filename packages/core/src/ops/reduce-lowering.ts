// What the reductions share: their output aval (the axes are removed), the flat input index of an
// (output index, reduction index) pair, their lowering to a reduce kernel, and the shape with the
// reduced axes kept as size 1. No primitive is named here, so reduce_sum (broadcast.ts) and
// reduce_max (reduce.ts) both build on it.
import { binary, idx, type Expr } from "../ir/expr.js";
import { fmtAval, sizeOf, stridesOf, type ShapedArray } from "../shape.js";
import { unravel } from "./index-math.js";

/** The params of a reduction: the axes it removes. */
export type Axes = { axes: number[] };

/** The output aval of a reduction (checks the axes). */
export function reduceAval(name: string, [x]: readonly ShapedArray[], { axes }: Axes): ShapedArray[] {
  const r = x!.shape.length;
  if (axes.some((a) => !Number.isInteger(a) || a < 0 || a >= r) || new Set(axes).size !== axes.length) {
    throw new RangeError(`${name}: axes ${JSON.stringify(axes)} are out of range for ${fmtAval(x!)}`);
  }
  return [{ shape: x!.shape.filter((_, k) => !axes.includes(k)), dtype: x!.dtype }];
}

/** The input flat index of (output index g, reduction index r). */
function reduceIndex(a: ShapedArray, axes: readonly number[], g: Expr, r: Expr): Expr {
  const kept = a.shape.map((_, k) => k).filter((k) => !axes.includes(k));
  const rs = sizeOf(axes.map((k) => a.shape[k]!));
  const sorted = [...axes].sort((p, q) => p - q);
  const trailing = sorted.every((k, j) => k === a.shape.length - sorted.length + j);
  if (trailing) return binary("ADD", binary("MUL", g, idx(rs)), r);
  const leading = sorted.every((k, j) => k === j);
  if (leading) return binary("ADD", binary("MUL", r, idx(sizeOf(a.shape) / rs)), g);
  const strides = stridesOf(a.shape);
  const gm = unravel(g, kept.map((k) => a.shape[k]!));
  const rm = unravel(r, sorted.map((k) => a.shape[k]!));
  let out = idx(0);
  kept.forEach((k, j) => (out = binary("ADD", out, binary("MUL", gm[j]!, idx(strides[k]!)))));
  sorted.forEach((k, j) => (out = binary("ADD", out, binary("MUL", rm[j]!, idx(strides[k]!)))));
  return out;
}

/** The lowering of a reduction: a reduce kernel over the removed axes. */
export function reduceLowering(op: "sum" | "max") {
  return {
    kind: "reduce" as const,
    op,
    build: (x: (e: Expr) => Expr, a: ShapedArray, _out: ShapedArray, { axes }: Axes) => ({
      rsize: sizeOf(axes.map((k) => a.shape[k]!)),
      body: (g: Expr, r: Expr) => x(reduceIndex(a, axes, g, r)),
    }),
  };
}

/** The shape of the output with the reduced axes kept as size 1. */
export function keptShape(inShape: readonly number[], axes: readonly number[]): number[] {
  return inShape.map((d, k) => (axes.includes(k) ? 1 : d));
}
