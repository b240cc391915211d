// Runs the SIMD kernels on several cores: worker threads (thread-platform.ts: worker_threads under
// Node, Web Workers in a browser) instantiate the same module on the same shared WebAssembly memory
// and wait on Atomics. A call publishes its job record and unit count, wakes the workers with one
// notify, and every thread (the calling one included) then claims chunks of work units (batch item,
// column panel) from a shared atomic counter until none are left; the caller waits until every unit
// is done. Chunks are guided: a claim takes 1/(2·threads) of the units still unclaimed (at least
// one, at most 1/(8·threads) of all), so early claims are few and large and the last ones single
// units, and no thread is left computing a big chunk while the others idle (nor holds much work
// when the OS stalls it: in a browser, its own threads compete for the cores too). A worker that
// the OS does not schedule in time (or that a browser has not started yet) simply gets no chunks, so
// a busy machine degrades to one thread instead of waiting on a stalled one. A sleeping thread takes
// 50–200 µs to wake on a VM (its virtual CPU has to be rescheduled), so a call announces itself
// (`announceUnits`) before the serial work that precedes its units (copying operands in, packing):
// the workers wake while that runs and poll until the units open. Waits also spin briefly before
// sleeping, as back-to-back calls are common; a browser's main thread, which may not sleep in
// Atomics.wait, only spins, and pauses splitting for a while when that cost more than it gave
// (spin-backoff.ts). Each unit is computed exactly as on one thread, so results do not
// depend on the thread count or the split. Small calls run on the calling thread. Units are run by
// gemm_run or, for elementwise kernels (wasm-map.ts), by the `units` function of the kernel's own
// module, which the caller sends each worker once before its first call (workers read it
// synchronously: Node only, so in a browser those kernels stay on the calling thread).
import { maxThreads, mayBlock, noSharedMemoryReason, setWantedThreads, spawnWorker, threadApi, wantedThreads, workersReceiveLater, type Spawned } from "./thread-platform.js";
import { newBackoff, paused, recordSplit } from "./spin-backoff.js";
import type { Instance } from "./wasm-gemm.js";

export { wantedThreads };

// shared control words: [sequence, next unit, units done, job, units, threads, workers inside
// takeChunks, a call is announced, the function that runs the units (0: gemm_run, i > 0: the
// units function of the i-th kernel module sent to the workers)]
const SEQ = 0, NEXT = 1, DONE = 2, JOBW = 3, UNITS = 4, THREADS = 5, ACTIVE = 6, ANNOUNCED = 7, FN = 8, WORDS = 9;
const PARKED = 1 << 30;
/** A claim takes at most units/(CHUNKS·threads) units, so a thread the OS stalls holds little work. */
const CHUNKS = 8;
/** Milliseconds a worker polls for the next call before it sleeps (back-to-back calls skip the wake-up). */
const idleSpinMs = 0.2;
/** Milliseconds a worker woken by an announcement polls for its units to open before it gives up. */
const announcedSpinMs = 5;
/** Calls with fewer multiply-adds than this stay on one thread (waking a worker costs ~20-50 µs). */
export const minParallelWork = 1 << 21;

/** The worker threads of one kernel module and their control words. */
export interface Pool {
  readonly instance: Instance;
  readonly ctl: Int32Array;
  readonly size: number;
  readonly dead: { error?: string };
  readonly workers: Spawned[];
  /** Kernel modules sent to the workers, by their function id (1, 2, …). */
  readonly kernels: Map<object, number>;
}

/** A function over work units of a job record: `run(job, u0, u1, tid)`, as gemm_run is. */
export type UnitsFn = (job: number, u0: number, u1: number, tid: number) => void;

/**
 * A kernel module other than the GEMM one, whose exported function `units` runs work units the way
 * gemm_run does; `run` is that export in this thread's instance. Workers instantiate the module
 * themselves, where they can receive it (`workersReceiveLater`).
 */
export interface UnitsKernel {
  readonly module: object;
  readonly run: UnitsFn;
}

