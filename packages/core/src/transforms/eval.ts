// Level 0 of the trace stack: eager evaluation. A primitive applied to concrete tensors is lowered
// as a one-equation jaxpr (cached by op, params and input avals) and run on the active backend, so
// eager mode and jit share one lowering and one set of kernels.
import { getBackend } from "../backend.js";
import { lowerJaxpr, type Plan } from "../compile/lower.js";
import { runPlan } from "../compile/execute.js";
import { ClosedJaxpr, Var } from "../jaxpr.js";
import type { OpDef } from "../primitive.js";
import { fmtAval } from "../shape.js";
import { ConcreteArray, type Tensor } from "../tensor.js";
import { installEvalTrace, Trace, type MainTrace } from "../trace.js";

const plans = new Map<string, Plan>();

/** Runs one primitive on concrete tensors. */
export function evalPrimitive(op: OpDef, args: readonly ConcreteArray[], params: unknown): ConcreteArray[] {
  const avals = args.map((a) => a.aval);
  const key = `${op.name}|${JSON.stringify(params)}|${avals.map(fmtAval).join(",")}`;
  let plan = plans.get(key);
  if (!plan) {
    const outAvals = op.abstractEval(avals, params);
    const invars = avals.map((a) => new Var(a));
    const outvars = outAvals.map((a) => new Var(a));
    plan = lowerJaxpr(new ClosedJaxpr({ constvars: [], invars, eqns: [{ op, inputs: invars, params, outputs: outvars }], outvars }, []));
    if (plans.size > 5000) plans.clear();
    plans.set(key, plan);
  }
  return runPlan(plan, getBackend(), args);
}

class EvalTrace extends Trace {
  pure(value: Tensor): Tensor {
    return value;
  }
  processPrimitive(op: OpDef, tracers: readonly Tensor[], params: unknown): Tensor[] {
    if (op.impl) return op.impl(tracers, params);
    return evalPrimitive(op, tracers as ConcreteArray[], params);
  }
}

installEvalTrace((main: MainTrace) => new EvalTrace(main));
