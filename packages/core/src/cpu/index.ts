// Registers the CPU backends: 'cpu' (the default; float32 products on WebAssembly SIMD when the
// runtime has it, on worker threads where it can; one line says so when it cannot) and 'cpu-js', the pure-JS reference.
import { registerBackend, registerDefaultBackend } from "../backend.js";
import { createCpuBackend } from "./backend.js";
import { warnCpuFallbackOnce } from "./fallback.js";

function createDefault() {
  warnCpuFallbackOnce();
  return createCpuBackend();
}

registerBackend("cpu", async () => createDefault());
registerBackend("cpu-js", async () => createCpuBackend({ simd: false, name: "cpu-js" }));
registerDefaultBackend(createDefault);

export { createCpuBackend };
export { setCpuThreads, gemmThreadStats as cpuThreadStats, type CpuThreadStats } from "./gemm-threads.js";
export { cpuKernelStats, type CpuKernelStats } from "./kernel-stats.js";
export { registerNativeCpu, nativeCpu, type NativeCpu } from "./native.js";
