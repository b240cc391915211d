// Staging to a jaxpr (autodidax §3): the jit trace is dynamic, so every operation inside the traced
// function is recorded, including ones on closed-over constants. `makeJaxpr` exposes the result for
// debugging and the docs, printed in make_jaxpr's style.
import { callJaxpr, ClosedJaxpr, evalJaxpr, JaxprBuilder, Literal, type Atom } from "../jaxpr.js";
import type { OpDef } from "../primitive.js";
import { treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import type { ShapedArray } from "../shape.js";
import { Tensor, type ConcreteArray } from "../tensor.js";
import { bind, fullRaise, Trace, Tracer, traceOf, withMain, type MainTrace } from "../trace.js";
import { scalar } from "../ops/rules.js";

/** A value inside jit tracing: only its shape and dtype are known. */
export class JaxprTracer extends Tracer {
  constructor(
    readonly trace: JaxprTrace,
    readonly atom: Atom,
  ) {
    super();
  }
  get aval(): ShapedArray {
    return this.atom.aval;
  }
  retained(): ConcreteArray[] {
    return [];
  }
  data(): never {
    throw new Error(`cannot read the values of a traced tensor ${this.toString()} inside jit; return it from the jitted function instead`);
  }
  dataSync(): never {
    return this.data();
  }
}

/** Re-binds the equations of a call-like primitive's jaxpr under the current traces. */
export function inlineCall(op: OpDef, params: unknown, args: readonly Tensor[]): Tensor[] {
  const jaxpr = callJaxpr(op, params, args.map((a) => a.aval));
  return evalJaxpr(jaxpr.jaxpr, jaxpr.consts, args, literalTensor, bind);
}

/** A literal as a scalar tensor. */
export function literalTensor(l: Literal): Tensor {
  return scalar(l.value, l.aval.dtype);
}

class JaxprTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.global as JaxprBuilder;
  }
  pure(value: Tensor): Tensor {
    return new JaxprTracer(this, this.builder.addConst(value));
  }
  processPrimitive(op: OpDef, tracers: readonly Tensor[], params: unknown): Tensor[] {
    if (op.lower.kind === "inline" && !op.keepWhenTraced) return inlineCall(op, params, tracers);
    const atoms = (tracers as JaxprTracer[]).map((t) => t.atom);
    const outAvals = op.abstractEval(atoms.map((a) => a.aval), params);
    return this.builder.addEqn(op, atoms, params, outAvals).map((v) => new JaxprTracer(this, v));
  }
}

const makeJaxprTrace = (main: MainTrace): Trace => new JaxprTrace(main);

/** Traces `f` on abstract inputs into a closed jaxpr. */
export function traceToJaxpr(f: (...xs: Tensor[]) => Tensor[], avals: readonly ShapedArray[]): ClosedJaxpr {
  const builder = new JaxprBuilder();
  return withMain(
    makeJaxprTrace,
    builder,
    (main) => {
      const trace = traceOf(main) as JaxprTrace;
      const ins = avals.map((a) => new JaxprTracer(trace, builder.addInvar(a)));
      const outs = f(...ins).map((o) => (fullRaise(trace, o) as JaxprTracer).atom);
      return builder.build(outs);
    },
    true,
  );
}

/** Flattens a pytree whose leaves must all be tensors; throws naming `where` and the bad leaf. */
export function flattenTensors(where: string, tree: unknown): [Tensor[], TreeDef] {
  const [leaves, def] = treeFlatten<unknown>(tree);
  leaves.forEach((l, i) => {
    if (!(l instanceof Tensor)) throw new TypeError(`${where}: input leaf ${i} is ${String(l)}, not a tensor`);
  });
  return [leaves as Tensor[], def];
}

/** Flattens a function of pytrees of tensors into a function of a flat list, recording the output tree. */
export function flattenFun(where: string, f: (...args: any[]) => unknown, inDef: TreeDef): { flat: (...xs: Tensor[]) => Tensor[]; outDef: () => TreeDef } {
  let outDef: TreeDef | undefined;
  return {
    flat: (...xs) => {
      const out = f(...treeUnflatten<unknown[]>(inDef, xs));
      const [leaves, d] = treeFlatten<unknown>(out);
      outDef = d;
      leaves.forEach((l, i) => {
        if (!(l instanceof Tensor)) throw new TypeError(`${where}: output leaf ${i} is ${String(l)}, not a tensor`);
      });
      return leaves as Tensor[];
    },
    outDef: () => outDef!,
  };
}

/** The jaxpr of `f` at these example arguments (tensors; only their shapes and dtypes matter), printable like jax.make_jaxpr. */
export function makeJaxpr(f: (...args: any[]) => unknown): (...args: unknown[]) => ClosedJaxpr {
  return (...args) => {
    const [leaves, def] = flattenTensors("makeJaxpr", args);
    const { flat } = flattenFun("makeJaxpr", f, def);
    return traceToJaxpr(flat, leaves.map((l) => l.aval));
  };
}
