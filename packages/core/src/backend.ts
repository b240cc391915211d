// The Backend interface and registry. A backend owns buffers and compiles programs (kernels over
// the IR, and routines); the engine never registers per-op kernels. `setBackend` picks the active
// one; 'auto' prefers WebGPU when a factory for it is registered and an adapter exists.
import type { DataArray, DType } from "./dtype.js";
import type { Program } from "./ir/kernel.js";

/** An opaque handle to backend memory holding `size` elements of `dtype`. */
export interface BufferHandle {
  /** Length in elements (not bytes). */
  readonly size: number;
  /** Element dtype. */
  readonly dtype: DType;
}

/** A compiled program, ready to dispatch. */
export interface Executable {
  /** The program it was compiled from. */
  readonly program: Program;
}

/** What a backend implements. */
export interface Backend {
  /** The name it was registered under and that `setBackend` takes ("cpu", "cpu-js", "webgpu"). */
  readonly name: string;
  /** Allocates a buffer; its contents are unspecified until written (every program writes all of its output). */
  alloc(dtype: DType, size: number): BufferHandle;
  /** Releases a buffer (it may return to a pool). */
  free(buf: BufferHandle): void;
  /** Copies host data into a buffer. */
  write(buf: BufferHandle, data: DataArray): void;
  /** Reads a buffer back to the host. */
  read(buf: BufferHandle): Promise<DataArray>;
  /** Reads synchronously, where the backend can (the CPU backend can; WebGPU cannot). */
  readSync?(buf: BufferHandle): DataArray;
  /** Compiles a program (cached by its structural key). */
  prepare(program: Program): Executable;
  /** Runs an executable on input buffers, writing the output buffer. */
  dispatch(exe: Executable, inputs: readonly BufferHandle[], output: BufferHandle): void;
  /** Buffers allocated and not yet freed (for leak tests). */
  liveBuffers(): number;
  /** Whether the dtype is supported. */
  supports(dtype: DType): boolean;
  /**
   * Optional routines this backend runs beyond those every backend runs (names of routine specs,
   * e.g. "attentionBwdQ"). A primitive that has both such a routine and a composed equivalent is
   * traced as one call-like equation and becomes the routine only when it runs or is lowered on a
   * backend that lists it (`backendRuns`).
   */
  readonly optionalRoutines?: ReadonlySet<string>;
}

/**
 * What a traced program depends on of the active backend: its name (its constants live there) and
 * its optional routines (its lowering, cached with it, may use them). Caches of traced programs
 * (jit, customJvp) key on it.
 */
export function backendTraceKey(): string {
  const b = getBackend();
  return b.optionalRoutines && b.optionalRoutines.size > 0 ? `${b.name}+${[...b.optionalRoutines].sort().join("+")}` : b.name;
}

/** Whether the active backend runs the optional routines `names` (see Backend.optionalRoutines). */
export function backendRuns(...names: string[]): boolean {
  const have = getBackend().optionalRoutines;
  return have !== undefined && names.every((n) => have.has(n));
}

/** Creates a backend, or explains why it cannot. */
export type BackendFactory = () => Promise<Backend>;

const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>();
let current: Backend | undefined;
let defaultFactory: (() => Backend) | undefined;
let warnedFallback = false;

function warnOnce(line: string): void {
  if (!warnedFallback) console.warn(line);
  warnedFallback = true;
}

/** Registers a backend factory under a name (the CPU backend registers itself as 'cpu'). */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** Sets the backend used when none was chosen (the CPU backend). */
export function registerDefaultBackend(make: () => Backend): void {
  defaultFactory = make;
}

/** Selects the active backend. 'auto' tries WebGPU and falls back to the CPU with one line saying so. */
export async function setBackend(name: string): Promise<Backend> {
  if (name === "auto") {
    if (factories.has("webgpu")) {
      try {
        return await setBackend("webgpu");
      } catch (e) {
        warnOnce(`scm-ts: no WebGPU adapter (${(e as Error).message}); using the CPU backend`);
      }
    } else {
      warnOnce("scm-ts: the WebGPU backend is not loaded (import @scm-ts/webgpu to use it); using the CPU backend");
    }
    return setBackend("cpu");
  }
  let b = instances.get(name);
  if (!b) {
    const f = factories.get(name);
    if (!f) throw new Error(`setBackend: unknown backend '${name}'; registered: ${[...factories.keys(), "auto"].join(", ")}`);
    b = await f();
    instances.set(name, b);
  }
  current = b;
  return b;
}

/** The active backend (the CPU backend unless another was set). */
export function getBackend(): Backend {
  if (!current) {
    if (!defaultFactory) throw new Error("getBackend: no backend registered");
    current = defaultFactory();
    instances.set(current.name, current);
  }
  return current;
}
