// jit: trace a function once per input signature (tree structure, shapes, dtypes and any non-tensor
// leaves, which are static), lower the jaxpr to a fused plan once, and replay it. The traced call is
// the primitive `jit_call`, so jit composes: jvp of jit differentiates the jaxpr and jits the result;
// jit inside jit and linearize of jit inline it. Closed-over values become leading arguments.
import { backendTraceKey, getBackend } from "../backend.js";
import { runPlan, printPlan } from "../compile/execute.js";
import { lowerJaxpr, type Plan } from "../compile/lower.js";
import { ClosedJaxpr, evalJaxpr } from "../jaxpr.js";
import { defineOp, Zero, type OpDef, type Tan } from "../primitive.js";
import { treeDefString, treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import { fmtAval } from "../shape.js";
import { keep, Tensor, type ConcreteArray } from "../tensor.js";
import { bind, Tracer } from "../trace.js";
import { instantiate } from "../ops/broadcast.js";
import { literalTensor, traceToJaxpr } from "./jaxpr-trace.js";
import { jvpFlat } from "./jvp.js";

/** Params of jit_call: a jaxpr without constants (they were turned into leading arguments). */
export interface JitParams {
  readonly jaxpr: ClosedJaxpr;
  readonly name: string;
}

const plans = new WeakMap<ClosedJaxpr, Plan>();
const jvpCache = new WeakMap<ClosedJaxpr, Map<string, ClosedJaxpr>>();

/** The plan of a jaxpr, lowered once. */
export function planOf(jaxpr: ClosedJaxpr): Plan {
  let p = plans.get(jaxpr);
  if (!p) {
    p = lowerJaxpr(jaxpr);
    plans.set(jaxpr, p);
  }
  return p;
}

/** Moves a closed jaxpr's constants into leading input variables. */
export function constsToArgs(closed: ClosedJaxpr): [ClosedJaxpr, Tensor[]] {
  const j = closed.jaxpr;
  return [new ClosedJaxpr({ constvars: [], invars: [...j.constvars, ...j.invars], eqns: j.eqns, outvars: j.outvars }, []), [...closed.consts]];
}

// jvp(jaxpr) as a new jaxpr taking primals and the non-zero tangents, returning outputs and tangents.
function jvpJaxpr(closed: ClosedJaxpr, nonzero: readonly boolean[]): ClosedJaxpr {
  const key = nonzero.map((b) => (b ? 1 : 0)).join("");
  let m = jvpCache.get(closed);
  if (!m) jvpCache.set(closed, (m = new Map()));
  let out = m.get(key);
  if (!out) {
    const invars = closed.jaxpr.invars;
    const avals = [...invars.map((v) => v.aval), ...invars.filter((_, i) => nonzero[i]).map((v) => v.aval)];
    const traced = traceToJaxpr((...xs) => {
      const ps = xs.slice(0, invars.length);
      let k = invars.length;
      const ts: Tan[] = invars.map((v, i) => (nonzero[i] ? xs[k++]! : new Zero(v.aval)));
      const [outs, outTs] = jvpFlat((...a) => evalJaxpr(closed.jaxpr, closed.consts, a, literalTensor, bind), ps, ts);
      return [...outs, ...outTs.map(instantiate)];
    }, avals);
    for (const c of traced.consts) keep(c);
    out = traced;
    m.set(key, out);
  }
  return out;
}

/** The primitive of a jitted call. */
export const jitCall: OpDef<JitParams> = defineOp<JitParams>({
  name: "jit_call",
  kind: "nonlinear",
  abstractEval: (avals, { jaxpr, name }) => {
    const inv = jaxpr.jaxpr.invars;
    if (avals.length !== inv.length || avals.some((a, i) => fmtAval(a) !== fmtAval(inv[i]!.aval))) {
      throw new Error(`jit(${name}): called with ${avals.map(fmtAval).join(", ")} but traced for ${inv.map((v) => fmtAval(v.aval)).join(", ")}`);
    }
    return jaxpr.jaxpr.outvars.map((v) => v.aval);
  },
  lower: { kind: "inline" },
  impl: (args, { jaxpr }) => runPlan(planOf(jaxpr), getBackend(), args as ConcreteArray[]),
  jvp: (primals, tangents, { jaxpr, name }) => {
    const nonzero = tangents.map((t) => !(t instanceof Zero));
    const jj = jvpJaxpr(jaxpr, nonzero);
    const outs = bind(jitCall, [...primals, ...(tangents.filter((t) => !(t instanceof Zero)) as Tensor[])], { jaxpr: jj, name: `jvp(${name})` });
    const n = jaxpr.jaxpr.outvars.length;
    return [outs.slice(0, n), outs.slice(n)];
  },
});

/** A jitted function; `lower(...args)` shows its jaxpr and fused kernel plan. */
export interface JittedFunction<A extends unknown[], R> {
  (...args: A): R;
  /** Traces and lowers for these arguments without running: the jaxpr and the fused plan; `toString` prints both. */
  lower(...args: A): {
    /** The traced program, with its constants. */
    jaxpr: ClosedJaxpr;
    /** The lowered plan: fused kernels and routines with their buffer assignment, as it is replayed. */
    plan: Plan;
    /** The jaxpr and the plan as text. */
    toString(): string;
  };
}

/**
 * Compiles `f` for each distinct input signature: traced once, elementwise chains fused, buffers
 * planned; later calls replay the plan. Non-tensor leaves of the arguments are static.
 */
export function jit<A extends unknown[], R>(f: (...args: A) => R, options: { name?: string } = {}): JittedFunction<A, R> {
  const name = options.name ?? (f.name || "fn");
  const cache = new Map<string, { jaxpr: ClosedJaxpr; consts: Tensor[]; outDef: TreeDef }>();
  const prepare = (args: A) => {
    const [leaves, def] = treeFlatten<unknown>(args);
    const dyn: Tensor[] = [];
    const statics: unknown[] = [];
    for (const l of leaves) (l instanceof Tensor ? dyn : statics).push(l);
    // Traced constants live on the backend that was active when tracing, and the plan lowered from the
    // trace may use its optional routines: the backend and those routines are part of the key.
    const key = `${backendTraceKey()}|${treeDefString(def)}|${leaves.map((l) => (l instanceof Tensor ? fmtAval(l.aval) : `=${JSON.stringify(l)}`)).join(",")}`;
    let entry = cache.get(key);
    if (!entry) {
      let outDef: TreeDef | undefined;
      const traced = traceToJaxpr((...xs) => {
        let k = 0;
        const full = leaves.map((l) => (l instanceof Tensor ? xs[k++]! : l));
        const [outs, od] = treeFlatten<unknown>(f(...treeUnflatten<A>(def, full)));
        outDef = od;
        outs.forEach((o, i) => {
          if (!(o instanceof Tensor)) throw new TypeError(`jit(${name}): output leaf ${i} is ${String(o)}, not a tensor`);
        });
        return outs as Tensor[];
      }, dyn.map((t) => t.aval));
      const [jaxpr, consts] = constsToArgs(traced);
      entry = { jaxpr, consts, outDef: outDef! };
      if (!consts.some((c) => c instanceof Tracer)) {
        for (const c of consts) keep(c);
        cache.set(key, entry);
      }
    }
    return { entry, dyn };
  };
  const jitted = ((...args: A): R => {
    const { entry, dyn } = prepare(args);
    const outs = bind(jitCall, [...entry.consts, ...dyn], { jaxpr: entry.jaxpr, name });
    return treeUnflatten<R>(entry.outDef, outs);
  }) as JittedFunction<A, R>;
  jitted.lower = (...args: A) => {
    const { entry } = prepare(args);
    const plan = planOf(entry.jaxpr);
    return { jaxpr: entry.jaxpr, plan, toString: () => `${entry.jaxpr.toString()}\n${printPlan(plan)}` };
  };
  return jitted;
}
