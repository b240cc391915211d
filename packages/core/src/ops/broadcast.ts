// The linear shape primitives whose transposes name each other — reshape (its own transpose),
// broadcast (numpy-style expand of size-1 axes, same rank; transposed by a sum over those axes) and
// reduce_sum (transposed by a broadcast) — in one module, so their rules refer to one another
// without an import cycle. Also the fills built from them that other rules use: a scalar broadcast
// to a shape (free under jit) and a symbolic Zero made concrete. reshape and broadcast lower to
// index arithmetic only, so they fuse into their producers and consumers.
import { idx } from "../ir/expr.js";
import { defineOp, UndefPrimal, Zero, type OpDef, type Tan } from "../primitive.js";
import { fmtAval, fmtShape, sizeOf, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { ravel, unravel } from "./index-math.js";
import { keptShape, reduceAval, reduceLowering, type Axes } from "./reduce-lowering.js";
import * as T from "./rules.js";

/** Reshape to a shape with the same number of elements (row-major: the flat index is unchanged). */
export const reshape: OpDef<{
  /** The output shape; its product equals the input's size. */
  shape: number[];
}> = defineOp<{ shape: number[] }>({
  name: "reshape",
  kind: "linear",
  abstractEval: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x!.shape)) throw new Error(`reshape: cannot reshape ${fmtAval(x!)} to ${fmtShape(shape)} (${sizeOf(x!.shape)} vs ${sizeOf(shape)} elements)`);
    return [{ shape, dtype: x!.dtype }];
  },
  lower: { kind: "map", build: ([x]) => x! },
  jvp: T.selfLinearJvp(() => reshape),
  transpose: ([ct], [x]) => [T.mapTan(ct!, (t) => T.bind1(reshape, [t], { shape: [...(x as UndefPrimal).aval.shape] }))],
});

/** Expands size-1 axes to `shape` (input and output have equal rank). */
export const broadcast: OpDef<{
  /** The output shape: the input's, with size-1 axes widened. */
  shape: number[];
}> = defineOp<{ shape: number[] }>({
  name: "broadcast",
  kind: "linear",
  abstractEval: ([x], { shape }) => {
    const s = x!.shape;
    if (s.length !== shape.length || s.some((d, i) => d !== 1 && d !== shape[i])) throw new Error(`broadcast: cannot broadcast ${fmtAval(x!)} to ${fmtShape(shape)}`);
    return [{ shape, dtype: x!.dtype }];
  },
  lower: {
    kind: "map",
    build: ([x], [a], out) => (i) => {
      const m = unravel(i, out.shape).map((e, k) => (a!.shape[k] === 1 ? idx(0) : e));
      return x!(ravel(m, a!.shape));
    },
  },
  jvp: T.selfLinearJvp(() => broadcast),
  // The transpose of a broadcast sums over the expanded axes.
  transpose: ([ct], [x]) => {
    const inShape = (x as UndefPrimal).aval.shape;
    return [
      T.mapTan(ct!, (t) => {
        const axes = inShape.flatMap((d, k) => (d === 1 && t.shape[k] !== 1 ? [k] : []));
        const s = axes.length ? T.bind1(reduceSum, [t], { axes }) : t;
        return T.bind1(reshape, [s], { shape: [...inShape] });
      }),
    ];
  },
});

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

/** A tensor of `aval` filled with `value`: a broadcast scalar, so it costs nothing under jit. */
export function fullAval(a: ShapedArray, value: number): Tensor {
  const s = T.scalar(value, a.dtype);
  if (a.shape.length === 0) return s;
  const ones = a.shape.map(() => 1);
  return T.bind1(broadcast, [T.bind1(reshape, [s], { shape: ones })], { shape: [...a.shape] });
}

/** Scalar `value` broadcast to the shape and dtype of `like`. */
export function scalarLike(like: Tensor, value: number): Tensor {
  return fullAval(like.aval, value);
}

/** Zeros shaped like a tensor. */
export function zerosLike(like: Tensor): Tensor {
  return fullAval(like.aval, 0);
}

/** A Zero made concrete. */
export function instantiate(t: Tan): Tensor {
  return t instanceof Zero ? fullAval(t.aval, 0) : t;
}
