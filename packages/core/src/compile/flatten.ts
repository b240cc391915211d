// Inlines call-like equations (jit calls, custom JVP calls, and primitives whose form is chosen at
// lowering, such as attention's reverse pass) into one flat jaxpr with fresh variables, so fusion
// decisions see every use of every value. An inlined call may compute outputs nobody reads (a
// cotangent that is not asked for): equations whose outputs are unused are dropped afterwards.
import { callJaxpr, ClosedJaxpr, Literal, Var, type Atom, type Eqn, type Jaxpr } from "../jaxpr.js";
import type { Tensor } from "../tensor.js";

/** The equations that an output (or a kept equation) reads, in their order. */
function liveEqns(eqns: readonly Eqn[], outvars: readonly Atom[]): Eqn[] {
  const live = new Set<Atom>(outvars);
  const kept: Eqn[] = [];
  for (let i = eqns.length - 1; i >= 0; i--) {
    const e = eqns[i]!;
    if (!e.outputs.some((o) => live.has(o))) continue;
    kept.push(e);
    e.inputs.forEach((a) => live.add(a));
  }
  return kept.reverse();
}

/** Returns an equivalent closed jaxpr without inline (call) equations. */
export function flattenCalls(closed: ClosedJaxpr): ClosedJaxpr {
  const { jaxpr } = closed;
  if (!jaxpr.eqns.some((e) => e.op.lower.kind === "inline")) return closed;
  const eqns: Eqn[] = [];
  const constvars: Var[] = [...jaxpr.constvars];
  const consts: Tensor[] = [...closed.consts];
  const walk = (j: Jaxpr, env: Map<Var, Atom>): void => {
    const read = (a: Atom): Atom => (a instanceof Literal ? a : env.get(a) ?? a);
    for (const e of j.eqns) {
      const inputs = e.inputs.map(read);
      if (e.op.lower.kind === "inline") {
        const sub = callJaxpr(e.op, e.params, inputs.map((a) => a.aval));
        const subEnv = new Map<Var, Atom>();
        sub.jaxpr.constvars.forEach((v, i) => {
          const nv = new Var(v.aval);
          constvars.push(nv);
          consts.push(sub.consts[i]!);
          subEnv.set(v, nv);
        });
        sub.jaxpr.invars.forEach((v, i) => subEnv.set(v, inputs[i]!));
        walk(sub.jaxpr, subEnv);
        e.outputs.forEach((o, i) => {
          const a = sub.jaxpr.outvars[i]!;
          env.set(o, a instanceof Literal ? a : subEnv.get(a) ?? a);
        });
      } else {
        const outputs = e.outputs.map((o) => {
          const nv = new Var(o.aval);
          env.set(o, nv);
          return nv;
        });
        eqns.push({ op: e.op, inputs, params: e.params, outputs });
      }
    }
  };
  const env = new Map<Var, Atom>();
  walk(jaxpr, env);
  const outvars = jaxpr.outvars.map((a) => (a instanceof Literal ? a : env.get(a) ?? a));
  return new ClosedJaxpr({ constvars, invars: jaxpr.invars, eqns: liveEqns(eqns, outvars), outvars }, consts);
}
