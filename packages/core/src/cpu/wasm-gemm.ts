// Host side of the WebAssembly SIMD kernels (wasm-kernels.ts): compiles the module once (relaxed
// SIMD multiply-add where the runtime validates it, on shared memory where the runtime allows), and
// runs float32 products on it (convolutions: wasm-conv.ts, on the helpers exported here). A call
// uses operands that live in the module's memory (the heap of wasm-heap.ts) where they are and
// copies the others in (one typed-array copy each), packs A on the thread pool (gemm-threads.ts) by
// row blocks while the calling thread copies B in (in one process, alternating calls, matmul 512³
// ran 3–8% faster than with A packed first), writes a job record, runs the work units on the pool,
// and copies C out — unless C's tiles are exactly a heap output, which the kernel then writes in
// place. C is otherwise kept padded to whole MR×NR tiles, so the kernel has no edge cases;
// accumulation is in float32.
import type { DataArray } from "../dtype.js";
import type { MatView } from "./gemm.js";
import { announceUnits, finishUnits, runUnits, startUnits } from "./gemm-threads.js";
import { maxThreads } from "./thread-platform.js";
import { heapAddress, heapStart } from "./wasm-heap.js";
import { J, kernelModuleBytes, KC, maxSharedPages, MR, NR, relaxedProbeBytes, scratchBytes } from "./wasm-kernels.js";

// The few WebAssembly APIs used here (the ES lib has no WebAssembly types; Node and browsers have the API).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
};

/** A compiled kernel module and its memory; `shared` when worker threads can use the memory too. */
export interface Instance {
  readonly memory: WasmMemory;
  /** gemm_run(job, u0, u1, tid): runs work units [u0, u1) of the job record at byte `job`. */
  readonly run: (job: number, u0: number, u1: number, tid: number) => void;
  readonly packA: (src: number, rs: number, cs: number, m: number, k: number, dst: number, mb: number) => void;
  readonly shared: boolean;
  /** The compiled module (worker threads instantiate it on the same memory). */
  readonly module: object;
  /** Whether the multiply-adds are relaxed SIMD's madd. */
  readonly fma: boolean;
  readonly bytes: Uint8Array;
}

let instance: Instance | null | undefined;
let unavailable = "";

/** Whether this runtime validates relaxed SIMD (SCM_RELAXED_SIMD=0 turns it off). */
function hasRelaxedSimd(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.SCM_RELAXED_SIMD === "0") return false;
  try {
    return WebAssembly.validate(relaxedProbeBytes());
  } catch {
    return false;
  }
}

