// Lowers a jaxpr to a plan of backend programs, fusing as it goes: call equations are inlined first,
// elementwise and movement ops stay lazy (an expression of the flat index) and are inlined into
// the kernel that consumes them, reductions absorb their producers, and only the values chosen by
// fusion.ts (shared across kernels, outputs, routine operands) and reduction results are stored.
import { load, gidx, ridx, konst, idx, binary, toposort, withSrc, type Expr } from "../ir/expr.js";
import type { Program } from "../ir/kernel.js";
import { ClosedJaxpr, Literal, Var, type Atom, type Jaxpr } from "../jaxpr.js";
import type { Lazy } from "../primitive.js";
import { flattenCalls } from "./flatten.js";
import { materializedVars } from "./fusion.js";
import { tangentPairs } from "./tangent-pairs.js";
import { sizeOf, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** One program launch: reads `inputs` slots, writes the `output` slot. */
export interface Step {
  readonly program: Program;
  readonly inputs: readonly number[];
  readonly output: number;
}

/** The lowered form of a jaxpr. Slots: arguments first, then constants, then intermediates. */
export interface Plan {
  readonly nArgs: number;
  readonly consts: readonly Tensor[];
  readonly slots: readonly ShapedArray[];
  readonly steps: readonly Step[];
  readonly outputs: readonly number[];
  /** Output avals (an output aliasing a slot may differ from it in shape, e.g. after reshape). */
  readonly outAvals: readonly ShapedArray[];
}

type Value = { slot: number } | { lazy: Lazy };

/** Lowers a closed jaxpr to a plan. */
export function lowerJaxpr(input: ClosedJaxpr): Plan {
  const closed = flattenCalls(input);
  const { jaxpr } = closed;
  const slots: ShapedArray[] = [];
  const steps: Step[] = [];
  const consts: Tensor[] = [];
  const mat = materializedVars(jaxpr);
  const newSlot = (a: ShapedArray): number => slots.push(a) - 1;
  const env = new Map<Var, Value>();
  jaxpr.invars.forEach((v) => env.set(v, { slot: newSlot(v.aval) }));
  const addConsts = (vars: readonly Var[], values: readonly Tensor[]): void =>
    vars.forEach((v, i) => {
      consts.push(values[i]!);
      env.set(v, { slot: newSlot(v.aval) });
    });
  addConsts(jaxpr.constvars, closed.consts);

  const lazyOf = (a: Atom): Lazy => {
    if (a instanceof Literal) {
      const c = konst(a.value, a.aval.dtype);
      return () => c;
    }
    const v = env.get(a)!;
    if ("lazy" in v) return v.lazy;
    const slot = v.slot;
    return (i) => load(slot, a.aval.dtype, i);
  };

  // Emits a kernel for a root expression whose LOADs name global slots; renumbers them locally.
  const emit = (kind: "map" | "reduce", aval: ShapedArray, expr: Expr, extra?: { rsize: number; op: "sum" | "max" }): number => {
    const local = new Map<number, number>();
    const inputs: number[] = [];
    const memo = new Map<number, Expr>();
    for (const e of toposort([expr])) {
      const src = e.src.map((s) => memo.get(s.id)!);
      if (e.op === "LOAD") {
        let j = local.get(e.arg);
        if (j === undefined) {
          j = inputs.push(e.arg) - 1;
          local.set(e.arg, j);
        }
        memo.set(e.id, withSrc(e, src, j));
      } else memo.set(e.id, src.every((s, k) => s === e.src[k]) ? e : withSrc(e, src));
    }
    const body = memo.get(expr.id)!;
    const size = sizeOf(aval.shape);
    const inDtypes = inputs.map((s) => slots[s]!.dtype);
    const program: Program = kind === "map" ? { kind, size, dtype: aval.dtype, expr: body, inputs: inDtypes } : { kind, size, dtype: aval.dtype, expr: body, inputs: inDtypes, rsize: extra!.rsize, op: extra!.op };
    const output = newSlot(aval);
    steps.push({ program, inputs, output });
    return output;
  };

  const materialize = (a: Atom): number => {
    if (a instanceof Var) {
      const v = env.get(a)!;
      if ("slot" in v) return v.slot;
    }
    const aval = a.aval;
    const size = sizeOf(aval.shape);
    const expr = lazyOf(a)(gidx(size));
    // A plain copy of a whole slot (reshape, stop_gradient) aliases it instead.
    if (expr.op === "LOAD" && expr.src[0]!.op === "GIDX" && sizeOf(slots[expr.arg]!.shape) === size) return expr.arg;
    const slot = emit("map", aval, expr);
    if (a instanceof Var) env.set(a, { slot });
    return slot;
  };

  // a primal routine and its tangent on the same operands: one routine writing [y; t_y] (tangent-pairs.ts)
  const pairs = tangentPairs(jaxpr);
  const fusedAway = new Set([...pairs.values()].map((p) => p.tangent));
  const run = (j: Jaxpr): void => {
    for (const e of j.eqns) {
      if (fusedAway.has(e)) continue;
      const low = e.op.lower;
      const out = e.outputs[0]!;
      const pair = pairs.get(e);
      if (pair) {
        const inputs = pair.tangent.inputs.map(materialize);
        const slot = newSlot({ shape: [2, ...out.aval.shape], dtype: out.aval.dtype });
        steps.push({ program: { kind: "routine", spec: pair.spec }, inputs, output: slot });
        const half = sizeOf(out.aval.shape);
        env.set(out, { lazy: (i) => load(slot, out.aval.dtype, i) });
        env.set(pair.tangent.outputs[0]!, { lazy: (i) => load(slot, out.aval.dtype, binary("ADD", i, idx(half))) });
        continue;
      }
      if (low.kind === "inline") throw new Error(`internal: call equation ${e.op.name} left after flattening`);
      const avalsIn = e.inputs.map((a) => a.aval);
      if (low.kind === "map") {
        env.set(out, { lazy: low.build(e.inputs.map(lazyOf), avalsIn, out.aval, e.params as never) });
        if (mat.has(out)) materialize(out);
      } else if (low.kind === "reduce") {
        const { rsize, body } = low.build(lazyOf(e.inputs[0]!), avalsIn[0]!, out.aval, e.params as never);
        const expr = body(gidx(sizeOf(out.aval.shape)), ridx(rsize));
        env.set(out, { slot: emit("reduce", out.aval, expr, { rsize, op: low.op }) });
      } else {
        const inputs = e.inputs.map(materialize);
        const output = newSlot(out.aval);
        steps.push({ program: { kind: "routine", spec: low.spec(avalsIn, out.aval, e.params as never) }, inputs, output });
        env.set(out, { slot: output });
      }
    }
  };
  run(jaxpr);
  const outputs = jaxpr.outvars.map(materialize);
  return { nArgs: jaxpr.invars.length, consts, slots, steps, outputs, outAvals: jaxpr.outvars.map((a) => a.aval) };
}