let pool: Pool | null | undefined;
const stats = { parallelCalls: 0, units: 0, callerUnits: 0, waitMs: 0, pausedCalls: 0 };
// splitting paused after costly spinning waits, for a caller that may not block (spin-backoff.ts)
const backoff = newBackoff();

/** How the CPU backend's products and convolutions were split across threads (`cpuThreadStats`). */
export interface CpuThreadStats {
  /** Threads wanted in all, the calling one included (`setCpuThreads`, SCM_THREADS or the machine's). */
  readonly threads: number;
  /** Worker threads started (0 until the first call large enough to split, or when there are none). */
  readonly workers: number;
  /** Calls split across the threads so far (a product is two: packing A, then multiplying). */
  readonly parallelCalls: number;
  /** Work units of those calls (one unit: a column panel of a batch item, a row block of A to pack, an input plane to pad, or a stretch of an elementwise kernel's outputs). */
  readonly units: number;
  /** Of those units, how many the calling thread computed (an even split: units / threads). */
  readonly callerUnits: number;
  /** Milliseconds, in all, that the calling thread waited for the workers after its last chunk. */
  readonly waitMs: number;
  /**
   * Calls run on the calling thread alone because splitting was paused: a caller that may not block
   * (a browser's main thread) pauses it after waiting longer than it computed (a busy machine).
   */
  readonly pausedCalls: number;
}

/**
 * How the work was split so far: for tests and benchmarks, a caller share near 1/threads and a
 * small wait mean an even split; a caller share of 1 means the workers took no part.
 */
export function gemmThreadStats(): CpuThreadStats {
  return { threads: wantedThreads(), workers: pool ? pool.size : 0, ...stats };
}

// Claims chunks until the counter passes the unit count, by compare-exchange so the chunk can depend
// on what is left; returns the units this thread computed. The counter is parked at 2^30 between
// calls, and a call returns only once no worker is inside this loop, so a late worker either gets
// nothing or units of the call now published: its job, unit count and thread count were stored
// before the counter opened, and are re-read after a successful claim (a claim sized from a stale
// count is clamped to the current one), as is the function that runs them.
const takeChunks = `(ctl, runFor, tid) => {
  let mine = 0;
  for (;;) {
    const u = Atomics.load(ctl, ${NEXT});
    if (u >= Atomics.load(ctl, ${UNITS})) return mine;
    const t = Atomics.load(ctl, ${THREADS}), n = Atomics.load(ctl, ${UNITS});
    const c = Math.max(1, Math.min(Math.floor((n - u) / (2 * t)), Math.ceil(n / (${CHUNKS} * t))));
    if (Atomics.compareExchange(ctl, ${NEXT}, u, u + c) !== u) continue;
    const units = Atomics.load(ctl, ${UNITS});
    if (u >= units) return mine;
    const end = Math.min(units, u + c);
    runFor(Atomics.load(ctl, ${FN}))(Atomics.load(ctl, ${JOBW}), u, end, tid);
    mine += end - u;
    Atomics.add(ctl, ${DONE}, end - u);
    Atomics.notify(ctl, ${DONE});
  }
}`;
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const takeChunksHere = new Function(`return ${takeChunks}`)() as (ctl: Int32Array, runFor: (fn: number) => UnitsFn, tid: number) => number;