/** The compiled kernels (on shared memory where the runtime allows), or null without WebAssembly SIMD. */
export function wasmGemm(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  if (typeof WebAssembly !== "object" || WebAssembly === null) {
    unavailable = "this runtime has no WebAssembly";
    return null;
  }
  const fma = hasRelaxedSimd();
  for (const shared of typeof SharedArrayBuffer === "function" ? [true, false] : [false]) {
    try {
      const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: maxSharedPages, shared: true }) : new WebAssembly.Memory({ initial: 1 });
      const bytes = kernelModuleBytes(shared, fma);
      const module = new WebAssembly.Module(bytes);
      const ex = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
      instance = { memory, run: ex.gemm_run as Instance["run"], packA: ex.pack_a as Instance["packA"], shared, fma, bytes, module };
      break;
    } catch (e) {
      unavailable = `this runtime has no WebAssembly SIMD (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return instance;
}

/** Why the SIMD kernels are unavailable ('' when they are available). */
export function wasmUnavailableReason(): string {
  wasmGemm();
  return unavailable;
}

/** For tests: forget the compiled module so the next call detects the runtime again. */
export function resetWasmGemmForTests(): void {
  instance = undefined;
  views = null;
  unavailable = "";
}

// Memory layout: [job record | second job record | per-thread B scratch (maxThreads) | call data …]
/** Byte offsets of the job records (JOB2: a call's packing phase), the per-thread scratch and the call data in the kernels' memory. */
export const JOB = 0, JOB2 = 128, SCRATCH = 256, DATA = SCRATCH + maxThreads * scratchBytes;
/** Rounds a byte offset up to a cache line. */
export const align = (x: number): number => Math.ceil(x / 64) * 64;

// Views of the memory, remade only when it grows (or the module changes).
let views: { buffer: ArrayBuffer; f32: Float32Array; i32: Int32Array } | null = null;

function view(w: Instance): { f32: Float32Array; i32: Int32Array } {
  const buffer = w.memory.buffer;
  if (!views || views.buffer !== buffer || views.f32.length * 4 !== buffer.byteLength) {
    views = { buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
  }
  return views;
}

/** A float32 view of the kernels' memory, grown first to at least `bytes`. */
export function ensure(w: Instance, bytes: number): Float32Array {
  const have = w.memory.buffer.byteLength;
  if (bytes > have) w.memory.grow(Math.ceil((bytes - have) / 65536));
  return view(w).f32;
}

/** Compiles another module (from moduleBytes, with the same sharing) and instantiates it on the kernels' memory: the module (worker threads instantiate it too) and its exports. */
export function instantiateOnKernelMemory(w: Instance, bytes: Uint8Array): { module: object; exports: Record<string, unknown> } {
  const module = new WebAssembly.Module(bytes);
  return { module, exports: new WebAssembly.Instance(module, { env: { mem: w.memory } }).exports };
}

/** A strided float operand with an optional batch stride (elements). */
interface Operand {
  readonly data: DataArray;
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
  readonly bs: number;
}

/** Copies the span of `data` an operand touches into wasm memory at `at` (bytes); returns the relative offset in elements. */
function copyIn(mem: Float32Array, at: number, x: Operand, batch: number, rows: number, cols: number): number {
  const lo = x.off, hi = x.off + (batch - 1) * x.bs + (rows - 1) * x.rs + (cols - 1) * x.cs + 1;
  mem.set(x.data.subarray(lo, hi) as ArrayLike<number>, at / 4);
  return hi - lo;
}

/** Whether byte ranges [a, a + aBytes) and [b, b + bBytes) do not overlap (b < 0: no range, as heapAddress gives for a plain array). */
export const disjoint = (a: number, aBytes: number, b: number, bBytes: number): boolean => b < 0 || b >= a + aBytes || b + bBytes <= a;

/** Words a job record holds (from JOB up to JOB2). */
export const jobWords = (JOB2 - JOB) / 4;

/** Writes raw words into the job record at JOB: the call layout of a kernel module other than the GEMM one (wasm-map.ts's units function). */
export function setJobWords(w: Instance, words: readonly number[]): void {
  if (words.length > jobWords) throw new Error(`a job record holds ${jobWords} words, not ${words.length}`);
  view(w).i32.set(words, JOB / 4);
}

/** Writes the job record at byte `at` (JOB or JOB2; fields not given are 0). */
export function setJob(w: Instance, fields: Partial<Record<keyof typeof J, number>>, at = JOB): void {
  const words = view(w).i32, base = at / 4;
  words.fill(0, base, base + J.words);
  for (const k in fields) words[base + J[k as keyof typeof J]] = fields[k as keyof typeof J]!;
}

/** Copies the padded C tiles out: out[oOff + b·oBatch + i·n + j] (+)= C[b][i][j]. */
export function copyOut(mem: Float32Array, cAt: number, batch: number, m: number, n: number, mp: number, np: number, out: DataArray, oOff: number, oBatch: number, accumulate: boolean): void {
  const c0 = cAt / 4;
  for (let b = 0; b < batch; b++) {
    const src = c0 + b * mp * np, dst = oOff + b * oBatch;
    if (!accumulate && np === n) {
      out.set(mem.subarray(src, src + m * n), dst);
      continue;
    }
    for (let i = 0; i < m; i++) {
      const s = src + i * np, d = dst + i * n;
      if (accumulate) for (let j = 0; j < n; j++) out[d + j]! += mem[s + j]!;
      else out.set(mem.subarray(s, s + n), d);
    }
  }
}

/** Bytes of wasm memory a call may use: up to the heap (wasm-heap.ts). */
let maxCallBytes = heapStart;

/** For tests: lowers the memory a call may use (so batches run in chunks or fall back), or restores it. */
export function setMaxCallBytesForTests(bytes?: number): void {
  maxCallBytes = bytes ?? heapStart;
}

const stats = { chunked: 0, tooLarge: 0 };

/** Calls run in several chunks, and calls refused as too large (for tests). */
export function wasmCallStats(): { chunked: number; tooLarge: number } {
  return { ...stats };
}

/** Where call data starts in the kernels' memory (bytes; for tests that set a memory limit). */
export const callDataStart = DATA;

/** Whether a call whose data ends at byte `end` of the kernels' memory fits (else it runs in JS). */
export function callFits(end: number): boolean {
  if (end <= maxCallBytes) return true;
  stats.tooLarge++;
  return false;
}

/** Batch items per call so a call fits in `maxCallBytes` (0: not even one item fits). */
export function chunkOf(batch: number, fixed: number, perItem: number): number {
  const c = Math.max(0, Math.min(batch, Math.floor((maxCallBytes - DATA - fixed) / perItem)));
  if (c === 0) stats.tooLarge++;
  else if (c < batch) stats.chunked++;
  return c;
}

/**
 * Batched C_b[m×n] (+)= A_b·B_b in float32: A_b[i, p] = a.data[a.off + b·a.bs + i·a.rs + p·a.cs], B likewise,
 * out_b at out[oOff + b·m·n] (row-major). Returns false (computing nothing) when one batch item does
 * not fit in the kernels' memory; larger batches run in chunks.
 */
export function matmulF32Wasm(w: Instance, batch: number, m: number, n: number, k: number, a: Operand, b: Operand, out: DataArray, oOff: number, accumulate: boolean): boolean {
  const mb = Math.ceil(m / MR), nb = Math.ceil(n / NR), mp = mb * MR, np = nb * NR;
  const item = (m * k + mb * k * MR + k * n + mp * np) * 4 + 4 * 64;
  const chunk = chunkOf(batch, 0, item + 4 * (a.bs + b.bs));
  if (chunk === 0) return false;
  for (let b0 = 0; b0 < batch; b0 += chunk) {
    const bc = Math.min(chunk, batch - b0);
    const ac = { ...a, off: a.off + b0 * a.bs }, bcOp = { ...b, off: b.off + b0 * b.bs };
    matmulChunk(w, bc, m, n, k, mb, nb, mp, np, ac, bcOp, out, oOff + b0 * m * n, accumulate);
  }
  return true;
}

function matmulChunk(w: Instance, batch: number, m: number, n: number, k: number, mb: number, nb: number, mp: number, np: number, a: Operand, b: Operand, out: DataArray, oOff: number, accumulate: boolean): void {
  // operands in the heap are read where they are, else copied to scratch from DATA on; C is written
  // straight into a heap output when its tiles are exactly the output (no padding, no accumulation)
  const aSpan = (batch - 1) * a.bs + (m - 1) * a.rs + (k - 1) * a.cs + 1;
  const bSpan = (batch - 1) * b.bs + (k - 1) * b.rs + (n - 1) * b.cs + 1;
  const aBatch = mb * k * MR * 4;
  const [ha, hb, ho] = [heapAddress(w, a.data), heapAddress(w, b.data), heapAddress(w, out)];
  let end = DATA;
  const place = (bytes: number): number => {
    const at = end;
    end = align(end + bytes);
    return at;
  };
  const aRaw = ha >= 0 ? ha + a.off * 4 : place(aSpan * 4);
  const aPacked = place(batch * aBatch);
  const bRaw = hb >= 0 ? hb + b.off * 4 : place(bSpan * 4);
  const c0 = ho + oOff * 4, cBytes = batch * m * n * 4;
  const direct = ho >= 0 && mp === m && np === n && !accumulate && disjoint(c0, cBytes, ha < 0 ? -1 : aRaw, aSpan * 4) && disjoint(c0, cBytes, hb < 0 ? -1 : bRaw, bSpan * 4);
  const cAt = direct ? c0 : place(batch * mp * np * 4);
  const work = batch * m * n * k;
  announceUnits(w, batch * nb, work);
  const mem = ensure(w, end);
  if (ha < 0) copyIn(mem, aRaw, a, batch, m, k);
  // the workers pack A's row blocks (kind 5) while this thread copies B in, then it helps them finish
  setJob(w, { kind: 5, a: aPacked, aBatch, mb, k, h: m, b: aRaw, bBatch: a.bs * 4, brs: a.rs * 4, bcs: a.cs * 4 }, JOB2);
  const packing = startUnits(w, JOB2, batch * mb, work);
  if (hb < 0) copyIn(mem, bRaw, b, batch, k, n);
  finishUnits(packing);
  setJob(w, { kind: 0, a: aPacked, aBatch, mb, nb, k, n, b: bRaw, bBatch: b.bs * 4, brs: b.rs * 4, bcs: b.cs * 4, c: cAt, cBatch: mp * np * 4, ldc: np * 4, scratch: SCRATCH });
  runUnits(w, JOB, batch * nb, work);
  if (!direct) copyOut(ensure(w, 0), cAt, batch, m, n, mp, np, out, oOff, m * n, accumulate);
}

/** C[m×n] (contiguous at cOff) = A·B (or += with accumulate) in float32 on the SIMD kernels; false when it does not fit. */
export function gemmF32Wasm(w: Instance, m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): boolean {
  return matmulF32Wasm(w, 1, m, n, k, { ...a, bs: 0 }, { ...b, bs: 0 }, c, cOff, accumulate);
}

/** Rows of B packed at a time by the kernel (exported for tests that cross the KC boundary). */
export const kernelKC = KC;
