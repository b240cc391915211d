// Tensors: the one type users hold. A concrete tensor owns (a share of) a backend buffer; tracers
// (transforms/*) are tensors that stand for values inside jvp, linearize and jit. Users never count
// references: tensors made inside `tidy` are released when it returns, except what it returns;
// anything else is released when garbage-collected (FinalizationRegistry).
import { getBackend, type Backend, type BufferHandle } from "./backend.js";
import type { DataArray, DType } from "./dtype.js";
import { fmtAval, sizeOf, type Shape, type ShapedArray } from "./shape.js";

/** The abstract base of concrete tensors and tracers. Methods are attached in api/methods.ts. */
export abstract class Tensor {
  /** Shape and dtype. */
  abstract readonly aval: ShapedArray;
  /** The shape (outermost axis first). */
  get shape(): Shape {
    return this.aval.shape;
  }
  /** The element type. */
  get dtype(): DType {
    return this.aval.dtype;
  }
  /** Number of axes. */
  get ndim(): number {
    return this.aval.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return sizeOf(this.aval.shape);
  }
  /** Concrete tensors this value keeps alive (itself, or a tracer's primal/tangent parts). */
  abstract retained(): ConcreteArray[];
  /** Reads the values to the host (a copy). Tracers read their primal when it is concrete. */
  abstract data(): Promise<DataArray>;
  /** Reads synchronously (CPU backend only). */
  abstract dataSync(): DataArray;
  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor ${fmtAval(this.aval)} has ${this.size} elements, not 1`);
    return (await this.data())[0]!;
  }
  /** Releases the buffer now (no-op for tracers and already disposed tensors). */
  dispose(): void {}
  /** "Tensor(float32[2,3])": the shape and dtype, not the values (read those with `data`). */
  toString(): string {
    return `Tensor(${fmtAval(this.aval)})`;
  }
}

/** A reference-counted backend buffer shared by tensors that alias it (e.g. after reshape). */
export class SharedBuffer {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly handle: BufferHandle,
  ) {}
  release(): void {
    if (--this.refs === 0) this.backend.free(this.handle);
  }
}

const finalizer = new FinalizationRegistry<{ buf: SharedBuffer; live: { disposed: boolean } }>((held) => {
  if (!held.live.disposed) {
    held.live.disposed = true;
    held.buf.release();
  }
});

/** The stack of open `tidy` scopes; each collects the concrete tensors made while it is on top. */
const scopes: Set<ConcreteArray>[] = [];

/** A tensor with values in a backend buffer. */
export class ConcreteArray extends Tensor {
  private readonly state = { disposed: false };
  /** The value, when the tensor was made from one JS number (used as an IR literal). */
  scalarValue: number | undefined;

  constructor(
    readonly aval: ShapedArray,
    /** The backend buffer holding the values, shared (reference-counted) with tensors that alias it. */
    readonly buffer: SharedBuffer,
  ) {
    super();
    finalizer.register(this, { buf: buffer, live: this.state }, this.state);
    scopes[scopes.length - 1]?.add(this);
  }

  /** Whether the buffer has been released. */
  get disposed(): boolean {
    return this.state.disposed;
  }
  /** The backend buffer; throws if disposed. */
  handle(): BufferHandle {
    if (this.state.disposed) throw new Error(`use of a disposed tensor ${fmtAval(this.aval)} (it was released by dispose() or by the end of a tidy scope)`);
    return this.buffer.handle;
  }
  retained(): ConcreteArray[] {
    return [this];
  }
  async data(): Promise<DataArray> {
    return this.buffer.backend.read(this.handle());
  }
  dataSync(): DataArray {
    const b = this.buffer.backend;
    if (!b.readSync) throw new Error(`dataSync: the ${b.name} backend reads asynchronously; use await t.data()`);
    return b.readSync(this.handle());
  }
  override dispose(): void {
    if (this.state.disposed) return;
    this.state.disposed = true;
    finalizer.unregister(this.state);
    for (const s of scopes) s.delete(this);
    this.buffer.release();
  }
}

/** Wraps host data in a new concrete tensor on the active backend. */
export function fromData(data: DataArray, shape: Shape, dtype: DType): ConcreteArray {
  const backend = getBackend();
  if (!backend.supports(dtype)) throw new Error(`the ${backend.name} backend does not support ${dtype}; use the CPU backend or float32`);
  const handle = backend.alloc(dtype, sizeOf(shape));
  backend.write(handle, data);
  return new ConcreteArray({ shape, dtype }, new SharedBuffer(backend, handle));
}

/** Runs `fn`, then releases every concrete tensor made inside it that its result does not hold. */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<ConcreteArray>();
  scopes.push(scope);
  let out: T;
  try {
    out = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (out instanceof Promise) throw new Error("tidy: the function returned a Promise; tidy scopes are synchronous");
  const kept = new Set<ConcreteArray>();
  collectRetained(out, kept);
  for (const t of scope) if (!kept.has(t)) t.dispose();
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return out;
}

/** Removes tensors from every open scope so that `tidy` does not release them. */
export function keep<T>(value: T): T {
  const kept = new Set<ConcreteArray>();
  collectRetained(value, kept);
  for (const t of kept) for (const s of scopes) s.delete(t);
  return value;
}

/** Collects the concrete tensors reachable from a value (tensors, arrays, objects, functions that hold some). */
export function collectRetained(value: unknown, into: Set<ConcreteArray>, seen = new Set<unknown>()): void {
  if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Tensor) {
    for (const c of value.retained()) into.add(c);
    return;
  }
  const held = (value as { [RETAINS]?: unknown })[RETAINS];
  if (held !== undefined) collectRetained(held, into, seen);
  if (typeof value === "function") return;
  if (Array.isArray(value)) for (const v of value) collectRetained(v, into, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectRetained(v, into, seen);
}

/** A symbol by which closures (e.g. a vjp pullback) declare the tensors they hold. */
export const RETAINS: unique symbol = Symbol("scm-ts.retains");

/** Number of open tidy scopes. */
export function scopeDepth(): number {
  return scopes.length;
}

/**
 * Moves a tensor's concrete parts out of scopes deeper than `depth` into the scope at `depth`
 * (none when 0): used when a transform started at that depth captures a value made deeper.
 */
export function adoptInto(t: Tensor, depth: number): void {
  for (const c of t.retained()) {
    let moved = false;
    for (let i = depth; i < scopes.length; i++) moved = scopes[i]!.delete(c) || moved;
    if (moved && depth > 0) scopes[depth - 1]!.add(c);
  }
}
