// The CPU backend without what its fast path needs, simulated by hiding globals: without
// SharedArrayBuffer the SIMD kernels run on one thread, without WebAssembly SIMD the backend runs the
// JS interpreter; each case prints one line saying which and why, and results stay correct.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MatmulSpec } from "../ir/kernel.js";
import { createCpuBackend } from "./backend.js";
import { cpuFallbackNotice } from "./fallback.js";
import { gemmThreadStats } from "./gemm-threads.js";
import { runRoutine } from "./routines.js";
import { resetWasmGemmForTests, wasmGemm } from "./wasm-gemm.js";

const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch: 1, m: 150, k: 160, n: 140, transposeA: false, transposeB: false };
const a = Float32Array.from({ length: 150 * 160 }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: 160 * 140 }, (_, i) => Math.cos(i));

function product(simd: boolean): Float32Array {
  const out = new Float32Array(150 * 140);
  runRoutine(spec, out, [a, b], { simd });
  return out;
}

function expectSameProduct(got: Float32Array): void {
  const ref = product(false);
  for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref[i]!)));
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  resetWasmGemmForTests();
});

describe("CPU backend fallbacks", () => {
  it("says nothing when SIMD and threads are available", () => {
    vi.stubEnv("SCM_THREADS", "2");
    expect(wasmGemm()?.shared).toBe(true);
    expect(cpuFallbackNotice()).toBeNull();
  });
  it("without SharedArrayBuffer: one thread, one line saying so, same results", () => {
    vi.stubEnv("SCM_THREADS", "2");
    vi.stubGlobal("SharedArrayBuffer", undefined);
    resetWasmGemmForTests();
    const w = wasmGemm();
    expect(w).not.toBeNull();
    expect(w!.shared).toBe(false);
    expect(cpuFallbackNotice()).toMatch(/^scm-ts: the CPU backend's WebAssembly SIMD kernels run on one thread because SharedArrayBuffer .* is unavailable$/);
    const before = gemmThreadStats().parallelCalls;
    expectSameProduct(product(true));
    expect(gemmThreadStats().parallelCalls).toBe(before);
  });
  it("without WebAssembly SIMD: the JS interpreter, one line saying so, same results", async () => {
    // (the ES lib has no WebAssembly types)
    const Real = (globalThis as unknown as { WebAssembly: { Memory: unknown; CompileError: new (m: string) => Error } }).WebAssembly;
    vi.stubGlobal("WebAssembly", {
      ...Real,
      validate: () => false,
      Memory: Real.Memory,
      Module: function () {
        throw new Real.CompileError("SIMD unsupported (simulated)");
      },
    });
    resetWasmGemmForTests();
    expect(wasmGemm()).toBeNull();
    expect(cpuFallbackNotice()).toMatch(/^scm-ts: the CPU backend runs on the plain-JS interpreter because this runtime has no WebAssembly SIMD \(SIMD unsupported \(simulated\)\); results are the same, only slower$/);
    const backend = createCpuBackend();
    const [x, y, out] = [backend.alloc("float32", a.length), backend.alloc("float32", b.length), backend.alloc("float32", 150 * 140)];
    backend.write(x, a);
    backend.write(y, b);
    backend.dispatch(backend.prepare({ kind: "routine", spec }), [x, y], out);
    expectSameProduct(backend.readSync!(out) as Float32Array);
  });
  it("without WebAssembly at all: the JS interpreter, one line saying so", () => {
    vi.stubGlobal("WebAssembly", undefined);
    resetWasmGemmForTests();
    expect(wasmGemm()).toBeNull();
    expect(cpuFallbackNotice()).toBe("scm-ts: the CPU backend runs on the plain-JS interpreter because this runtime has no WebAssembly; results are the same, only slower");
  });
});
