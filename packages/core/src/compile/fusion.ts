// Which values of a flat jaxpr are materialised in memory. Elementwise and movement results stay
// lazy (inlined into their consumers; hash-consing makes a value used twice in one kernel cost
// once) unless their uses end up in different kernels, they are outputs, or a routine reads them;
// broadcast constants are always recomputed.
// Decided backwards: the "roots" of a value are the kernels its lazy uses flow into.
import { Literal, Var, type Jaxpr } from "../jaxpr.js";

/** The map-lowered variables that must be written to memory. */
export function materializedVars(j: Jaxpr): Set<Var> {
  const users = new Map<Var, number[]>();
  j.eqns.forEach((e, k) => {
    for (const a of e.inputs) if (a instanceof Var) users.set(a, [...(users.get(a) ?? []), k]);
  });
  const outs = new Set(j.outvars.filter((a): a is Var => a instanceof Var));
  const mat = new Set<Var>();
  const roots = new Map<Var, Set<string>>();
  // Broadcasts and reshapes of literals cost nothing to recompute: never store them.
  const cheap = new Set<Var>();
  for (const e of j.eqns) {
    if ((e.op.name === "broadcast" || e.op.name === "reshape" || e.op.name === "convert") && e.inputs.every((a) => a instanceof Literal || cheap.has(a))) cheap.add(e.outputs[0]!);
  }
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
    if (cheap.has(v) && !outs.has(v) && !must) {
      roots.set(v, r);
      continue;
    }
    if (must || r.size > 1) {
      mat.add(v);
      roots.set(v, new Set([`v${v.id}`]));
    } else roots.set(v, r);
  }
  return mat;
}
