// Reverse mode of attention as two optional routine primitives (FlashAttention-2's backward, with the
// row statistics recomputed rather than saved): the transpose of `attention_tangent` at output
// cotangent G is, with P = softmax(s·Q·Kᵀ), L = logsumexp rows, y = P·V and δ_i = g_i·y_i,
//   dS = P ⊙ (G·Vᵀ − δ),   dQ = s·dS·K,   dK = s·dSᵀ·Q,   dV = Pᵀ·G,
// and P_ij = exp(s·q_i·k_j − L_i) is recomputed from L wherever it is needed, so no N×M array is
// ever stored. `attention_bwd_q` makes one pass over the keys per query row for (L, δ) (an online
// softmax) and a second for dQ, writing rows [dq, L, δ]; `attention_bwd_kv` makes one pass over the
// queries per key row, writing rows [dk, dv]. Backends that list "attentionBwdQ" and
// "attentionBwdKV" in `optionalRoutines` (WebGPU) run them; elsewhere composed ops (below, also the
// reference and these primitives' JVP for higher orders) compute the same. The transpose of
// `attention_tangent` binds one call-like primitive, `attention_transpose`, whose form is chosen when
// it runs or is lowered, by the backend that runs it — not when a gradient is traced. The two routine
// primitives are not in the primitive registry: not every backend runs them.
import { backendRuns, backendTraceKey } from "../backend.js";
import type { ClosedJaxpr } from "../jaxpr.js";
import { defineOp, type OpDef } from "../primitive.js";
import { fmtAval, shapeEqual, type ShapedArray } from "../shape.js";
import { keep, type Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import { exp, mul, sub } from "../api/elementwise.js";
import { matmul } from "../api/linalg.js";
import { concat, matrixTranspose, slice, sum } from "../api/shape-ops.js";
import { logsumexp, softmax } from "../api/softmax.js";
import { bind1 } from "./rules.js";
import { jvpFlat } from "../transforms/jvp.js";
import { traceToJaxpr } from "../transforms/jaxpr-trace.js";
import { attentionSpec, type AttentionParams } from "./attention-spec.js";

/** Checks q [..., N, D], k [..., M, D], v [..., M, Dv], g [..., N, Dv] (and stats [..., N, 2]). */
function check(name: string, avals: readonly ShapedArray[], stats: boolean): [number, number, number, number, ShapedArray] {
  const [q, k, v, g, st] = avals as ShapedArray[];
  const r = q?.shape.length ?? 0;
  const dims = (a: ShapedArray | undefined, i: number): number => a!.shape[r + i]!;
  const batch = q?.shape.slice(0, -2) ?? [];
  const ok =
    avals.length === (stats ? 5 : 4) &&
    r >= 2 &&
    avals.every((a) => a.shape.length === r && a.dtype === q!.dtype && shapeEqual(a.shape.slice(0, -2), batch)) &&
    (q!.dtype === "float32" || q!.dtype === "float64") &&
    dims(k, -1) === dims(q, -1) &&
    dims(v, -2) === dims(k, -2) &&
    dims(k, -2) > 0 &&
    dims(g, -2) === dims(q, -2) &&
    dims(g, -1) === dims(v, -1) &&
    (!stats || (dims(st, -2) === dims(q, -2) && dims(st, -1) === 2));
  if (!ok) {
    const want = stats ? ", g [..., N, Dv], stats [..., N, 2]" : ", g [..., N, Dv]";
    throw new Error(`${name}: operands ${avals.map(fmtAval).join(", ")} must be float q [..., N, D], k [..., M, D], v [..., M, Dv]${want} with equal batch axes and dtypes, and at least one key`);
  }
  return [dims(q, -2), dims(k, -2), dims(q, -1), dims(v, -1), q!];
}

/** Rows [dq, L, δ] of the composed reverse pass ([..., N, D + 2]); the reference of `attention_bwd_q`. */
export function attentionBwdQComposed(q: Tensor, k: Tensor, v: Tensor, g: Tensor, scale: number): Tensor {
  const x = mul(matmul(q, matrixTranspose(k)), scale); // [..., N, M]
  const l = logsumexp(x, -1, true); // [..., N, 1]
  const p = exp(sub(x, l));
  const delta = sum(mul(g, matmul(p, v)), -1, true); // g·y
  const ds = mul(p, sub(matmul(g, matrixTranspose(v)), delta));
  return concat([mul(matmul(ds, k), scale), l, delta], -1);
}

/** Rows [dk, dv] of the composed reverse pass ([..., M, D + Dv]); the reference of `attention_bwd_kv`. */
export function attentionBwdKVComposed(q: Tensor, k: Tensor, v: Tensor, g: Tensor, stats: Tensor, scale: number): Tensor {
  const lo = stats.shape.map(() => 0);
  const at = (c: number): Tensor => slice(stats, [...lo.slice(0, -1), c], [...stats.shape.slice(0, -1), c + 1]);
  const p = exp(sub(mul(matmul(q, matrixTranspose(k)), scale), at(0))); // [..., N, M]
  const ds = mul(p, sub(matmul(g, matrixTranspose(v)), at(1)));
  return concat([mul(matmul(matrixTranspose(ds), q), scale), matmul(matrixTranspose(p), g)], -1);
}

/** Reverse pass over the keys for each query row: rows [dq, L, δ]. */
export const attentionBwdQ: OpDef<AttentionParams> = defineOp<AttentionParams>({
  name: "attention_bwd_q",
  kind: "nonlinear",
  abstractEval: (avals) => {
    const [n, , d, , q] = check("attention_bwd_q", avals, false);
    return [{ shape: [...q.shape.slice(0, -2), n, d + 2], dtype: q.dtype }];
  },
  lower: { kind: "routine", spec: (avals, _, p) => attentionSpec("attentionBwdQ", avals, p) },
  jvp: (primals, tangents, p) => {
    const out = bind1(attentionBwdQ, primals, p);
    const [, [t]] = jvpFlat((q, k, v, g) => [attentionBwdQComposed(q!, k!, v!, g!, p.scale)], primals, tangents);
    return [[out], [t!]];
  },
});

/** Reverse pass over the queries for each key row: rows [dk, dv]. */
export const attentionBwdKV: OpDef<AttentionParams> = defineOp<AttentionParams>({
  name: "attention_bwd_kv",
  kind: "nonlinear",
  abstractEval: (avals) => {
    const [, m, d, dv, q] = check("attention_bwd_kv", avals, true);
    return [{ shape: [...q.shape.slice(0, -2), m, d + dv], dtype: q.dtype }];
  },
  lower: { kind: "routine", spec: (avals, _, p) => attentionSpec("attentionBwdKV", avals, p) },
  jvp: (primals, tangents, p) => {
    const out = bind1(attentionBwdKV, primals, p);
    const [, [t]] = jvpFlat((q, k, v, g, st) => [attentionBwdKVComposed(q!, k!, v!, g!, st!, p.scale)], primals, tangents);
    return [[out], [t!]];
  },
});

/** (dQ, dK, dV) at output cotangent g through the two routine passes. */
export function attentionBwdRoutines(q: Tensor, k: Tensor, v: Tensor, g: Tensor, p: AttentionParams): [Tensor, Tensor, Tensor] {
  const r = q.ndim;
  const [n, d] = [q.shape[r - 2]!, q.shape[r - 1]!];
  const m = k.shape[r - 2]!;
  const batch = q.shape.slice(0, -2);
  const zeros = q.shape.map(() => 0);
  const rows = bind1(attentionBwdQ, [q, k, v, g], p); // [..., N, D + 2]
  const stats = slice(rows, [...zeros.slice(0, -1), d], [...batch, n, d + 2]);
  const kv = bind1(attentionBwdKV, [q, k, v, g, stats], p); // [..., M, D + Dv]
  return [slice(rows, zeros, [...batch, n, d]), slice(kv, zeros, [...batch, m, d]), slice(kv, [...zeros.slice(0, -1), d], kv.shape)];
}

/** P = softmax(s·Q·Kᵀ) by composed ops [..., N, M]. */
export function attentionProbs(q: Tensor, k: Tensor, scale: number): Tensor {
  return softmax(mul(matmul(q, matrixTranspose(k)), scale), -1);
}

/**
 * (dQ, dK, dV) at output cotangent g by composed ops, with P = softmax(s·Q·Kᵀ) and G = g:
 * dS = P ⊙ (G·Vᵀ − rowsum(P ⊙ G·Vᵀ)) (the softmax Jacobian is symmetric), dQ = s·dS·K,
 * dK = s·dSᵀ·Q, dV = Pᵀ·G. The reference of `attention_transpose` and its JVP.
 */
export function attentionTransposeComposed(q: Tensor, k: Tensor, v: Tensor, g: Tensor, scale: number): [Tensor, Tensor, Tensor] {
  const prob = attentionProbs(q, k, scale); // [..., N, M]
  const gv = matmul(g, matrixTranspose(v)); // [..., N, M]
  const ds = mul(prob, sub(gv, sum(mul(prob, gv), -1, true)));
  return [mul(matmul(ds, k), scale), mul(matmul(matrixTranspose(ds), q), scale), matmul(matrixTranspose(prob), g)];
}

const routinesNeeded = ["attentionBwdQ", "attentionBwdKV"];

// (dQ, dK, dV) on the active backend: its routine passes when it runs them, composed ops otherwise.
function attentionTransposeHere(q: Tensor, k: Tensor, v: Tensor, g: Tensor, p: AttentionParams): Tensor[] {
  return backendRuns(...routinesNeeded) ? attentionBwdRoutines(q, k, v, g, p) : attentionTransposeComposed(q, k, v, g, p.scale);
}

// The jaxpr of `attention_transpose` for the active backend, traced once per backend, scale and shapes
// (its constants live on that backend).
const lowered = new Map<string, ClosedJaxpr>();
function transposeJaxpr(p: AttentionParams, avals: readonly ShapedArray[]): ClosedJaxpr {
  const key = `${backendTraceKey()}|${p.scale}|${avals.map(fmtAval).join(",")}`;
  let jaxpr = lowered.get(key);
  if (!jaxpr) {
    jaxpr = traceToJaxpr((q, k, v, g) => attentionTransposeHere(q!, k!, v!, g!, p), avals);
    jaxpr.consts.forEach((c) => keep(c));
    lowered.set(key, jaxpr);
  }
  return jaxpr;
}

/**
 * The reverse pass of attention, (q, k, v, g) → (dQ, dK, dV): the transpose of `attention_tangent` at
 * output cotangent g. One equation when traced; when it runs or is lowered it becomes the two routine
 * passes on a backend that runs them and composed ops elsewhere, and cotangents nobody reads are
 * dropped after lowering inlines it.
 */
export const attentionTranspose: OpDef<AttentionParams> = defineOp<AttentionParams>({
  name: "attention_transpose",
  kind: "nonlinear",
  abstractEval: (avals) => {
    check("attention_transpose", avals, false);
    return avals.slice(0, 3).map((a) => ({ shape: [...a.shape], dtype: a.dtype }));
  },
  lower: { kind: "inline", jaxpr: (p, avals) => transposeJaxpr(p, avals) },
  keepWhenTraced: true,
  impl: ([q, k, v, g], p) => attentionTransposeHere(q!, k!, v!, g!, p),
  jvp: (primals, tangents, p) => {
    const outs = bind(attentionTranspose, primals, p);
    const [, ts] = jvpFlat((q, k, v, g) => attentionTransposeComposed(q!, k!, v!, g!, p.scale), primals, tangents);
    return [outs, ts];
  },
});
