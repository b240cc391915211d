// Runs the SIMD gemm kernel on several cores: worker threads instantiate the same module on the
// same shared WebAssembly memory, each computes a contiguous range of 4-row panels of C, and the
// calling thread computes one range itself and waits on Atomics for the rest. Row ranges are
// disjoint and each is computed exactly as on one thread, so results do not depend on the thread
// count. Node only for now (worker_threads, blocking Atomics.wait on the main thread); elsewhere,
// or for small products, the kernel runs on the calling thread.
import type { GemmKernel, Instance } from "./wasm-gemm.js";

// control words per worker: [sequence, done, aPtr, bPtr, cPtr, mBlocks, nBlocks, K, ldc]
const WORDS = 9;
/** Products smaller than this many multiply-adds stay on one thread (waking workers costs ~50 µs). */
const minParallelWork = 1 << 21;

interface Pool {
  readonly ctl: Int32Array;
  readonly size: number;
  readonly dead: { error?: string };
}

let pool: Pool | null | undefined;
let parallelCalls = 0;

/** Worker threads started and products split across them so far (for tests and benchmarks). */
export function gemmThreadStats(): { workers: number; parallelCalls: number } {
  return { workers: pool ? pool.size : 0, parallelCalls };
}

const workerSource = `
const { workerData } = require("node:worker_threads");
const { bytes, memory, ctl: sab, slot } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
const ctl = new Int32Array(sab, slot * ${WORDS} * 4, ${WORDS});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  inst.exports.gemm(ctl[2], ctl[3], ctl[4], ctl[5], ctl[6], ctl[7], ctl[8]);
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}`;

/** Number of extra threads: SCM_THREADS (total threads) or the machine's parallelism, minus this one. */
function wantedWorkers(): number {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (m: string) => unknown } }).process;
  const env = proc?.env?.SCM_THREADS;
  if (env !== undefined) return Math.max(0, Math.min(15, (Number(env) | 0) - 1));
  const os = proc?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return Math.max(0, Math.min(7, (os?.availableParallelism?.() ?? 1) - 1));
}

function startPool(w: Instance): Pool | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.("node:worker_threads") as
    | { Worker: new (src: string, o: object) => { unref(): void; on(ev: string, f: (e: unknown) => void): void } }
    | undefined;
  const size = wantedWorkers();
  if (!wt || !w.shared || size === 0) return null;
  const sab = new SharedArrayBuffer(size * WORDS * 4);
  const dead: { error?: string } = {};
  for (let slot = 0; slot < size; slot++) {
    const worker = new wt.Worker(workerSource, { eval: true, workerData: { bytes: w.bytes, memory: w.memory, ctl: sab, slot } });
    worker.on("error", (e) => (dead.error = String(e)));
    worker.on("exit", () => (dead.error ??= "a gemm worker thread exited"));
    worker.unref();
  }
  return { ctl: new Int32Array(sab), size, dead };
}

/** C = A·B on packed panels: (aPtr, bPtr, cPtr in bytes; mb × nb panels; K; ldc floats). */
export function runGemm(w: Instance, aPtr: number, bPtr: number, cPtr: number, mb: number, nb: number, k: number, ldc: number): void {
  if (mb * nb * 32 * k < minParallelWork || mb < 2) return w.gemm(aPtr, bPtr, cPtr, mb, nb, k, ldc);
  if (pool === undefined) pool = startPool(w);
  if (!pool || pool.dead.error) return w.gemm(aPtr, bPtr, cPtr, mb, nb, k, ldc);
  const p = pool;
  parallelCalls++;
  const parts = Math.min(p.size + 1, mb);
  const per = Math.ceil(mb / parts);
  const jobs: { slot: number; seq: number }[] = [];
  let start = per; // the calling thread takes panels [0, per)
  for (let slot = 0; slot < parts - 1 && start < mb; slot++) {
    const count = Math.min(per, mb - start);
    const c = p.ctl.subarray(slot * WORDS, slot * WORDS + WORDS);
    c.set([aPtr + start * k * 16, bPtr, cPtr + start * 4 * ldc * 4, count, nb, k, ldc], 2);
    const seq = (Atomics.load(c, 0) + 1) | 0;
    Atomics.store(c, 0, seq);
    Atomics.notify(c, 0);
    jobs.push({ slot, seq });
    start += count;
  }
  (w.gemm as GemmKernel)(aPtr, bPtr, cPtr, Math.min(per, mb), nb, k, ldc);
  for (const { slot, seq } of jobs) {
    const c = p.ctl.subarray(slot * WORDS, slot * WORDS + WORDS);
    let done: number;
    const t0 = Date.now();
    while ((done = Atomics.load(c, 1)) !== seq) {
      if (p.dead.error || Date.now() - t0 > 60_000) throw new Error(`gemm worker thread failed: ${p.dead.error ?? "no answer in 60 s"}`);
      Atomics.wait(c, 1, done, 1000);
    }
  }
}
