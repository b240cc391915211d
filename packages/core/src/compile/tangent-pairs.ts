// Lowering-time fusion of a routine primitive with its tangent primitive: when a flat jaxpr computes
// both y = op(x…) and t_y = op_tangent(x…, t…) of the same operands and params (what jvp of the op
// emits), one routine computes both in a single pass and writes [y; t_y]:
//   attention + attention_tangent     → attentionJvp   (the sCM paper's FlashAttention JVP)
//   standardize + standardize_tangent → standardizeJvp (group norm: the row statistics once)
// The pair is fused at the primal equation, so the tangent operands must already be computed there.
import { Literal, type Atom, type Eqn, type Jaxpr } from "../jaxpr.js";
import type { RoutineSpec } from "../ir/kernel.js";
import { attentionSpec } from "../ops/attention-spec.js";
import { standardizeSpec } from "../ops/standardize.js";
import type { ShapedArray } from "../shape.js";

/** A fusable pair: the tangent primitive's name, how many leading inputs are the primal's, the fused spec. */
interface PairRule {
  readonly tangent: string;
  readonly primals: number;
  spec(tangentAvals: readonly ShapedArray[], params: never): RoutineSpec;
}

const rules: Record<string, PairRule> = {
  attention: { tangent: "attention_tangent", primals: 3, spec: (avals, p) => attentionSpec("attentionJvp", avals, p) },
  standardize: { tangent: "standardize_tangent", primals: 1, spec: ([x], p) => standardizeSpec("standardizeJvp", x!, p) },
};

/** A primal equation fused with its tangent equation into one routine. */
export interface TangentPair {
  readonly tangent: Eqn;
  /** The fused routine, reading the tangent equation's inputs and writing [y; t_y]. */
  readonly spec: RoutineSpec;
}

/** Each primal equation that can take its tangent equation along, with that equation and the fused spec. */
export function tangentPairs(j: Jaxpr): Map<Eqn, TangentPair> {
  const open: Eqn[] = [];
  const found = new Map<Eqn, Eqn>();
  const same = (a: Eqn, b: Eqn, n: number): boolean => a.inputs.slice(0, n).every((x, i) => x === b.inputs[i]) && JSON.stringify(a.params) === JSON.stringify(b.params);
  for (const e of j.eqns) {
    if (rules[e.op.name]) open.push(e);
    for (const [name, r] of Object.entries(rules)) {
      if (e.op.name !== r.tangent) continue;
      const partner = open.find((a) => a.op.name === name && !found.has(a) && same(a, e, r.primals));
      if (partner) found.set(partner, e);
    }
  }
  // Keep the pairs whose tangent operands exist by the primal equation.
  const defined = new Set<Atom>([...j.invars, ...j.constvars]);
  const pairs = new Map<Eqn, TangentPair>();
  for (const e of j.eqns) {
    const t = found.get(e);
    if (t && t.inputs.every((a) => a instanceof Literal || defined.has(a))) {
      pairs.set(e, { tangent: t, spec: rules[e.op.name]!.spec(t.inputs.map((a) => a.aval), t.params as never) });
    }
    e.outputs.forEach((o) => defined.add(o));
  }
  return pairs;
}
