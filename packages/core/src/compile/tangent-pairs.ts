// Lowering-time fusion of attention with its tangent: when a flat jaxpr computes both
// y = attention(q, k, v) and t_y = attention_tangent(q, k, v, t_q, t_k, t_v) of the same operands and
// scale (what jvp of attention emits), one `attentionJvp` routine computes both in the single
// online-softmax pass of the FlashAttention JVP (scm-spec.md §3), writing [y; t_y]. The pair is fused
// at the attention equation, so the tangent operands must already be computed there.
import { Literal, type Atom, type Eqn, type Jaxpr } from "../jaxpr.js";
import type { AttentionParams } from "../ops/attention.js";

/** Each attention equation that can take its tangent equation along, mapped to that equation. */
export function attentionPairs(j: Jaxpr): Map<Eqn, Eqn> {
  const defined = new Set<Atom>([...j.invars, ...j.constvars]);
  const open: Eqn[] = [];
  const pairs = new Map<Eqn, Eqn>();
  const same = (a: Eqn, b: Eqn): boolean => a.inputs.slice(0, 3).every((x, i) => x === b.inputs[i]) && (a.params as AttentionParams).scale === (b.params as AttentionParams).scale;
  // Pass 1: which tangent equation (if any) pairs with each attention equation.
  for (const e of j.eqns) {
    if (e.op.name === "attention") open.push(e);
    if (e.op.name === "attention_tangent") {
      const partner = open.find((a) => !pairs.has(a) && same(a, e));
      if (partner) pairs.set(partner, e);
    }
  }
  // Pass 2: keep the pairs whose tangent operands exist by the attention equation.
  for (const e of j.eqns) {
    const t = pairs.get(e);
    if (t && !t.inputs.slice(3).every((a) => a instanceof Literal || defined.has(a))) pairs.delete(e);
    e.outputs.forEach((o) => defined.add(o));
  }
  return pairs;
}
