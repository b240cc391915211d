// What a primitive is: one definition holding its name, shape/dtype rule, lowering (to kernel IR
// or a routine), JVP rule and, for linear primitives only, a transpose rule. The kinds form a
// discriminated union, so the compiler demands a transpose exactly where one is needed. Symbolic
// zeros (`Zero`) let rules skip absent tangents and cotangents.
import type { Expr } from "./ir/expr.js";
import type { ClosedJaxpr } from "./jaxpr.js";
import type { RoutineSpec } from "./ir/kernel.js";
import type { ShapedArray } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** A symbolic zero tangent or cotangent of a given aval (JAX's `Zero`). */
export class Zero {
  constructor(
    /** Shape and dtype of the tangent it stands for. */
    readonly aval: ShapedArray,
  ) {}
}

/** A tangent or cotangent: a tensor, or a symbolic zero. */
export type Tan = Tensor | Zero;

/** The marker for a linear input whose value is not known during transposition (JAX's UndefinedPrimal). */
export class UndefPrimal {
  constructor(readonly aval: ShapedArray) {}
}

/** A value during lowering: the expression of its element at a flat index. */
export type Lazy = (index: Expr) => Expr;

/** How a primitive becomes backend programs. */
export type Lowering<P> =
  | {
      /** Elementwise and movement ops: fused into their consumers. */
      readonly kind: "map";
      build(inputs: readonly Lazy[], avalsIn: readonly ShapedArray[], avalOut: ShapedArray, params: P): Lazy;
    }
  | {
      /** Reductions: one kernel that folds `rsize` values per output element. */
      readonly kind: "reduce";
      readonly op: "sum" | "max";
      build(input: Lazy, avalIn: ShapedArray, avalOut: ShapedArray, params: P): { rsize: number; body: (g: Expr, r: Expr) => Expr };
    }
  | {
      /** Hand-written kernels on materialised inputs. */
      readonly kind: "routine";
      spec(avalsIn: readonly ShapedArray[], avalOut: ShapedArray, params: P): RoutineSpec;
    }
  | {
      /** Call-like primitives (jit, custom JVP): lowered by inlining a jaxpr, `params.jaxpr` unless `jaxpr` is given. */
      readonly kind: "inline";
      /**
       * The jaxpr this equation stands for, chosen when it is lowered or inlined rather than when it
       * was traced (e.g. by the routines the active backend runs); defaults to `params.jaxpr`.
       */
      jaxpr?(params: P, avalsIn: readonly ShapedArray[]): ClosedJaxpr;
    };

/**
 * How a tangent primitive fuses with its primal: when a flat jaxpr computes y = primal(x…) and
 * t_y = tangent(x…, t…) on the same leading `primals` operands and the same params (what the primal's
 * JVP emits), lowering runs one routine, `spec`, that reads the tangent equation's inputs and writes
 * [y; t_y] (compile/tangent-pairs.ts).
 */
export interface TangentFusion<P> {
  /** The primal primitive whose equation this tangent equation joins. */
  readonly primal: OpDef<P>;
  /** How many leading inputs of the tangent equation are the primal equation's inputs. */
  readonly primals: number;
  /** The fused routine, given the tangent equation's input avals and the shared params. */
  spec(tangentAvals: readonly ShapedArray[], params: P): RoutineSpec;
}

interface OpCommon<P> {
  readonly name: string;
  /** Shape and dtype rule; throws naming the op and the offending shapes or dtypes. */
  abstractEval(avals: readonly ShapedArray[], params: P): ShapedArray[];
  readonly lower: Lowering<P>;
  /** Forward-mode rule: primal outputs and their tangents. */
  jvp(primals: readonly Tensor[], tangents: readonly Tan[], params: P): [Tensor[], Tan[]];
  /** Eager evaluation, for call-like primitives only (the others run their lowering). */
  readonly impl?: (args: readonly Tensor[], params: P) => Tensor[];
  /** Call-like primitives recorded as one equation by jit tracing (custom JVP) instead of inlined. */
  readonly keepWhenTraced?: boolean;
  /** Tangent primitives only: the primal it fuses with into one routine at lowering. */
  readonly fusesWith?: TangentFusion<P>;
}

/** A primitive that is not linear in any input: no transpose rule. */
export interface NonlinearOp<P> extends OpCommon<P> {
  readonly kind: "nonlinear";
}

/** A primitive linear in (some of) its inputs: it must say how to transpose. */
export interface LinearOp<P> extends OpCommon<P> {
  readonly kind: "linear";
  /** Cotangents of the undefined (linear) inputs given output cotangents; null for defined inputs. */
  transpose(cts: readonly Tan[], args: readonly (Tensor | UndefPrimal)[], params: P): (Tan | null)[];
}

/** A primitive definition. */
export type OpDef<P = any> = NonlinearOp<P> | LinearOp<P>;

/** Defines a primitive; the type parameter ties params across all rules. */
export function defineOp<P>(def: OpDef<P>): OpDef<P> {
  return def;
}
