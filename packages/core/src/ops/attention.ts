// Scaled dot-product attention as two routine primitives, so backends run it in one online-softmax
// pass (the sCM paper's "FlashAttention JVP", Lu & Song) instead of forming the N×M logits in memory:
//   attention(q, k, v)                 y = softmax(s·Q·Kᵀ)·V                  [..., N, Dv]
//   attention_tangent(q, k, v, tq, tk, tv)
//                                      t_y = P·t_V + (P ⊙ (t_X − rowsum(P ⊙ t_X)))·V,
//                                      t_X = s·(t_Q·Kᵀ + Q·t_Kᵀ),  P = softmax(s·Q·Kᵀ)
// with q [..., N, D], k [..., M, D], v [..., M, Dv] and equal batch axes. The JVP of `attention` is
// `attention_tangent`, which is linear in its tangent inputs. Its transpose (reverse mode) is the
// `attention_transpose` call of attention-bwd.ts: the FlashAttention-style routines on backends that
// have them (WebGPU) and composed engine ops elsewhere, chosen when it runs or is lowered; its own
// JVP (second order) is written with composed ops, which the engine differentiates.
import { defineOp, UndefPrimal, Zero, type OpDef } from "../primitive.js";
import { fmtAval, shapeEqual, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { add, mul, sub } from "../api/elementwise.js";
import { matmul } from "../api/linalg.js";
import { matrixTranspose, sum } from "../api/shape-ops.js";
import { instantiate } from "./broadcast.js";
import { bind1 } from "./rules.js";
import { jvpFlat } from "../transforms/jvp.js";
import { bind } from "../trace.js";
import { attentionProbs, attentionTranspose } from "./attention-bwd.js";
import { attentionSpec, type AttentionParams } from "./attention-spec.js";

function check(name: string, avals: readonly ShapedArray[]): ShapedArray {
  const [q, k, v] = avals as [ShapedArray, ShapedArray, ShapedArray];
  const r = q.shape.length;
  const batch = q.shape.slice(0, -2);
  const ok =
    r >= 2 &&
    avals.every((a, i) => a.shape.length === r && a.dtype === q.dtype && shapeEqual(a.shape.slice(0, -2), batch) && (i < 3 || shapeEqual(a.shape, avals[i - 3]!.shape))) &&
    k.shape[r - 1] === q.shape[r - 1] &&
    v.shape[r - 2] === k.shape[r - 2] &&
    k.shape[r - 2]! > 0 &&
    (q.dtype === "float32" || q.dtype === "float64");
  if (!ok) {
    throw new Error(`${name}: operands ${avals.map(fmtAval).join(", ")} must be float q [..., N, D], k [..., M, D], v [..., M, Dv] (tangents shaped like them) with equal batch axes and dtypes, and at least one key`);
  }
  return { shape: [...batch, q.shape[r - 2]!, v.shape[r - 1]!], dtype: q.dtype };
}

/** The composed tangent map t_y (the reference of `attention_tangent`). */
export function attentionTangentComposed(q: Tensor, k: Tensor, v: Tensor, tq: Tensor, tk: Tensor, tv: Tensor, scale: number): Tensor {
  const p = attentionProbs(q, k, scale); // [..., N, M]
  const tx = mul(add(matmul(tq, matrixTranspose(k)), matmul(q, matrixTranspose(tk))), scale); // [..., N, M]
  const tp = mul(p, sub(tx, sum(mul(p, tx), -1, true))); // P ⊙ (t_X − rowsum(P ⊙ t_X))
  return add(matmul(tp, v), matmul(p, tv)); // [..., N, Dv]
}

/** y = softmax(s·Q·Kᵀ)·V in one online-softmax pass. */
export const attention: OpDef<AttentionParams> = defineOp<AttentionParams>({
  name: "attention",
  kind: "nonlinear",
  abstractEval: (avals, p) => [check("attention", avals)],
  lower: { kind: "routine", spec: (avals, _, p) => attentionSpec("attention", avals, p) },
  jvp: (primals, tangents, p) => {
    const y = bind1(attention, primals, p);
    if (tangents.every((t): boolean => t instanceof Zero)) return [[y], [new Zero(y.aval)]];
    return [[y], [bind1(attentionTangent, [...primals, ...tangents.map(instantiate)], p)]];
  },
});

/** t_y of attention along (t_Q, t_K, t_V), in one online-softmax pass; linear in the last three inputs. */
export const attentionTangent: OpDef<AttentionParams> = defineOp<AttentionParams>({
  name: "attention_tangent",
  kind: "linear",
  abstractEval: (avals, p) => {
    if (avals.length !== 6) throw new Error(`attention_tangent: takes q, k, v and their three tangents, got ${avals.length} operands`);
    return [check("attention_tangent", avals)];
  },
  lower: { kind: "routine", spec: (avals, _, p) => attentionSpec("attentionTangent", avals, p) },
  // With attention on the same (q, k, v): one pass writes [y; t_y] (the sCM paper's FlashAttention JVP).
  fusesWith: { primal: attention, primals: 3, spec: (avals, p) => attentionSpec("attentionJvp", avals, p) },
  // Second order: the JVP of the composed tangent map in all six inputs.
  jvp: (primals, tangents, p) => {
    const out = bind1(attentionTangent, primals, p);
    const [, [tout]] = jvpFlat((q, k, v, tq, tk, tv) => [attentionTangentComposed(q!, k!, v!, tq!, tk!, tv!, p.scale)], primals, tangents);
    return [[out], [tout!]];
  },
  // With G the output cotangent, (ct_tQ, ct_tK, ct_tV) is attention's reverse pass at G
  // (attention-bwd.ts), one equation whose routines or composed ops the backend that runs it decides.
  transpose: ([ct], args, p) => {
    const [q, k, v] = args;
    if (!q || !k || !v || q instanceof UndefPrimal || k instanceof UndefPrimal || v instanceof UndefPrimal) {
      throw new Error("attention_tangent: is linear only in its tangent inputs; q, k and v must be known when transposing");
    }
    const undef = args.slice(3).map((a) => (a instanceof UndefPrimal ? a : null));
    if (ct === undefined || ct instanceof Zero) return [null, null, null, ...undef.map((a) => (a ? new Zero(a.aval) : null))];
    const cts = bind(attentionTranspose, [q, k, v, ct], p);
    return [null, null, null, ...undef.map((a, i) => (a ? cts[i]! : null))];
  },
});
