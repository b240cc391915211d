// Inlines call-like equations (custom JVP calls kept by jit tracing) into one flat jaxpr with fresh
// variables, so fusion decisions see every use of every value.
import { ClosedJaxpr, Literal, Var, type Atom, type Eqn, type Jaxpr } from "../jaxpr.js";
import type { Tensor } from "../tensor.js";

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
        const sub = (e.params as { jaxpr: ClosedJaxpr }).jaxpr;
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
  return new ClosedJaxpr({ constvars, invars: jaxpr.invars, eqns, outvars }, consts);
}
