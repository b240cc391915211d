// Host side of the WebAssembly SIMD kernels (wasm-kernels.ts): compiles the module once (relaxed
// SIMD multiply-add where the runtime validates it, on shared memory where the runtime allows), and
// runs float32 products and convolutions on it. A call copies its operands into the module's memory
// (one typed-array copy each), packs A, writes a job record, runs the work units on the thread pool
// (gemm-threads.ts) and copies C out. C is kept padded to whole MR×NR tiles in wasm memory, so the
// kernel has no edge cases; accumulation is in float32.
import type { DataArray } from "../dtype.js";
import type { ConvSpec } from "../ir/kernel.js";
import type { MatView } from "./gemm.js";
import { announceUnits, runUnits } from "./gemm-threads.js";
import { J, kernelModuleBytes, KC, maxPanels, maxSharedPages, MR, NR, relaxedProbeBytes, scratchBytes } from "./wasm-kernels.js";

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

// Memory layout: [job record | per-thread B scratch (16 threads) | call data …]
const JOB = 0, SCRATCH = 128, DATA = SCRATCH + 16 * scratchBytes;
const align = (x: number) => Math.ceil(x / 64) * 64;

// Views of the memory, remade only when it grows (or the module changes).
let views: { buffer: ArrayBuffer; f32: Float32Array; job: Int32Array } | null = null;

function view(w: Instance): { f32: Float32Array; job: Int32Array } {
  const buffer = w.memory.buffer;
  if (!views || views.buffer !== buffer || views.f32.length * 4 !== buffer.byteLength) {
    views = { buffer, f32: new Float32Array(buffer), job: new Int32Array(buffer, JOB, J.words) };
  }
  return views;
}

function ensure(w: Instance, bytes: number): Float32Array {
  const have = w.memory.buffer.byteLength;
  if (bytes > have) w.memory.grow(Math.ceil((bytes - have) / 65536));
  return view(w).f32;
}

/** A float32 view of the kernels' memory, grown first to at least `bytes` (for other kernels on the same memory). */
export const kernelMemoryF32 = ensure;

/** Instantiates another module (from moduleBytes, with the same sharing) on the kernels' memory; returns its exports. */
export function instantiateOnKernelMemory(w: Instance, bytes: Uint8Array): Record<string, unknown> {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: w.memory } }).exports;
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

function setJob(w: Instance, fields: Partial<Record<keyof typeof J, number>>): void {
  const words = view(w).job;
  words.fill(0);
  for (const k in fields) words[J[k as keyof typeof J]] = fields[k as keyof typeof J]!;
}

