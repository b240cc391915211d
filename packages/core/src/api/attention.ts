// Scaled dot-product attention of the public API: softmax(s·Q·Kᵀ)·V over the last two axes with
// numpy-broadcast batch axes, s = 1/√D unless given. It binds the `attention` primitive, whose
// backends run it (and its JVP) in one online-softmax pass without storing the N×M logits.
import { broadcastShapes, fmtAval } from "../shape.js";
import { attention as attentionOp } from "../ops/attention.js";
import type { Tensor } from "../tensor.js";
import { broadcastTo } from "./convert.js";
import { bind1 } from "../ops/rules.js";

/** Options of `attention`. */
export interface AttentionOptions {
  /** Logit scale s (default 1/√D). */
  readonly scale?: number;
}

/** softmax(s·Q·Kᵀ)·V: q [..., N, D], k [..., M, D], v [..., M, Dv] → [..., N, Dv]. */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  const bad = q.ndim < 2 || k.ndim < 2 || v.ndim < 2 || k.shape[k.ndim - 1] !== q.shape[q.ndim - 1] || v.shape[v.ndim - 2] !== k.shape[k.ndim - 2];
  if (bad) throw new Error(`attention: q ${fmtAval(q.aval)}, k ${fmtAval(k.aval)}, v ${fmtAval(v.aval)} must be [..., N, D], [..., M, D], [..., M, Dv]`);
  const batch = broadcastShapes("attention", broadcastShapes("attention", q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  const at = (x: Tensor): Tensor => broadcastTo(x, [...batch, ...x.shape.slice(-2)], "attention");
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  return bind1(attentionOp, [at(q), at(k), at(v)], { scale });
}
