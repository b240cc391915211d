// The interpreter stack (autodidax §1): each transform pushes a main trace with a level; `bind`
// sends a primitive to the highest-level trace among its arguments (or the dynamic trace of an
// enclosing jit, which captures even constants). Level 0 is eager evaluation on the backend.
import type { OpDef } from "./primitive.js";
import { fmtAval } from "./shape.js";
import { ConcreteArray, Tensor } from "./tensor.js";

/** One entry of the trace stack. */
export interface MainTrace {
  readonly level: number;
  readonly make: (main: MainTrace) => Trace;
  readonly global: unknown;
}

/** An interpreter of primitives at one level. */
export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Wraps a concrete (level-0) value as a tracer of this trace. */
  abstract pure(value: Tensor): Tensor;
  /** Wraps a tracer of a lower level. */
  lift(value: Tensor): Tensor {
    return this.pure(value);
  }
  /** Applies a primitive to tracers of this trace. */
  abstract processPrimitive(op: OpDef, tracers: readonly Tensor[], params: unknown): Tensor[];
}

/** A tensor that stands for a value inside a transform. */
export abstract class Tracer extends Tensor {
  abstract readonly trace: Trace;
}

const stack: MainTrace[] = [];
let dynamic: MainTrace | undefined;
let evalTraceMaker: ((main: MainTrace) => Trace) | undefined;

/** Installs the level-0 interpreter (eager evaluation); done once by transforms/eval.ts. */
export function installEvalTrace(make: (main: MainTrace) => Trace): void {
  evalTraceMaker = make;
  stack.length = 0;
  stack.push({ level: 0, make, global: undefined });
}

/** Runs `fn` with a new main trace pushed (and, if `isDynamic`, as the dynamic trace). */
export function withMain<T>(make: (main: MainTrace) => Trace, global: unknown, fn: (main: MainTrace) => T, isDynamic = false): T {
  const main: MainTrace = { level: stack.length, make, global };
  stack.push(main);
  const prevDynamic = dynamic;
  if (isDynamic) dynamic = main;
  try {
    return fn(main);
  } finally {
    stack.pop();
    dynamic = prevDynamic;
  }
}

/** The trace object of a main. */
export function traceOf(main: MainTrace): Trace {
  return main.make(main);
}

/** The trace that must handle an operation on these arguments. */
export function findTopTrace(args: readonly Tensor[]): Trace {
  let top: MainTrace = stack[0]!;
  for (const a of args) {
    if (a instanceof Tracer && a.trace.main.level > top.level) top = a.trace.main;
  }
  if (dynamic && dynamic.level > top.level) top = dynamic;
  if (top.level === 0 && !evalTraceMaker) throw new Error("internal: eval trace not installed");
  return traceOf(top);
}

/** Brings a value up to a trace (wrapping constants and lower-level tracers). */
export function fullRaise(trace: Trace, x: Tensor): Tensor {
  if (!(x instanceof Tracer)) {
    if (!(x instanceof ConcreteArray)) throw new TypeError(`expected a tensor, got ${String(x)}`);
    return trace.main.level === 0 ? x : trace.pure(x);
  }
  const level = x.trace.main.level;
  if (x.trace.main === trace.main) return x;
  if (level < trace.main.level) return trace.lift(x);
  if (level > trace.main.level) {
    throw new Error(`a tracer ${fmtAval(x.aval)} escaped its transform (a value from inside jvp/grad/jit was used after that transform returned)`);
  }
  throw new Error(`two transforms at the same level mixed a tracer ${fmtAval(x.aval)}`);
}

/** Applies a primitive at the right trace: the single entry point of every op. */
export function bind(op: OpDef, args: readonly Tensor[], params: unknown): Tensor[] {
  const trace = findTopTrace(args);
  const tracers = args.map((a) => fullRaise(trace, a));
  return trace.processPrimitive(op, tracers, params);
}

/** `bind` for single-output primitives. */
export function bind1(op: OpDef, args: readonly Tensor[], params: unknown): Tensor {
  return bind(op, args, params)[0]!;
}

/** Depth of the trace stack (used to detect nested transforms in tests). */
export function traceDepth(): number {
  return stack.length;
}
