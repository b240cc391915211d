// Which values of a flat jaxpr are materialised in memory. Elementwise and movement results stay
// lazy (inlined into their consumers; hash-consing makes a value used twice in one kernel cost
// once) unless their uses end up in different kernels, they are outputs, or a routine reads them.
// Decided backwards: the "roots" of a value are the kernels its lazy uses flow into.
import { Var, type Jaxpr } from "../jaxpr.js";

/** The map-lowered variables that must be written to memory. */
export function materializedVars(j: Jaxpr): Set<Var> {
  const users = new Map<Var, number[]>();
  j.eqns.forEach((e, k) => {
    for (const a of e.inputs) if (a instanceof Var) users.set(a, [...(users.get(a) ?? []), k]);
  });
  const outs = new Set(j.outvars.filter((a): a is Var => a instanceof Var));
  const mat = new Set<Var>();
  const roots = new Map<Var, Set<string>>();
  for (let k = j.eqns.length - 1; k >= 0; k--) {
    const e = j.eqns[k]!;
    if (e.op.lower.kind !== "map") continue;
    const v = e.outputs[0]!;
    const r = new Set<string>();
    let must = outs.has(v);
    for (const u of users.get(v) ?? []) {
      const ue = j.eqns[u]!;
      const kind = ue.op.lower.kind;
      if (kind === "map") {
        const w = ue.outputs[0]!;
        if (mat.has(w)) r.add(`v${w.id}`);
        else for (const x of roots.get(w) ?? []) r.add(x);
      } else if (kind === "reduce") r.add(`e${u}`);
      else must = true;
    }
    if (must || r.size > 1) {
      mat.add(v);
      roots.set(v, new Set([`v${v.id}`]));
    } else roots.set(v, r);
  }
  return mat;
}