// A worker's whole life: instantiate the module on the shared memory, then take chunks of every call;
// function i > 0 is the i-th kernel module received, instantiated when a call first needs it (the
// caller sends a module before the first call that uses it, so it is there to be received).
const workerMain = `({ module, memory, ctl: sab, slot }, receive) => {
  const fns = [new WebAssembly.Instance(module, { env: { mem: memory } }).exports.gemm_run];
  const runFor = (id) => {
    while (fns.length <= id) {
      const m = receive();
      if (m === undefined) throw new Error("kernel module " + id + " never reached this worker");
      fns.push(new WebAssembly.Instance(m, { env: { mem: memory } }).exports.units);
    }
    return fns[id];
  };
  const ctl = new Int32Array(sab);
  const takeChunks = ${takeChunks};
  let seen = 0;
  for (;;) {
    let t0 = performance.now();
    while (Atomics.load(ctl, ${SEQ}) === seen && performance.now() - t0 < ${idleSpinMs});
    Atomics.wait(ctl, ${SEQ}, seen);
    seen = Atomics.load(ctl, ${SEQ});
    Atomics.add(ctl, ${ACTIVE}, 1);
    t0 = performance.now();
    while (Atomics.load(ctl, ${NEXT}) >= ${PARKED} && Atomics.load(ctl, ${ANNOUNCED}) && performance.now() - t0 < ${announcedSpinMs});
    takeChunks(ctl, runFor, slot + 1);
    Atomics.sub(ctl, ${ACTIVE}, 1);
    Atomics.notify(ctl, ${ACTIVE});
  }
}`;

/** Why the kernels run on one thread only, or null when worker threads are available. */
export function singleThreadReason(w: Instance): string | null {
  if (!w.shared) return noSharedMemoryReason();
  if (!threadApi()) return "this runtime has neither Node's worker_threads nor Web Workers";
  if (startError) return `its worker threads could not be started (${startError})`;
  return null;
}

let startError = "";

function startPool(w: Instance): Pool | null {
  const size = wantedThreads() - 1;
  if (!threadApi() || !w.shared || size <= 0) return null;
  const sab = new SharedArrayBuffer(WORDS * 4);
  const ctl = new Int32Array(sab);
  ctl[NEXT] = PARKED;
  const dead: { error?: string } = {};
  const workers: Spawned[] = [];
  try {
    for (let slot = 0; slot < size; slot++) {
      workers.push(spawnWorker(workerMain, { module: w.module, memory: w.memory, ctl: sab, slot }, (why) => (dead.error ??= why)));
    }
  } catch (e) {
    for (const worker of workers) worker.terminate();
    startError = e instanceof Error ? e.message : String(e);
    console.warn(`scm-ts: the CPU backend's WebAssembly SIMD kernels run on one thread because ${singleThreadReason(w)}`);
    return null;
  }
  return { instance: w, ctl, size, dead, workers, kernels: new Map() };
}

// The pool for this module (started on first use), or null when work of this size stays on the
// caller or splitting is paused (a call, not an announcement, counts as paused).
function poolFor(w: Instance, units: number, work: number, call = false): Pool | null {
  if (work < minParallelWork || units < 2) return null;
  if (paused(backoff, performance.now())) {
    if (call) stats.pausedCalls++;
    return null;
  }
  if (pool && pool.instance !== w) {
    // a new module (tests re-detect the runtime): the old workers run the old memory
    for (const worker of pool.workers) worker.terminate();
    pool = undefined;
  }
  if (pool === undefined) pool = startPool(w);
  if (!pool?.dead.error) return pool ?? null;
  if (!startError) {
    startError = `a worker failed: ${pool.dead.error}`;
    console.warn(`scm-ts: the CPU backend's WebAssembly SIMD kernels now run on one thread because ${singleThreadReason(w)}`);
  }
  return null;
}

/**
 * Sets how many threads the CPU backend's SIMD kernels use in all, the calling one included (1: no
 * worker threads), or with no argument goes back to the default: SCM_THREADS under Node, else the
 * machine's parallelism, at most 8. Running workers stop; the next large call starts as many as
 * wanted. In a browser this is the only way to choose (it has no environment variables).
 */
export function setCpuThreads(threads?: number): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= maxThreads)) {
    throw new Error(`setCpuThreads: threads must be an integer from 1 to ${maxThreads} (got ${threads}); call it with no argument for the default`);
  }
  setWantedThreads(threads);
  if (pool) for (const worker of pool.workers) worker.terminate();
  pool = undefined;
  startError = "";
  Object.assign(backoff, newBackoff());
}

/**
 * Wakes the workers for a `runUnits(w, …, units, work)` that follows shortly (after the caller's
 * serial preparation), so they are running, not asleep, when its units open. Without a following
 * call they go back to sleep after a few milliseconds.
 */
