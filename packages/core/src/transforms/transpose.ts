// Transposition of a linear jaxpr (autodidax §5, backward_pass): walk the equations in reverse,
// hand each linear equation its output cotangents and accumulate what its transpose rule returns
// into its linear inputs. Equations on known values only are evaluated forward first. Symbolic
// zero cotangents skip dead work.
import { ClosedJaxpr, Literal, Var, type Atom } from "../jaxpr.js";
import { UndefPrimal, Zero, type Tan } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { bind } from "../trace.js";
import { addTan } from "../ops/elementwise.js";
import { literalTensor } from "./jaxpr-trace.js";

/** Cotangents of the linear jaxpr's inputs, given cotangents of its outputs. */
export function backwardPass(closed: ClosedJaxpr, cts: readonly Tan[]): Tan[] {
  const { jaxpr } = closed;
  const known = new Map<Var, Tensor>();
  jaxpr.constvars.forEach((v, i) => known.set(v, closed.consts[i]!));
  const linear = new Set<Var>(jaxpr.invars);
  const read = (a: Atom): Tensor => (a instanceof Literal ? literalTensor(a) : known.get(a)!);
  // Forward: evaluate equations with no linear input; mark the rest's outputs linear.
  const linearEqns = [];
  for (const e of jaxpr.eqns) {
    if (e.inputs.some((a) => a instanceof Var && linear.has(a))) {
      e.outputs.forEach((o) => linear.add(o));
      linearEqns.push(e);
    } else {
      const outs = bind(e.op, e.inputs.map(read), e.params);
      e.outputs.forEach((o, i) => known.set(o, outs[i]!));
    }
  }
  const ctEnv = new Map<Var, Tan>();
  const accum = (v: Var, ct: Tan): void => {
    const prev = ctEnv.get(v);
    ctEnv.set(v, prev ? addTan(prev, ct) : ct);
  };
  jaxpr.outvars.forEach((o, i) => {
    if (o instanceof Var && linear.has(o)) accum(o, cts[i]!);
  });
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const e = linearEqns[k]!;
    const outCts = e.outputs.map((o) => ctEnv.get(o) ?? new Zero(o.aval));
    e.outputs.forEach((o) => ctEnv.delete(o));
    if (outCts.every((c) => c instanceof Zero)) continue;
    if (e.op.kind !== "linear") {
      throw new Error(`cannot transpose '${e.op.name}': it is not linear in its tangent input (is the function being transposed linear?)`);
    }
    const args = e.inputs.map((a) => (a instanceof Var && linear.has(a) ? new UndefPrimal(a.aval) : read(a)));
    const inCts = e.op.transpose(outCts, args, e.params);
    e.inputs.forEach((a, i) => {
      const c = inCts[i];
      if (a instanceof Var && linear.has(a) && c) accum(a, c);
    });
  }
  return jaxpr.invars.map((v) => ctEnv.get(v) ?? new Zero(v.aval));
}
