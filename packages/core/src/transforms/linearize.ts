// Linearization by partial evaluation (autodidax §4): run `jvp` with known primals and unknown
// tangents; operations on known values run now, operations touching tangents are staged into a
// linear jaxpr. `linearize(f, ...primals)` returns the outputs and that linear map as a function.
import { ClosedJaxpr, evalJaxpr, JaxprBuilder, type Atom } from "../jaxpr.js";
import type { OpDef } from "../primitive.js";
import { treeDefString, treeFlatten, treeUnflatten } from "../pytree.js";
import { avalEqual, fmtAval, type ShapedArray } from "../shape.js";
import { RETAINS, Tensor, type ConcreteArray } from "../tensor.js";
import { bind, Trace, Tracer, traceOf, withMain, type MainTrace } from "../trace.js";
import { flattenFun, flattenTensors, inlineCall, literalTensor } from "./jaxpr-trace.js";
import { jvpFlat } from "./jvp.js";
import { instantiate } from "../ops/broadcast.js";

/** A value during partial evaluation: known (a tensor) or unknown (a variable of the linear jaxpr). */
export class PartialTracer extends Tracer {
  constructor(
    readonly trace: PartialEvalTrace,
    readonly known: Tensor | undefined,
    readonly atom: Atom | undefined,
    readonly aval: ShapedArray,
  ) {
    super();
  }
  retained(): ConcreteArray[] {
    return this.known ? this.known.retained() : [];
  }
  data() {
    if (!this.known) throw new Error("cannot read a value that depends on tangents inside linearize/grad");
    return this.known.data();
  }
  dataSync() {
    if (!this.known) throw new Error("cannot read a value that depends on tangents inside linearize/grad");
    return this.known.dataSync();
  }
}

class PartialEvalTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.global as JaxprBuilder;
  }
  pure(value: Tensor): Tensor {
    return new PartialTracer(this, value, undefined, value.aval);
  }
  unknown(atom: Atom): PartialTracer {
    return new PartialTracer(this, undefined, atom, atom.aval);
  }
  atomOf(t: PartialTracer): Atom {
    return t.atom ?? this.builder.addConst(t.known!);
  }
  processPrimitive(op: OpDef, tracers: readonly Tensor[], params: unknown): Tensor[] {
    const ts = tracers as PartialTracer[];
    if (ts.every((t) => t.known)) return bind(op, ts.map((t) => t.known!), params).map((v) => this.pure(v));
    if (op.lower.kind === "inline") return inlineCall(op, params, ts);
    const atoms = ts.map((t) => this.atomOf(t));
    const outAvals = op.abstractEval(atoms.map((a) => a.aval), params);
    return this.builder.addEqn(op, atoms, params, outAvals).map((v) => this.unknown(v));
  }
}

const makePartialEvalTrace = (main: MainTrace): Trace => new PartialEvalTrace(main);

/** The linear part of a linearization: a jaxpr from input tangents to output tangents. */
export interface LinearFn {
  readonly jaxpr: ClosedJaxpr;
}

/** Linearizes a flat function at flat primals. */
export function linearizeFlat(f: (...xs: Tensor[]) => Tensor[], primals: readonly Tensor[]): [Tensor[], LinearFn] {
  const builder = new JaxprBuilder();
  return withMain(makePartialEvalTrace, builder, (main) => {
    const trace = traceOf(main) as PartialEvalTrace;
    const ps = primals.map((p) => trace.pure(p));
    const ts = primals.map((p) => trace.unknown(builder.addInvar(p.aval)));
    const [outs, outTs] = jvpFlat(f, ps, ts);
    const primalOuts = outs.map((o) => {
      const t = o as PartialTracer;
      if (!(t instanceof PartialTracer)) return o;
      if (!t.known) throw new Error("linearize: a primal output depends on tangents (internal error)");
      return t.known;
    });
    const tangentAtoms = outTs.map((t) => {
      const inst = instantiate(t) as Tensor;
      const pt = inst instanceof PartialTracer ? inst : (trace.pure(inst) as PartialTracer);
      return trace.atomOf(pt);
    });
    return [primalOuts, { jaxpr: builder.build(tangentAtoms) }];
  });
}

/** Applies a linear function to tangents. */
export function applyLinear(lin: LinearFn, tangents: readonly Tensor[]): Tensor[] {
  return evalJaxpr(lin.jaxpr.jaxpr, lin.jaxpr.consts, tangents, literalTensor, bind);
}

/**
 * Linearizes `f` at `primals`: returns `[out, fLin]` where `fLin(...tangents)` computes the JVP
 * along `tangents` without re-running the nonlinear part.
 */
export function linearize<A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (...tangents: A) => R] {
  const [leaves, def] = flattenTensors("linearize", primals);
  const { flat, outDef } = flattenFun("linearize", f, def);
  const [outs, lin] = linearizeFlat(flat, leaves);
  const od = outDef();
  const fLin = (...tangents: A): R => {
    const [ts, tdef] = treeFlatten<Tensor>(tangents);
    if (treeDefString(tdef) !== treeDefString(def)) throw new Error(`linearize: tangents have structure ${treeDefString(tdef)}, primals ${treeDefString(def)}`);
    ts.forEach((t, i) => {
      if (!avalEqual(t.aval, leaves[i]!.aval)) throw new Error(`linearize: tangent ${i} is ${fmtAval(t.aval)}, primal is ${fmtAval(leaves[i]!.aval)}`);
    });
    return treeUnflatten<R>(od, applyLinear(lin, ts));
  };
  (fLin as unknown as Record<symbol, unknown>)[RETAINS] = lin.jaxpr.consts;
  return [treeUnflatten<R>(od, outs), fLin];
}

