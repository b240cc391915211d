// Forward mode (autodidax §2): a JVP tracer carries a primal and a tangent (or a symbolic zero);
// each primitive applies its JVP rule. `jvp(f, primals, tangents)` works over pytrees and nests
// with every other transform. Non-float values always have zero tangents.
import { isFloat } from "../dtype.js";
import { Zero, type OpDef, type Tan } from "../primitive.js";
import { treeDefString, treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import { avalEqual, fmtAval, type ShapedArray } from "../shape.js";
import { Tensor, type ConcreteArray } from "../tensor.js";
import { bind, fullRaise, Trace, Tracer, withMain, traceOf, type MainTrace } from "../trace.js";
import { instantiate } from "../ops/broadcast.js";

/** A value inside `jvp`: primal and tangent. */
export class JvpTracer extends Tracer {
  constructor(
    readonly trace: JvpTrace,
    readonly primal: Tensor,
    readonly tangent: Tan,
  ) {
    super();
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
  retained(): ConcreteArray[] {
    return [...this.primal.retained(), ...(this.tangent instanceof Tensor ? this.tangent.retained() : [])];
  }
  data() {
    return this.primal.data();
  }
  dataSync() {
    return this.primal.dataSync();
  }
}

class JvpTrace extends Trace {
  pure(value: Tensor): Tensor {
    return new JvpTracer(this, value, new Zero(value.aval));
  }
  processPrimitive(op: OpDef, tracers: readonly Tensor[], params: unknown): Tensor[] {
    const ts = tracers as JvpTracer[];
    const primals = ts.map((t) => t.primal);
    const tangents = ts.map((t) => t.tangent);
    if (tangents.every((t) => t instanceof Zero)) {
      return bind(op, primals, params).map((p) => new JvpTracer(this, p, new Zero(p.aval)));
    }
    const [outs, outTangents] = op.jvp(primals, tangents, params);
    return outs.map((p, i) => new JvpTracer(this, p, isFloat(p.dtype) ? outTangents[i]! : new Zero(p.aval)));
  }
}

const makeJvpTrace = (main: MainTrace): Trace => new JvpTrace(main);

/** jvp on flat lists; tangents may be symbolic zeros. Returns primal outputs and tangent outputs. */
export function jvpFlat(f: (...xs: Tensor[]) => Tensor[], primals: readonly Tensor[], tangents: readonly Tan[]): [Tensor[], Tan[]] {
  return withMain(makeJvpTrace, undefined, (main) => {
    const trace = traceOf(main);
    const ins = primals.map((p, i) => new JvpTracer(trace as JvpTrace, p, tangents[i]!));
    const outs = f(...ins).map((o) => fullRaise(trace, o) as JvpTracer);
    return [outs.map((o) => o.primal), outs.map((o) => o.tangent)];
  });
}

/** Checks that primal and tangent trees match leaf by leaf; returns the flat lists and tree. */
export function checkTangents(where: string, primals: unknown, tangents: unknown): [Tensor[], Tensor[], TreeDef] {
  const [ps, pdef] = treeFlatten<unknown>(primals);
  const [ts, tdef] = treeFlatten<unknown>(tangents);
  if (treeDefString(pdef) !== treeDefString(tdef)) {
    throw new Error(`${where}: primals have structure ${treeDefString(pdef)} but tangents have ${treeDefString(tdef)}`);
  }
  ps.forEach((p, i) => {
    const t = ts[i];
    if (!(p instanceof Tensor) || !(t instanceof Tensor)) throw new TypeError(`${where}: leaf ${i} must be a tensor in both primals and tangents, got ${String(p)} and ${String(t)}`);
    if (!avalEqual(p.aval, t.aval)) {
      throw new Error(`${where}: leaf ${i}: primal ${fmtAval(p.aval)} and tangent ${fmtAval(t.aval)} must have the same shape and dtype`);
    }
  });
  return [ps as Tensor[], ts as Tensor[], pdef];
}

/**
 * Forward-mode derivative: evaluates `f(...primals)` and its directional derivative along
 * `tangents` in one pass. `primals` and `tangents` are arrays of arguments (pytrees of tensors)
 * with the same structure. Returns `[out, outTangent]` with the structure of f's output.
 */
export function jvp<A extends unknown[], R>(f: (...args: A) => R, primals: A, tangents: A): [R, R] {
  const [ps, ts, def] = checkTangents("jvp", primals, tangents);
  let outDef: TreeDef | undefined;
  const flatF = (...xs: Tensor[]): Tensor[] => {
    const out = f(...treeUnflatten<A>(def, xs));
    const [leaves, d] = treeFlatten<unknown>(out);
    outDef = d;
    leaves.forEach((l, i) => {
      if (!(l instanceof Tensor)) throw new TypeError(`jvp: output leaf ${i} is ${String(l)}, not a tensor`);
    });
    return leaves as Tensor[];
  };
  const [outs, outTs] = jvpFlat(flatF, ps, ts);
  return [treeUnflatten<R>(outDef!, outs), treeUnflatten<R>(outDef!, outTs.map(instantiate))];
}

