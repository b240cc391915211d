// reduce_max over axes (the axes are removed; keepDims is a reshape in the public API): its tangent
// is the mean of the tangents at the arg-max positions (JAX's choice at ties). reduce_sum, linear
// and transposed by a broadcast, is in broadcast.ts.
import { defineOp, Zero, type OpDef } from "../primitive.js";
import { broadcast, reduceSum, reshape } from "./broadcast.js";
import { eq, mul, div, convert } from "./elementwise.js";
import { keptShape, reduceAval, reduceLowering, type Axes } from "./reduce-lowering.js";
import * as T from "./rules.js";

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
