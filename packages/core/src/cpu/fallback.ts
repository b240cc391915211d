// What the default CPU backend says when the runtime lacks what its fast path needs: without
// WebAssembly SIMD it runs the pure-JS interpreter; without SharedArrayBuffer (in a browser, a page
// that is not cross-origin isolated) or without a worker API its SIMD kernels run on one thread.
// Either way it works; the line says which and why (and what to do), once.
import { singleThreadReason, wantedThreads } from "./gemm-threads.js";
import { wasmGemm, wasmUnavailableReason } from "./wasm-gemm.js";

/** The one-line notice for this runtime, or null when the fast path runs in full. */
export function cpuFallbackNotice(): string | null {
  const w = wasmGemm();
  if (!w) return `scm-ts: the CPU backend runs on the plain-JS interpreter because ${wasmUnavailableReason()}; results are the same, only slower`;
  const why = wantedThreads() > 1 ? singleThreadReason(w) : null;
  return why ? `scm-ts: the CPU backend's WebAssembly SIMD kernels run on one thread because ${why}` : null;
}

let said = false;

/** Prints the notice (console.warn) the first time it is called with something to say. */
export function warnCpuFallbackOnce(): void {
  if (said) return;
  const line = cpuFallbackNotice();
  if (line) {
    said = true;
    console.warn(line);
  }
}
