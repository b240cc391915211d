// Where the CPU kernels' helper threads come from, and what the calling thread may do while it waits
// for them. Under Node they are worker_threads started from source; in a browser they are
// Web Workers started from a Blob URL, and the compiled module, the shared WebAssembly memory and the
// control words reach them by postMessage — which a browser allows only on a cross-origin isolated
// page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
// require-corp), the same condition under which it has SharedArrayBuffer at all. A browser's main
// thread may not block in Atomics.wait, so there the caller spins on the control words instead.
// A worker never returns to its event loop, so it can take messages sent later (the modules of
// elementwise kernels compiled after it started) only where it can read them synchronously: under
// Node (receiveMessageOnPort), not in a browser.
// Also here: how many threads to use (as set by `setCpuThreads`, else SCM_THREADS under Node, else the
// machine's parallelism, at most 8).

/** The worker API this runtime offers: Node's worker_threads, Web Workers, or none. */
export type ThreadApi = "node" | "web" | null;

type Proc = { env?: Record<string, string | undefined>; getBuiltinModule?: (m: string) => unknown };
const proc = (): Proc | undefined => (globalThis as { process?: Proc }).process;

interface NodeWorker {
  unref(): void;
  terminate(): unknown;
  postMessage(data: unknown): void;
  on(ev: string, f: (e: unknown) => void): void;
}
type NodeWorkerThreads = { Worker: new (src: string, o: object) => NodeWorker };
interface WebWorker {
  terminate(): void;
  postMessage(data: unknown): void;
  onerror: ((e: { message?: string }) => void) | null;
  onmessageerror: ((e: unknown) => void) | null;
}
type WebGlobals = {
  Worker?: new (url: string, o?: object) => WebWorker;
  Blob?: new (parts: string[], o?: object) => object;
  URL?: { createObjectURL?(b: object): string };
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
};
const web = (): WebGlobals => globalThis as WebGlobals;

const nodeThreads = (): NodeWorkerThreads | undefined => proc()?.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined;

/** The worker API this runtime offers (Node's worker_threads first). */
export function threadApi(): ThreadApi {
  if (nodeThreads()) return "node";
  const g = web();
  if (typeof g.Worker === "function" && typeof g.Blob === "function" && typeof g.URL?.createObjectURL === "function") return "web";
  return null;
}

/** The most threads the kernels use (their memory holds one B-panel scratch per thread for 16). */
export const maxThreads = 16;

let chosen: number | undefined;

/** Sets the threads wanted in all (`setCpuThreads`), or with undefined goes back to the default. */
export function setWantedThreads(threads: number | undefined): void {
  chosen = threads;
}

/** Threads wanted in all: as set by `setCpuThreads`, else SCM_THREADS (Node), else the machine's parallelism (at most 8). */
export function wantedThreads(): number {
  if (chosen !== undefined) return chosen;
  const env = proc()?.env?.SCM_THREADS;
  if (env !== undefined && env !== "") return Math.max(1, Math.min(maxThreads, Number(env) | 0));
  const os = proc()?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? web().navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(8, n | 0));
}

/**
 * Why a runtime whose memory cannot be shared has no SharedArrayBuffer: in a browser, a page that is
 * not cross-origin isolated (with what to do about it); elsewhere, the plain fact.
 */
export function noSharedMemoryReason(): string {
  if (!nodeThreads() && web().crossOriginIsolated === false) {
    return "this page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  return "SharedArrayBuffer (shared WebAssembly memory) is unavailable";
}

let blocking: boolean | undefined;
let blockingOverride: boolean | undefined;

/** Whether this thread may block in Atomics.wait (not a browser's main thread; tested once). */
export function mayBlock(): boolean {
  if (blockingOverride !== undefined) return blockingOverride;
  if (blocking === undefined) {
    try {
      // a value that does not match returns "not-equal" at once where waiting is allowed, and
      // throws a TypeError where this agent may not block
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blocking = true;
    } catch {
      blocking = false;
    }
  }
  return blocking;
}

/**
 * For tests: makes `mayBlock` answer `value`, or with no argument forgets both that and the tested
 * answer (so a test that makes Atomics.wait throw, as on a browser's main thread, is seen).
 */
export function setMayBlockForTests(value?: boolean): void {
  blockingOverride = value;
  if (value === undefined) blocking = undefined;
}

/** A started worker. */
export interface Spawned {
  terminate(): unknown;
  /** Sends it a message, which it reads with the `receive` it was started with (Node only: see `workersReceiveLater`). */
  postMessage(data: unknown): void;
}

/** Whether a running worker can read messages sent after it started (Node's receiveMessageOnPort; a Web Worker cannot while it loops). */
export const workersReceiveLater = (): boolean => threadApi() === "node";

const blobUrls = new Map<string, string>();

/**
 * Starts a worker that runs `main(data, receive)`, where `main` is the source of a function that
 * never returns (it loops on Atomics) and `receive()` returns the next message sent to it by
 * `postMessage`, or undefined (always, in a browser). `onError` hears of a worker that failed or
 * exited. Throws when the runtime refuses to start one (a browser's content security policy, for one).
 */
export function spawnWorker(main: string, data: object, onError: (why: string) => void): Spawned {
  const wt = nodeThreads();
  if (wt) {
    const src = `const { workerData, parentPort, receiveMessageOnPort } = require("node:worker_threads");\n(${main})(workerData, () => receiveMessageOnPort(parentPort)?.message);`;
    const worker = new wt.Worker(src, { eval: true, workerData: data });
    worker.on("error", (e) => onError(String(e)));
    worker.on("exit", () => onError("a worker thread exited"));
    worker.unref();
    return worker;
  }
  const g = web();
  if (!g.Worker || !g.Blob || !g.URL?.createObjectURL) throw new Error("this runtime has neither Node's worker_threads nor Web Workers");
  let url = blobUrls.get(main);
  if (!url) {
    const source = `self.onmessage = (e) => { self.onmessage = null; (${main})(e.data, () => undefined); };`;
    url = g.URL.createObjectURL(new g.Blob([source], { type: "text/javascript" }));
    blobUrls.set(main, url);
  }
  const worker = new g.Worker(url, { name: "scm-ts cpu kernels" });
  worker.onerror = (e) => onError(e.message || "a Web Worker failed to start or threw");
  worker.onmessageerror = () => onError("a Web Worker could not receive the shared memory (is the page cross-origin isolated?)");
  worker.postMessage(data);
  return worker;
}
