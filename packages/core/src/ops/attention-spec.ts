// What the attention primitives (attention.ts) and their backward routines (attention-bwd.ts)
// share: the params (the logit scale) and the routine spec of attention-shaped operands. Both
// modules import it, so neither has to import the other for it.
import type { AttentionSpec } from "../ir/kernel.js";
import { sizeOf, type ShapedArray } from "../shape.js";

/** The logit scale s (1/√D for standard attention). */
export interface AttentionParams {
  /** The factor s applied to the logits Q·Kᵀ. */
  readonly scale: number;
}

/** The routine spec of attention-shaped operands (q, k, v first). */
export function attentionSpec(name: AttentionSpec["name"], [q, k, v]: readonly ShapedArray[], p: AttentionParams): AttentionSpec {
  const r = q!.shape.length;
  return { name, dtype: q!.dtype, batch: sizeOf(q!.shape.slice(0, -2)), n: q!.shape[r - 2]!, m: k!.shape[r - 2]!, d: q!.shape[r - 1]!, dv: v!.shape[r - 1]!, scale: p.scale };
}
