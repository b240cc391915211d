// The Backend interface and registry. A backend owns buffers and compiles programs (kernels over
// the IR, and routines); the engine never registers per-op kernels. `setBackend` picks the active
// one. 'auto' — what the CLI's `--backend auto` means too — prefers WebGPU when a factory for it is
// registered, an adapter exists and it is hardware: a software adapter (llvmpipe, SwiftShader) runs
// the same kernels on the CPU more slowly than the CPU backend does, so 'auto' takes the CPU then, and
// any choice of the CPU other than the obvious one (no WebGPU loaded) is said in one line.
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
  /** The device, as a person reads it (e.g. a GPU adapter's name); absent for the CPU. */
  readonly description?: string;
  /**
   * True when the device is a software implementation (a WebGPU fallback adapter, llvmpipe,
   * SwiftShader): slower than the CPU backend, so 'auto' does not pick it.
   */
  readonly software?: boolean;
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
const warned = new Set<string>();

function warnOnce(line: string): void {
  if (!warned.has(line)) console.warn(line);
  warned.add(line);
}

/**
 * Registers a backend factory under a name (the CPU backend registers itself as 'cpu'); registering a
 * name again replaces its factory, and the next selection of that name creates a new backend.
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
  instances.delete(name);
}

/** Sets the backend used when none was chosen (the CPU backend). */
export function registerDefaultBackend(make: () => Backend): void {
  defaultFactory = make;
}

/** What 'auto' chose: the backend's name, and one line to show when the choice needs saying. */
export interface AutoChoice {
  /** "webgpu" or "cpu". */
  readonly name: string;
  /** Why the CPU was taken although WebGPU was loaded (no adapter, or a software one); absent otherwise. */
  readonly note?: string;
}

/**
 * The one decision behind 'auto' (the CLI's `--backend auto` calls `setBackend("auto")` too): WebGPU
 * when its backend is registered and comes up on a hardware adapter; otherwise the CPU, with a note
 * when WebGPU was loaded but has no adapter or only a software one. Creating the WebGPU backend to
 * look at its adapter keeps it for a later `setBackend("webgpu")`.
 */
export async function chooseAutoBackend(): Promise<AutoChoice> {
  if (!factories.has("webgpu")) return { name: "cpu" };
  let webgpu: Backend;
  try {
    webgpu = await instantiate("webgpu");
  } catch (e) {
    return { name: "cpu", note: `scm-ts: WebGPU is unavailable (${(e as Error).message.split("\n")[0]}); using the CPU backend` };
  }
  if (webgpu.software) {
    const device = webgpu.description ? ` (${webgpu.description})` : "";
    return { name: "cpu", note: `scm-ts: the WebGPU adapter${device} is a software one, slower than the CPU; using the CPU backend (select "webgpu" by name to use it anyway)` };
  }
  return { name: "webgpu" };
}

async function instantiate(name: string): Promise<Backend> {
  let b = instances.get(name);
  if (!b) {
    const f = factories.get(name);
    if (!f) throw new Error(`setBackend: unknown backend '${name}'; registered: ${[...factories.keys(), "auto"].join(", ")}`);
    b = await f();
    instances.set(name, b);
  }
  return b;
}

/** Selects the active backend; 'auto' is `chooseAutoBackend`'s choice, its note printed once (stderr). */
export async function setBackend(name: string): Promise<Backend> {
  if (name === "auto") {
    const choice = await chooseAutoBackend();
    if (choice.note) warnOnce(choice.note);
    return setBackend(choice.name);
  }
  current = await instantiate(name);
  return current;
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
