// customJvp: a composite function with a hand-written JVP rule (JAX's custom_jvp), for ops whose
// automatic derivative is slow or unstable (fused attention, norms). Eagerly it runs the function;
// under jvp it runs the rule; under jit it stays one equation (so a later jvp still finds the rule)
// and is lowered by inlining the function's jaxpr. Reverse mode transposes the rule's linear part.
import { backendTraceKey } from "../backend.js";
import { ClosedJaxpr } from "../jaxpr.js";
import { defineOp, type OpDef } from "../primitive.js";
import { treeDefString, treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import { avalEqual, fmtAval } from "../shape.js";
import { keep, Tensor } from "../tensor.js";
import { bind, Tracer } from "../trace.js";
import { instantiate } from "../ops/broadcast.js";
import { flattenTensors, traceToJaxpr } from "./jaxpr-trace.js";

export interface CustomJvpParams {
  /** f's jaxpr, traced on first access. */
  readonly jaxpr: ClosedJaxpr;
  readonly fn: (...xs: Tensor[]) => Tensor[];
  readonly rule: (primals: Tensor[], tangents: Tensor[]) => [Tensor[], Tensor[]];
  readonly name: string;
}

/** The primitive carrying a function and its custom JVP rule. */
export const customJvpCall: OpDef<CustomJvpParams> = defineOp<CustomJvpParams>({
  name: "custom_jvp_call",
  kind: "nonlinear",
  abstractEval: (_, { jaxpr }) => jaxpr.jaxpr.outvars.map((v) => v.aval),
  lower: { kind: "inline" },
  keepWhenTraced: true,
  impl: (args, { fn }) => fn(...args),
  jvp: (primals, tangents, { rule, name }) => {
    const [outs, outTs] = rule([...primals], tangents.map(instantiate));
    if (outs.length !== outTs.length) throw new Error(`customJvp(${name}): the rule returned ${outs.length} output(s) but ${outTs.length} tangent(s)`);
    outTs.forEach((t, i) => {
      if (!avalEqual(t.aval, outs[i]!.aval)) {
        throw new Error(`customJvp(${name}): the rule returned output ${i} ${fmtAval(outs[i]!.aval)} with a tangent ${fmtAval(t.aval)}; they must match`);
      }
    });
    return [outs, outTs];
  },
});

/**
 * Gives `f` a hand-written JVP. `rule(primals, tangents)` receives the arguments and their tangents
 * (pytrees like f's arguments, zeros instantiated) and returns `[out, outTangent]`.
 */
export function customJvp<A extends unknown[], R>(f: (...args: A) => R, rule: (primals: A, tangents: A) => [R, R], options: { name?: string } = {}): (...args: A) => R {
  const name = options.name ?? (f.name || "custom");
  // f's jaxpr is traced only when a transform needs it (jit tracing, or linearize with unknown
  // inputs), so eager use and jvp also work for functions that cannot be traced (e.g. numeric oracles).
  const cache = new Map<string, { jaxpr: ClosedJaxpr; outDef: TreeDef }>();
  return (...args: A): R => {
    const [leaves, def] = flattenTensors(`customJvp(${name})`, args);
    // The jaxpr's constants live on the backend active when it was traced, and its lowering may use that
    // backend's optional routines: the backend and those routines are part of the key.
    const key = `${backendTraceKey()}|${treeDefString(def)}|${leaves.map((l) => fmtAval(l.aval)).join(",")}`;
    let outDef: TreeDef | undefined = cache.get(key)?.outDef;
    const fn = (...xs: Tensor[]): Tensor[] => {
      const [outs, od] = treeFlatten<Tensor>(f(...treeUnflatten<A>(def, xs)));
      outDef = od;
      return outs;
    };
    const getJaxpr = (): ClosedJaxpr => {
      const hit = cache.get(key);
      if (hit) return hit.jaxpr;
      const jaxpr = traceToJaxpr(fn, leaves.map((l) => l.aval));
      if (!jaxpr.consts.some((c) => c instanceof Tracer)) {
        jaxpr.consts.forEach((c) => keep(c));
        cache.set(key, { jaxpr, outDef: outDef! });
      }
      return jaxpr;
    };
    const flatRule = (ps: Tensor[], ts: Tensor[]): [Tensor[], Tensor[]] => {
      const [out, outT] = rule(treeUnflatten<A>(def, ps), treeUnflatten<A>(def, ts));
      const [outs, od] = treeFlatten<Tensor>(out);
      outDef = od;
      return [outs, treeFlatten<Tensor>(outT)[0]];
    };
    const params: CustomJvpParams = { fn, rule: flatRule, name, get jaxpr() { return getJaxpr(); } };
    const outs = bind(customJvpCall, leaves, params);
    return treeUnflatten<R>(outDef!, outs);
  };
}
