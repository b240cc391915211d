// Registers the CPU backends: 'cpu' (the default; float32 products on WebAssembly SIMD when the
// runtime has it, saying so once when it does not) and 'cpu-js', the pure-JS reference.
import { registerBackend, registerDefaultBackend } from "../backend.js";
import { createCpuBackend } from "./backend.js";
import { wasmGemm } from "./wasm-gemm.js";

function createDefault() {
  if (!wasmGemm()) console.warn("scm-ts: this runtime has no WebAssembly SIMD; the CPU backend runs matrix products in plain JS");
  return createCpuBackend();
}

registerBackend("cpu", async () => createDefault());
registerBackend("cpu-js", async () => createCpuBackend({ simd: false, name: "cpu-js" }));
registerDefaultBackend(createDefault);

export { createCpuBackend };