/** Copies the padded C tiles out: out[oOff + b·oBatch + i·n + j] (+)= C[b][i][j]. */
function copyOut(mem: Float32Array, cAt: number, batch: number, m: number, n: number, mp: number, np: number, out: DataArray, oOff: number, oBatch: number, accumulate: boolean): void {
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

/** Bytes of wasm memory a call may use (the shared memory's reserved maximum, less a margin). */
let maxCallBytes = (maxSharedPages - 64) * 65536;

/** For tests: lowers the memory a call may use (so batches run in chunks or fall back), or restores it. */
export function setMaxCallBytesForTests(bytes?: number): void {
  maxCallBytes = bytes ?? (maxSharedPages - 64) * 65536;
}

const stats = { chunked: 0, tooLarge: 0 };

/** Calls run in several chunks, and calls refused as too large (for tests). */
export function wasmCallStats(): { chunked: number; tooLarge: number } {
  return { ...stats };
}

/** Where call data starts in the kernels' memory (bytes; for tests that set a memory limit). */
export const callDataStart = DATA;

/** Batch items per call so a call fits in `maxCallBytes` (0: not even one item fits). */
function chunkOf(batch: number, fixed: number, perItem: number): number {
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
  const aRaw = DATA;
  const aSpan = (batch - 1) * a.bs + (m - 1) * a.rs + (k - 1) * a.cs + 1;
  const aPacked = align(aRaw + aSpan * 4);
  const aBatch = mb * k * MR * 4;
  const bRaw = align(aPacked + batch * aBatch);
  const bSpan = (batch - 1) * b.bs + (k - 1) * b.rs + (n - 1) * b.cs + 1;
  const cAt = align(bRaw + bSpan * 4);
  announceUnits(w, batch * nb, batch * m * n * k);
  const mem = ensure(w, cAt + batch * mp * np * 4);
  copyIn(mem, aRaw, a, batch, m, k);
  for (let i = 0; i < batch; i++) w.packA(aRaw + i * a.bs * 4, a.rs * 4, a.cs * 4, m, k, aPacked + i * aBatch, mb);
  copyIn(mem, bRaw, b, batch, k, n);
  setJob(w, { kind: 0, a: aPacked, aBatch, mb, nb, k, n, b: bRaw, bBatch: b.bs * 4, brs: b.rs * 4, bcs: b.cs * 4, c: cAt, cBatch: mp * np * 4, ldc: np * 4, scratch: SCRATCH });
  runUnits(w, JOB, batch * nb, batch * m * n * k);
  copyOut(ensure(w, 0), cAt, batch, m, n, mp, np, out, oOff, m * n, accumulate);
}

/** C[m×n] (contiguous at cOff) = A·B (or += with accumulate) in float32 on the SIMD kernels; false when it does not fit. */
export function gemmF32Wasm(w: Instance, m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): boolean {
  return matmulF32Wasm(w, 1, m, n, k, { ...a, bs: 0 }, { ...b, bs: 0 }, c, cOff, accumulate);
}

/**
 * NR-column panels per convolution work unit: they share the kernel's per-row index arithmetic
 * while packing, so more is cheaper, but a unit must stay within one output row (stride 1 only).
 */
function panelsPerUnit(s: ConvSpec): number {
  for (let p = maxPanels; p > 1; p >>= 1) if (s.stride[1] === 1 && s.ow % (p * NR) === 0) return p;
  return 1;
}

/**
 * y = conv2d(x, w) in float32 by implicit GEMM: per group, Y_n (og × oh·ow) = W_g (og × cg·kh·kw) · cols(x_n),
 * where the kernel gathers the im2col matrix from x while packing B. Returns false (computing nothing)
 * when one image does not fit in the kernels' memory; larger batches run in chunks of images.
 */
export function convF32Wasm(w: Instance, s: ConvSpec, x: DataArray, wts: DataArray, out: DataArray): boolean {
  const cg = s.cin / s.groups, og = s.cout / s.groups, kk = cg * s.kh * s.kw, hw = s.oh * s.ow;
  const mb = Math.ceil(og / MR), nb = Math.ceil(hw / NR), mp = mb * MR, np = nb * NR;
  const plane = s.h * s.w, panels = panelsPerUnit(s), units = Math.ceil(nb / panels);
  // stride 1 along rows, padding ≥ 0 and whole panels per output row: B rows are read from a
  // zero-padded copy of the input through a table of row offsets (kind 3), with no bounds arithmetic
  const [ph, pw] = s.padding, padded = s.stride[1] === 1 && ph >= 0 && pw >= 0 && s.ow % NR === 0;
  const hp = padded ? s.h + 2 * ph : 0, wp = padded ? s.w + 2 * pw : 0;
  const fixed = (s.cout * kk + mb * kk * MR + kk) * 4 + 5 * 64;
  const chunk = chunkOf(s.n, fixed, (s.cin * (plane + hp * wp) + mp * np) * 4);
  if (chunk === 0) return false;
  const wRaw = DATA;
  const aPacked = align(wRaw + s.cout * kk * 4);
  const tabAt = align(aPacked + mb * kk * MR * 4);
  const xRaw = align(tabAt + kk * 4);
  let mem = ensure(w, 0);
  for (let n0 = 0; n0 < s.n; n0 += chunk) {
    const nc = Math.min(chunk, s.n - n0);
    const xPad = align(xRaw + nc * s.cin * plane * 4), cAt = align(xPad + nc * s.cin * hp * wp * 4);
    announceUnits(w, nc * units, nc * og * hw * kk);
    mem = ensure(w, cAt + nc * mp * np * 4);
    if (n0 === 0) {
      mem.set(wts.subarray(0, s.cout * kk) as ArrayLike<number>, wRaw / 4);
      // tab[(c·kh + u)·kw + v] = (c·hp·wp + u·wp + v)·4: row (c, u, v) relative to the panel's origin
      const tab = new Int32Array(w.memory.buffer, tabAt, kk);
      for (let c = 0, t = 0; c < cg; c++) for (let u = 0; u < s.kh; u++) for (let v = 0; v < s.kw; v++) tab[t++] = (c * hp * wp + u * wp + v) * 4;
    }
    mem.set(x.subarray(n0 * s.cin * plane, (n0 + nc) * s.cin * plane) as ArrayLike<number>, xRaw / 4);
    if (padded) {
      setJob(w, { kind: 4, b: xRaw, c: xPad, cBatch: hp * wp * 4, h: s.h, w: s.w, ph, pw });
      runUnits(w, JOB, nc * s.cin, 4 * nc * s.cin * hp * wp);
    }
    for (let g = 0; g < s.groups; g++) {
      w.packA(wRaw + g * og * kk * 4, kk * 4, 4, og, kk, aPacked, mb);
      const geometry = { kh: s.kh, kw: s.kw, ow: s.ow, sh: s.stride[0], sw: s.stride[1], ph, pw };
      setJob(w, {
        a: aPacked, aBatch: 0, mb, nb: units, panels, k: kk, n: hw, c: cAt, cBatch: mp * np * 4, ldc: np * 4, scratch: SCRATCH, ...geometry,
        ...(padded
          ? { kind: 3, b: xPad + g * cg * hp * wp * 4, bBatch: s.cin * hp * wp * 4, h: hp, w: wp, tab: tabAt }
          : { kind: 1, b: xRaw + g * cg * plane * 4, bBatch: s.cin * plane * 4, h: s.h, w: s.w }),
      });
      runUnits(w, JOB, nc * units, nc * og * hw * kk);
      mem = ensure(w, 0);
      copyOut(mem, cAt, nc, og, hw, mp, np, out, (n0 * s.cout + g * og) * hw, s.cout * hw, false);
    }
  }
  return true;
}

/**
 * dW = conv2dWeightGrad(x, ct) in float32: per group, dW_g (og × cg·kh·kw) = Σ_n CT_g,n (og × oh·ow) · cols(x_n)ᵀ.
 * The kernel writes each image's im2col matrix into its memory (kind 2, split across threads), then a
 * GEMM per image reads it transposed (B[pixel, (c,u,v)]) and accumulates into C in place. Returns
 * false when one image does not fit in the kernels' memory.
 */
export function convWeightGradF32Wasm(w: Instance, s: ConvSpec, x: DataArray, ct: DataArray, out: DataArray): boolean {
  const cg = s.cin / s.groups, og = s.cout / s.groups, kk = cg * s.kh * s.kw, hw = s.oh * s.ow, plane = s.h * s.w;
  const mb = Math.ceil(og / MR), mp = mb * MR;
  const nbCols = Math.ceil(hw / NR), ldCols = nbCols * NR; // im2col rows, padded to whole panels
  const panels = panelsPerUnit(s), colUnits = Math.ceil(nbCols / panels);
  const nb = Math.ceil(kk / NR), np = nb * NR;
  const fixed = (mp * np + mb * hw * MR) * 4 + 5 * 64;
  const chunk = chunkOf(s.n, fixed, (s.cin * plane + s.cout * hw + kk * ldCols) * 4);
  if (chunk === 0) return false;
  const cAt = DATA, aPacked = align(cAt + mp * np * 4), xRaw = align(aPacked + mb * hw * MR * 4);
  for (let g = 0; g < s.groups; g++) {
    for (let n0 = 0; n0 < s.n; n0 += chunk) {
      const nc = Math.min(chunk, s.n - n0);
      const ctRaw = align(xRaw + nc * s.cin * plane * 4), cols = align(ctRaw + nc * s.cout * hw * 4);
      const mem = ensure(w, cols + nc * kk * ldCols * 4);
      mem.set(x.subarray(n0 * s.cin * plane, (n0 + nc) * s.cin * plane) as ArrayLike<number>, xRaw / 4);
      mem.set(ct.subarray(n0 * s.cout * hw, (n0 + nc) * s.cout * hw) as ArrayLike<number>, ctRaw / 4);
      setJob(w, {
        kind: 2, mb: 0, nb: colUnits, panels, k: kk, n: hw, b: xRaw + g * cg * plane * 4, bBatch: s.cin * plane * 4,
        c: cols, cBatch: kk * ldCols * 4, ldc: ldCols * 4, scratch: SCRATCH,
        h: s.h, w: s.w, kh: s.kh, kw: s.kw, ow: s.ow, sh: s.stride[0], sw: s.stride[1], ph: s.padding[0], pw: s.padding[1],
      });
      runUnits(w, JOB, nc * colUnits, nc * kk * hw);
      for (let i = 0; i < nc; i++) {
        w.packA(ctRaw + (i * s.cout + g * og) * hw * 4, hw * 4, 4, og, hw, aPacked, mb);
        setJob(w, {
          kind: 0, a: aPacked, mb, nb, k: hw, n: kk, b: cols + i * kk * ldCols * 4, brs: 4, bcs: ldCols * 4,
          c: cAt, ldc: np * 4, scratch: SCRATCH, accumulate: n0 + i > 0 ? 1 : 0,
        });
        runUnits(w, JOB, nb, og * kk * hw);
      }
    }
    copyOut(ensure(w, 0), cAt, 1, og, kk, mp, np, out, g * og * kk, 0, false);
  }
  return true;
}

/** Rows of B packed at a time by the kernel (exported for tests that cross the KC boundary). */
export const kernelKC = KC;
