// Lowering-time fusion of a routine primitive with its tangent primitive: when a flat jaxpr computes
// both y = op(x…) and t_y = op_tangent(x…, t…) of the same operands and params (what jvp of the op
// emits), one routine computes both in a single pass and writes [y; t_y]. Which primitives pair, and
// the fused routine, are read from the tangent primitive's definition (`OpDef.fusesWith`), so this
// file names no primitive. The pair is fused at the primal equation, so the tangent operands must
// already be computed there.
import { Literal, type Atom, type Eqn, type Jaxpr } from "../jaxpr.js";
import type { RoutineSpec } from "../ir/kernel.js";
import type { OpDef } from "../primitive.js";

/** A primal equation fused with its tangent equation into one routine. */
export interface TangentPair {
  readonly tangent: Eqn;
  /** The fused routine, reading the tangent equation's inputs and writing [y; t_y]. */
  readonly spec: RoutineSpec;
}

/** Each primal equation that can take its tangent equation along, with that equation and the fused spec. */
export function tangentPairs(j: Jaxpr): Map<Eqn, TangentPair> {
  const earlier = new Map<OpDef, Eqn[]>();
  const found = new Map<Eqn, Eqn>();
  const same = (a: Eqn, b: Eqn, n: number): boolean => a.inputs.slice(0, n).every((x, i) => x === b.inputs[i]) && JSON.stringify(a.params) === JSON.stringify(b.params);
  for (const e of j.eqns) {
    const rule = e.op.fusesWith;
    if (rule) {
      const partner = earlier.get(rule.primal)?.find((a) => !found.has(a) && same(a, e, rule.primals));
      if (partner) found.set(partner, e);
    }
    const seen = earlier.get(e.op);
    if (seen) seen.push(e);
    else earlier.set(e.op, [e]);
  }
  // Keep the pairs whose tangent operands exist by the primal equation.
  const defined = new Set<Atom>([...j.invars, ...j.constvars]);
  const pairs = new Map<Eqn, TangentPair>();
  for (const e of j.eqns) {
    const t = found.get(e);
    if (t && t.inputs.every((a) => a instanceof Literal || defined.has(a))) {
      pairs.set(e, { tangent: t, spec: t.op.fusesWith!.spec(t.inputs.map((a) => a.aval), t.params) });
    }
    e.outputs.forEach((o) => defined.add(o));
  }
  return pairs;
}
