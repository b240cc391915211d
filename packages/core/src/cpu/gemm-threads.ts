// Runs the SIMD kernels on several cores: worker threads instantiate the same module on the same
// shared WebAssembly memory and wait on Atomics. A call publishes its job record and unit count,
// wakes the workers with one notify, and every thread (the calling one included) then takes chunks
// of work units (batch item, column panel) from a shared atomic counter until none are left; the
// caller waits until every unit is done. A worker that the OS does not schedule in time simply gets
// no chunks, so a busy machine degrades to one thread instead of waiting on a stalled one. Each unit
// is computed exactly as on one thread, so results do not depend on the thread count or the split.
// Node only for now (worker_threads, a blocking Atomics.wait on the main thread); elsewhere, or for
// small calls, everything runs on the calling thread.
import type { Instance } from "./wasm-gemm.js";

// shared control words: [sequence, next unit, units done, job, units, chunk, workers inside takeChunks]
const SEQ = 0, NEXT = 1, DONE = 2, JOBW = 3, UNITS = 4, CHUNK = 5, ACTIVE = 6, WORDS = 7;
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

// Takes chunks until the counter passes the unit count; job and units are read after each take. The
// counter is parked at 2^30 between calls, and a call returns only once no worker is inside this
// loop, so a late worker either gets nothing or units of the call now published (whose job and unit
// count were stored before the counter opened), which it computes and counts like any other thread.
const takeChunks = `(ctl, run, tid) => {
  for (;;) {
    const c = Atomics.load(ctl, ${CHUNK});
    const u = Atomics.add(ctl, ${NEXT}, c);
    const units = Atomics.load(ctl, ${UNITS});
    if (u >= units) return;
    const end = Math.min(units, u + c);
    run(Atomics.load(ctl, ${JOBW}), u, end, tid);
    Atomics.add(ctl, ${DONE}, end - u);
    Atomics.notify(ctl, ${DONE});
  }
}`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const takeChunksHere = new Function(`return ${takeChunks}`)() as (ctl: Int32Array, run: Instance["run"], tid: number) => void;

const workerSource = `
const { workerData } = require("node:worker_threads");
const { bytes, memory, ctl: sab, slot } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
const run = inst.exports.gemm_run;
const ctl = new Int32Array(sab);
const takeChunks = ${takeChunks};
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  Atomics.add(ctl, ${ACTIVE}, 1);
  takeChunks(ctl, run, slot + 1);
  Atomics.sub(ctl, ${ACTIVE}, 1);
  Atomics.notify(ctl, ${ACTIVE});
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
  const sab = new SharedArrayBuffer(WORDS * 4);
  const dead: { error?: string } = {};
  const workers = [];
  for (let slot = 0; slot < size; slot++) {
    const worker = new wt.Worker(workerSource, { eval: true, workerData: { bytes: w.bytes, memory: w.memory, ctl: sab, slot } });
    worker.on("error", (e) => (dead.error = String(e)));
    worker.on("exit", () => (dead.error ??= "a gemm worker thread exited"));
    worker.unref();
    workers.push(worker);
  }
  const ctl = new Int32Array(sab);
  ctl[NEXT] = 1 << 30;
  return { instance: w, ctl, size, dead, workers };
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
  const ctl = p.ctl, threads = p.size + 1;
  // park the counter, publish the call, then open the counter and wake the workers
  Atomics.store(ctl, NEXT, 1 << 30);
  Atomics.store(ctl, JOBW, job);
  Atomics.store(ctl, UNITS, units);
  Atomics.store(ctl, CHUNK, Math.max(1, Math.floor(units / (4 * threads))));
  Atomics.store(ctl, DONE, 0);
  Atomics.store(ctl, NEXT, 0);
  Atomics.add(ctl, SEQ, 1);
  Atomics.notify(ctl, SEQ);
  takeChunksHere(ctl, w.run, 0);
  const t0 = Date.now();
  let done: number;
  while ((done = Atomics.load(ctl, DONE)) < units) {
    if (p.dead.error || Date.now() - t0 > 60_000) throw new Error(`gemm worker thread failed: ${p.dead.error ?? "no answer in 60 s"}`);
    Atomics.wait(ctl, DONE, done, 1000);
  }
  // park the counter and let any worker still inside takeChunks leave before the next call
  Atomics.store(ctl, NEXT, 1 << 30);
  let active: number;
  while ((active = Atomics.load(ctl, ACTIVE)) !== 0) {
    if (p.dead.error || Date.now() - t0 > 60_000) throw new Error(`gemm worker thread failed: ${p.dead.error ?? "no answer in 60 s"}`);
    Atomics.wait(ctl, ACTIVE, active, 1000);
  }
}
