// Reductions over axes (the axes are removed; keepDims is a reshape in the public API). reduce_sum
// is linear (its transpose is a broadcast); reduce_max's tangent is the mean of the tangents at the
// arg-max positions (JAX's choice at ties).
import { binary, idx, type Expr } from "../ir/expr.js";
import { defineOp, UndefPrimal, Zero, type OpDef } from "../primitive.js";
import { fmtAval, sizeOf, stridesOf, type ShapedArray } from "../shape.js";
import * as T from "../api/tangent.js";
import { eq, mul, div, convert } from "./elementwise.js";
import { broadcast, reshape } from "./movement.js";
import { unravel } from "./index-math.js";

type Axes = { axes: number[] };

function reduceAval(name: string, [x]: readonly ShapedArray[], { axes }: Axes): ShapedArray[] {
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

function reduceLowering(op: "sum" | "max") {
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

/** Σ over axes: linear. */
export const reduceSum: OpDef<Axes> = defineOp<Axes>({
  name: "reduce_sum",
  kind: "linear",
  abstractEval: (avals, p) => reduceAval("reduce_sum", avals, p),
  lower: reduceLowering("sum"),
  jvp: ([x], [dx], p) => [[T.bind1(reduceSum, [x!], p)], [T.mapTan(dx!, (t) => T.bind1(reduceSum, [t], p))]],
  transpose: ([ct], [x], { axes }) => {
    const s = (x as UndefPrimal).aval.shape;
    return [T.mapTan(ct!, (t) => T.bind1(broadcast, [T.bind1(reshape, [t], { shape: keptShape(s, axes) })], { shape: [...s] }))];
  },
});

/** max over axes (NaN propagates). */
export const reduceMax: OpDef<Axes> = defineOp<Axes>({
  name: "reduce_max",
  kind: "nonlinear",
  abstractEval: (avals, p) => reduceAval("reduce_max", avals, p),
  lower: reduceLowering("max"),
  jvp: ([x], [dx], p) => {
    const y = T.bind1(reduceMax, [x!], p);
    if (dx instanceof Zero) return [[y], [new Zero(y.aval)]];
    // d max = Σ(dx·[x = max]) / Σ[x = max]
    const yb = T.bind1(broadcast, [T.bind1(reshape, [y], { shape: keptShape(x!.shape, p.axes) })], { shape: [...x!.shape] });
    const mask = T.bind1(convert, [T.bind1(eq, [x!, yb])], { dtype: x!.dtype });
    const num = T.bind1(reduceSum, [T.bind1(mul, [dx!, mask])], p);
    return [[y], [T.bind1(div, [num, T.bind1(reduceSum, [mask], p)])]];
  },
});
