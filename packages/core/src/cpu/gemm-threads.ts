// Runs the SIMD kernels on several cores: worker threads instantiate the same module on the same
// shared WebAssembly memory and wait on Atomics. A call cuts its work units (batch item, column
// panel) into contiguous ranges, one per thread; the calling thread runs the first range itself and
// then waits on Atomics for the rest, so a call costs one notify per worker and no message passing.
// Each unit is computed exactly as on one thread, so results do not depend on the thread count.
// Node only for now (worker_threads, a blocking Atomics.wait on the main thread); elsewhere, or for
// small calls, everything runs on the calling thread.
import type { Instance } from "./wasm-gemm.js";

// control words per worker: [sequence, done, job, u0, u1, tid]
const WORDS = 6;
/** Calls with fewer multiply-adds than this stay on one thread (waking a worker costs ~20-50 µs). */
export const minParallelWork = 1 << 21;

interface Pool {
  readonly instance: Instance;
  readonly ctl: Int32Array;
  readonly size: number;
  readonly dead: { error?: string };
  readonly workers: { terminate(): unknown }[];
}

let pool: Pool | null | undefined;
let parallelCalls = 0;

/** Worker threads started and calls split across them so far (for tests and benchmarks). */
export function gemmThreadStats(): { workers: number; parallelCalls: number } {
  return { workers: pool ? pool.size : 0, parallelCalls };
}

const workerSource = `
const { workerData } = require("node:worker_threads");
const { bytes, memory, ctl: sab, slot } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
const run = inst.exports.gemm_run;
const ctl = new Int32Array(sab, slot * ${WORDS} * 4, ${WORDS});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, 0, seen);
  seen = Atomics.load(ctl, 0);
  run(ctl[2], ctl[3], ctl[4], ctl[5]);
  Atomics.store(ctl, 1, seen);
  Atomics.notify(ctl, 1);
}`;

type Proc = { env?: Record<string, string | undefined>; getBuiltinModule?: (m: string) => unknown };
const proc = (): Proc | undefined => (globalThis as { process?: Proc }).process;

/** Threads wanted in all: SCM_THREADS, else the machine's parallelism (at most 8). */
export function wantedThreads(): number {
  const env = proc()?.env?.SCM_THREADS;
  if (env !== undefined && env !== "") return Math.max(1, Math.min(16, Number(env) | 0));
  const os = proc()?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return Math.max(1, Math.min(8, os?.availableParallelism?.() ?? 1));
}

/** Why the kernels run on one thread only, or null when worker threads are available. */
export function singleThreadReason(w: Instance): string | null {
  if (!w.shared) return "SharedArrayBuffer (shared WebAssembly memory) is unavailable";
  if (!proc()?.getBuiltinModule?.("node:worker_threads")) return "worker threads are only used under Node here";
  return null;
}

function startPool(w: Instance): Pool | null {
  const wt = proc()?.getBuiltinModule?.("node:worker_threads") as
    | { Worker: new (src: string, o: object) => { unref(): void; terminate(): unknown; on(ev: string, f: (e: unknown) => void): void } }
    | undefined;
  const size = wantedThreads() - 1;
  if (!wt || !w.shared || size <= 0) return null;
  const sab = new SharedArrayBuffer(size * WORDS * 4);
  const dead: { error?: string } = {};
  const workers = [];
  for (let slot = 0; slot < size; slot++) {
    const worker = new wt.Worker(workerSource, { eval: true, workerData: { bytes: w.bytes, memory: w.memory, ctl: sab, slot } });
    worker.on("error", (e) => (dead.error = String(e)));
    worker.on("exit", () => (dead.error ??= "a gemm worker thread exited"));
    worker.unref();
    workers.push(worker);
  }
  return { instance: w, ctl: new Int32Array(sab), size, dead, workers };
}

/** Runs units [0, units) of the job record at `job` (bytes), split across the pool when `work` is large. */
export function runUnits(w: Instance, job: number, units: number, work: number): void {
  if (work < minParallelWork || units < 2) return w.run(job, 0, units, 0);
  if (pool && pool.instance !== w) {
    // a new module (tests re-detect the runtime): the old workers run the old memory
    for (const worker of pool.workers) worker.terminate();
    pool = undefined;
  }
  if (pool === undefined) pool = startPool(w);
  if (!pool || pool.dead.error) return w.run(job, 0, units, 0);
  const p = pool;
  parallelCalls++;
  const parts = Math.min(p.size + 1, units);
  const jobs: { slot: number; seq: number }[] = [];
  for (let t = 1; t < parts; t++) {
    const u0 = Math.floor((t * units) / parts), u1 = Math.floor(((t + 1) * units) / parts);
    const slot = t - 1;
    const c = p.ctl.subarray(slot * WORDS, slot * WORDS + WORDS);
    c[2] = job;
    c[3] = u0;
    c[4] = u1;
    c[5] = t;
    const seq = (Atomics.load(c, 0) + 1) | 0;
    Atomics.store(c, 0, seq);
    Atomics.notify(c, 0);
    jobs.push({ slot, seq });
  }
  w.run(job, 0, Math.floor(units / parts), 0);
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
