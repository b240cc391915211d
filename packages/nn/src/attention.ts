// Scaled dot-product attention softmax(s·Q·Kᵀ)·V, s = 1/√D, over [..., N, D] queries and [..., M, D]
// keys and values, in two forms with one meaning: `dotProductAttention`, the composed reference that
// the engine differentiates op by op, and `fusedAttention`, the engine's `attention` primitive, whose
// backends run the forward and its JVP each in one online-softmax pass (sCM App. F, docs/guide/math.md, "Network changes"):
//   dS = s·(dQ·Kᵀ + Q·dKᵀ),  dO = P·dV + (P ⊙ (dS − rowsum(P ⊙ dS)))·V.
// The tangent is linear in (dQ, dK, dV), so reverse mode (linearize + transpose) goes through it too.
// With `blockSize` the JVP instead runs the one-pass online-softmax recursion of App. F written with
// engine ops over key blocks (a customJvp; the reference the fused kernels are checked against).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { onlineAttentionJvp } from "./online-attention.js";

/** Swaps the last two axes: core's `matrixTranspose`, under the name this package has exported. */
export const swapLast: (x: Tensor) => Tensor = c.matrixTranspose;

function checkShapes(where: string, q: Tensor, k: Tensor, v: Tensor): void {
  const d = q.shape[q.ndim - 1];
  const ok = q.ndim >= 2 && k.ndim === q.ndim && v.ndim === q.ndim && k.shape[k.ndim - 1] === d && k.shape[k.ndim - 2] === v.shape[v.ndim - 2];
  if (!ok) throw new Error(`${where}: q [${q.shape.join(",")}], k [${k.shape.join(",")}], v [${v.shape.join(",")}] must be [..., N, D], [..., M, D], [..., M, Dv]`);
}

// O = softmax(s·Q·Kᵀ)·V,  s = 1/√D   (Vaswani et al. 2017, Eq. 1)
/** Composed attention: q [..., N, D], k [..., M, D], v [..., M, Dv] → [..., N, Dv]. */
export function dotProductAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  checkShapes("dotProductAttention", q, k, v);
  const s = 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  const p = c.softmax(c.mul(c.matmul(q, swapLast(k)), s), -1); // [..., N, M]
  return c.matmul(p, v); // [..., N, Dv]
}

/** Options of `fusedAttention`. */
export interface FusedAttentionOptions {
  /** Key block size of the engine-op online-softmax rule; omit (or ≥ M) for the fused primitive. */
  readonly blockSize?: number;
}

const onlineCache = new Map<number, (q: Tensor, k: Tensor, v: Tensor) => Tensor>();

/**
 * Attention with the fused JVP (same values as `dotProductAttention`): q [..., N, D],
 * k [..., M, D], v [..., M, Dv] → [..., N, Dv].
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, options: FusedAttentionOptions = {}): Tensor {
  checkShapes("fusedAttention", q, k, v);
  const m = k.shape[k.ndim - 2]!;
  const block = options.blockSize !== undefined && options.blockSize < m ? options.blockSize : 0;
  if (block === 0) return c.attention(q, k, v);
  if (!(Number.isInteger(block) && block > 0)) throw new Error(`fusedAttention: blockSize must be a positive integer, got ${block}`);
  let fn = onlineCache.get(block);
  if (!fn) {
    fn = c.customJvp(dotProductAttention, ([pq, pk, pv], [tq, tk, tv]) => onlineAttentionJvp(pq, pk, pv, tq, tk, tv, block), { name: `fusedAttention(block=${block})` });
    onlineCache.set(block, fn);
  }
  return fn(q, k, v);
}
