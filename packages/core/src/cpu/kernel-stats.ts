// Counters of how the CPU backend compiled its float32 kernels: how many went to the WebAssembly
// SIMD path (and how many routine calls a registered native library ran, native.ts), and which ran
// as JavaScript although their dtypes let the SIMD path take them — by the node that stopped it. A
// value node (float32 or bool) whose op has no SIMD form is an op fallback, counted whatever the
// kernel's size (so the small kernels of a test suite show what large ones would do); an index
// pattern or integer computation without one is an index fallback, counted for kernels large
// enough for the SIMD path. With SCM_DEBUG_FALLBACK set, each new kind of fallback also prints one
// line (console.warn).
import type { Expr } from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";

/** How the CPU backend compiled its float32 kernels (`cpuKernelStats`). */
export interface CpuKernelStats {
  /** Float32 kernels (with float32 inputs) the SIMD path examined: those it can take by their dtypes. */
  readonly examined: number;
  /** Kernels compiled for the WebAssembly SIMD path. */
  readonly wasmKernels: number;
  /**
   * Kernels left to JavaScript because a float32 or bool node's op has no SIMD form for its
   * dtypes, by that node: `"POW float32(float32,float32)"`. Counted whatever the kernel's size.
   */
  readonly opFallbacks: Readonly<Record<string, number>>;
  /**
   * Kernels of SIMD size left to JavaScript because of their index arithmetic or integer
   * values (a strided gather, a comparison of indices, uint32 hashing), by the node that stopped it.
   */
  readonly indexFallbacks: Readonly<Record<string, number>>;
  /** Routine calls (convolutions, products) run by the registered native library (`registerNativeCpu`). */
  readonly nativeCalls: number;
}

const stats = { examined: 0, wasmKernels: 0, nativeCalls: 0, opFallbacks: {} as Record<string, number>, indexFallbacks: {} as Record<string, number> };
const warned = new Set<string>();

/** How the CPU backend compiled its float32 kernels so far (a snapshot). */
export function cpuKernelStats(): CpuKernelStats {
  const { examined, wasmKernels, nativeCalls } = stats;
  return { examined, wasmKernels, nativeCalls, opFallbacks: { ...stats.opFallbacks }, indexFallbacks: { ...stats.indexFallbacks } };
}

/** Counts a kernel the SIMD path examined. */
export function recordExamined(): void {
  stats.examined++;
}

/** Counts a kernel compiled for the SIMD path. */
export function recordWasmKernel(): void {
  stats.wasmKernels++;
}

/** Counts a routine call the native library ran (returns true, for use in a condition). */
export function recordNative(): true {
  stats.nativeCalls++;
  return true;
}

/** Counts a float32 kernel left to JavaScript because of node `at` (an op or an index fallback). */
export function recordFallback(kind: "op" | "index", at: Expr, k: Kernel): void {
  const key = `${at.op} ${at.dtype}(${at.src.map((s) => s.dtype).join(",")})`;
  const table = kind === "op" ? stats.opFallbacks : stats.indexFallbacks;
  table[key] = (table[key] ?? 0) + 1;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.SCM_DEBUG_FALLBACK && !warned.has(`${kind} ${key}`)) {
    warned.add(`${kind} ${key}`);
    const size = k.kind === "reduce" ? `${k.size}×${k.rsize}` : `${k.size}`;
    console.warn(`scm-ts cpu: a ${k.kind} kernel of ${size} elements runs as JavaScript: ${key} has no SIMD form (${kind})`);
  }
}
