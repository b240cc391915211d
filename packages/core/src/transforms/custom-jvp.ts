// customJvp: a composite function with a hand-written JVP rule (JAX's custom_jvp), for ops whose
// automatic derivative is slow or unstable (fused attention, norms). Eagerly it runs the function;
// under jvp it runs the rule; under jit it stays one equation (so a later jvp still finds the rule)
// and is lowered by inlining the function's jaxpr.
import { ClosedJaxpr } from "../jaxpr.js";
import { defineOp, type OpDef } from "../primitive.js";
import { treeDefString, treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import { avalEqual, fmtAval } from "../shape.js";
import { keep, Tensor } from "../tensor.js";
import { bind, Tracer } from "../trace.js";
import { instantiate } from "../api/tangent.js";
import { flattenTensors, traceToJaxpr } from "./jaxpr-trace.js";

export interface CustomJvpParams {
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
  jvp: (primals, tangents, { rule, name, jaxpr }) => {
    const [outs, outTs] = rule([...primals], tangents.map(instantiate));
    const want = jaxpr.jaxpr.outvars.map((v) => v.aval);
    outTs.forEach((t, i) => {
      if (!avalEqual(t.aval, want[i]!) || !avalEqual(outs[i]!.aval, want[i]!)) {
        throw new Error(`customJvp(${name}): the rule returned ${fmtAval(outs[i]!.aval)} / tangent ${fmtAval(t.aval)} for output ${i}, expected ${fmtAval(want[i]!)}`);
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
  const cache = new Map<string, { jaxpr: ClosedJaxpr; outDef: TreeDef }>();
  return (...args: A): R => {
    const [leaves, def] = flattenTensors(`customJvp(${name})`, args);
    const key = `${treeDefString(def)}|${leaves.map((l) => fmtAval(l.aval)).join(",")}`;
    let outDef: TreeDef | undefined;
    const fn = (...xs: Tensor[]): Tensor[] => {
      const [outs, od] = treeFlatten<Tensor>(f(...treeUnflatten<A>(def, xs)));
      outDef = od;
      return outs;
    };
    let entry = cache.get(key);
    if (!entry) {
      const jaxpr = traceToJaxpr(fn, leaves.map((l) => l.aval));
      entry = { jaxpr, outDef: outDef! };
      if (!jaxpr.consts.some((c) => c instanceof Tracer)) {
        jaxpr.consts.forEach((c) => keep(c));
        cache.set(key, entry);
      }
    }
    const od = entry.outDef;
    const flatRule = (ps: Tensor[], ts: Tensor[]): [Tensor[], Tensor[]] => {
      const [out, outT] = rule(treeUnflatten<A>(def, ps), treeUnflatten<A>(def, ts));
      return [treeFlatten<Tensor>(out)[0], treeFlatten<Tensor>(outT)[0]];
    };
    const outs = bind(customJvpCall, leaves, { jaxpr: entry.jaxpr, fn, rule: flatRule, name });
    return treeUnflatten<R>(od, outs);
  };
}