export function announceUnits(w: Instance, units: number, work: number, kernel?: UnitsKernel): void {
  const p = kernel && !workersReceiveLater() ? null : poolFor(w, units, work);
  if (!p) return;
  Atomics.store(p.ctl, ANNOUNCED, 1);
  Atomics.add(p.ctl, SEQ, 1);
  Atomics.notify(p.ctl, SEQ);
}

/** A call published by `startUnits`, to be finished by `finishUnits`. */
export interface StartedUnits {
  readonly run: UnitsFn;
  readonly pool: Pool | null;
  readonly job: number;
  readonly units: number;
}

/**
 * Publishes units [0, units) of the job record at `job` (bytes) — run by gemm_run, or by `kernel`'s
 * function — to the workers, when `work` (multiply-adds, or their equivalent) is large and the
 * workers can run that function, without taking any yet: the caller may do other serial work (copy
 * the next operand in) while the workers start on them, and must then call `finishUnits`.
 */
export function startUnits(w: Instance, job: number, units: number, work: number, kernel?: UnitsKernel): StartedUnits {
  const run = kernel?.run ?? w.run;
  const p = kernel && !workersReceiveLater() ? null : poolFor(w, units, work, true);
  if (p) {
    let fn = 0;
    if (kernel) {
      fn = p.kernels.get(kernel.module) ?? 0;
      if (!fn) {
        fn = p.kernels.size + 1;
        for (const worker of p.workers) worker.postMessage(kernel.module);
        p.kernels.set(kernel.module, fn);
      }
    }
    stats.parallelCalls++;
    stats.units += units;
    const ctl = p.ctl;
    // park the counter, publish the call, then open the counter and wake the workers (those woken by
    // an announcement are polling the counter already)
    Atomics.store(ctl, NEXT, PARKED);
    Atomics.store(ctl, JOBW, job);
    Atomics.store(ctl, UNITS, units);
    Atomics.store(ctl, THREADS, p.size + 1);
    Atomics.store(ctl, FN, fn);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, 0);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
  }
  return { run, pool: p, job, units };
}

/** Takes the units of a started call that the workers have not, and returns once every unit is done. */
export function finishUnits({ run, pool: p, job, units }: StartedUnits): void {
  if (!p) return run(job, 0, units, 0);
  const ctl = p.ctl;
  const start = performance.now();
  stats.callerUnits += takeChunksHere(ctl, () => run, 0);
  const t0 = performance.now();
  waitFor(p, t0, () => Atomics.load(ctl, DONE) < units, DONE);
  // park the counter and let any worker still inside takeChunks leave before the next call
  Atomics.store(ctl, ANNOUNCED, 0);
  Atomics.store(ctl, NEXT, PARKED);
  waitFor(p, t0, () => Atomics.load(ctl, ACTIVE) !== 0, ACTIVE);
  const end = performance.now();
  stats.waitMs += end - t0;
  if (!mayBlock()) recordSplit(backoff, t0 - start, end - t0, end);
}

/** Runs units [0, units) of the job record at `job` (bytes), by gemm_run or `kernel`, split across the pool when `work` is large. */
export function runUnits(w: Instance, job: number, units: number, work: number, kernel?: UnitsKernel): void {
  finishUnits(startUnits(w, job, units, work, kernel));
}

// Waits while `busy()`: spins for up to 50 µs (a worker finishing its last unit is usually that close),
// then sleeps on the control word `word` in 1 s slices (or, where this thread may not block, keeps
// spinning); fails after 60 s or when a worker died.
function waitFor(p: Pool, t0: number, busy: () => boolean, word: number): void {
  while (busy() && performance.now() - t0 < 0.05);
  const sleep = mayBlock();
  while (busy()) {
    if (p.dead.error || performance.now() - t0 > 60_000) throw new Error(`gemm worker thread failed: ${p.dead.error ?? "no answer in 60 s"}`);
    const v = Atomics.load(p.ctl, word);
    if (sleep && busy()) Atomics.wait(p.ctl, word, v, 1000);
  }
}
