// Standardisation over the last axis as two routine primitives, the core of group and layer norm,
// so backends compute each row's mean and variance and write the normalised row in one pass:
//   standardize(x)            y = (x − μ)·r,  μ = mean(x),  r = 1/√(mean((x − μ)²) + ε)
//   standardize_tangent(x, t) t_y = r·(t − mean(t) − y·mean(y ⊙ t))
// (rows along the last axis, length L). The tangent is linear in t and its Jacobian
// r·(I − 11ᵀ/L − y·yᵀ/L) is symmetric, so the transpose is the same primitive; the second-order
// rule differentiates the composed formula.
import { defineOp, UndefPrimal, Zero, type OpDef } from "../primitive.js";
import { avalEqual, fmtAval, sizeOf, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import type { StandardizeSpec } from "../ir/kernel.js";
import { add, mul, rsqrt, square, sub } from "../api/elementwise.js";
import { mean } from "../api/shape-ops.js";
import { bind1 } from "./rules.js";
import { jvpFlat } from "../transforms/jvp.js";

/** The variance floor ε. */
export interface StandardizeParams {
  readonly eps: number;
}

function check(name: string, avals: readonly ShapedArray[]): ShapedArray {
  const x = avals[0]!;
  const ok = x.shape.length >= 1 && x.shape[x.shape.length - 1]! > 0 && (x.dtype === "float32" || x.dtype === "float64") && avals.every((a) => avalEqual(a, x));
  if (!ok) throw new Error(`${name}: operands ${avals.map(fmtAval).join(", ")} must be equal float arrays with a non-empty last axis`);
  return x;
}

/** The routine spec of a standardisation of x's rows. */
export function standardizeSpec(name: StandardizeSpec["name"], x: ShapedArray, p: StandardizeParams): StandardizeSpec {
  const len = x.shape[x.shape.length - 1]!;
  return { name, dtype: x.dtype, rows: sizeOf(x.shape) / len, len, eps: p.eps };
}

/** The composed tangent r·(t − mean(t) − y·mean(y ⊙ t)), the reference of `standardize_tangent`. */
export function standardizeTangentComposed(x: Tensor, t: Tensor, eps: number): Tensor {
  const xc = sub(x, mean(x, -1, true));
  const r = rsqrt(add(mean(square(xc), -1, true), eps));
  const y = mul(xc, r);
  return mul(r, sub(sub(t, mean(t, -1, true)), mul(y, mean(mul(y, t), -1, true))));
}

/** y = (x − mean(x))/√(var(x) + ε) along the last axis. */
export const standardize: OpDef<StandardizeParams> = defineOp<StandardizeParams>({
  name: "standardize",
  kind: "nonlinear",
  abstractEval: (avals) => [check("standardize", avals)],
  lower: { kind: "routine", spec: ([x], _, p) => standardizeSpec("standardize", x!, p) },
  jvp: ([x], [t], p) => {
    const y = bind1(standardize, [x!], p);
    return [[y], [t instanceof Zero ? t : bind1(standardizeTangent, [x!, t!], p)]];
  },
});

/** The JVP of `standardize` at x along t; linear in t (input 1). */
export const standardizeTangent: OpDef<StandardizeParams> = defineOp<StandardizeParams>({
  name: "standardize_tangent",
  kind: "linear",
  abstractEval: (avals) => {
    if (avals.length !== 2) throw new Error(`standardize_tangent: takes x and a tangent, got ${avals.length} operands`);
    return [check("standardize_tangent", avals)];
  },
  lower: { kind: "routine", spec: ([x], _, p) => standardizeSpec("standardizeTangent", x!, p) },
  // With standardize on the same x: the row statistics once for [y; t_y].
  fusesWith: { primal: standardize, primals: 1, spec: ([x], p) => standardizeSpec("standardizeJvp", x!, p) },
  jvp: (primals, tangents, p) => {
    const out = bind1(standardizeTangent, primals, p);
    const [, [tout]] = jvpFlat((x, t) => [standardizeTangentComposed(x!, t!, p.eps)], primals, tangents);
    return [[out], [tout!]];
  },
  // The Jacobian is symmetric: the transpose applies the same map to the cotangent.
  transpose: ([ct], [x, t], p) => {
    if (!x || x instanceof UndefPrimal) throw new Error("standardize_tangent: is linear only in its tangent; x must be known when transposing");
    if (!(t instanceof UndefPrimal)) return [null, null];
    return [null, ct === undefined || ct instanceof Zero ? new Zero(t.aval) : bind1(standardizeTangent, [x, ct], p)];
  },
});
