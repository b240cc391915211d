// The WebAssembly SIMD gemm against the JS reference gemm, on sizes that are and are not multiples
// of its 4×8 tile, with strided (transposed) operands and accumulation.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gemm } from "./gemm.js";
import { gemmF32Wasm, wasmGemm } from "./wasm-gemm.js";
import { announceUnits, gemmThreadStats, minParallelWork } from "./gemm-threads.js";
import { availableParallelism } from "node:os";

describe("wasm SIMD gemm", () => {
  it("is available on this runtime", () => {
    expect(wasmGemm()).not.toBeNull();
  });
  it("splits large products across worker threads with the same result", () => {
    const w = wasmGemm()!;
    const [m, n, k] = [130, 123, 260];
    const A = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
    const B = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
    const c1 = new Float32Array(m * n), c2 = new Float32Array(m * n);
    gemm(m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, c1, 0, false);
    gemmF32Wasm(w, m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, c2, 0, false);
    for (let i = 0; i < m * n; i++) expect(Math.abs(c1[i]! - c2[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(c1[i]!)));
    if (availableParallelism() > 1 && process.env.SCM_THREADS !== "1") expect(gemmThreadStats().parallelCalls).toBeGreaterThan(0);
  });
  it("gives the same product after an announced call that never came (the woken workers give up)", async () => {
    const w = wasmGemm()!;
    const [m, n, k] = [96, 200, 300];
    const A = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.29));
    const B = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.13));
    const ref = new Float32Array(m * n), got = new Float32Array(m * n);
    gemm(m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, ref, 0, false);
    for (const pause of [0, 20]) {
      announceUnits(w, 64, minParallelWork);
      await new Promise((r) => setTimeout(r, pause));
      got.fill(0);
      gemmF32Wasm(w, m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, got, 0, false);
      for (let i = 0; i < m * n; i++) expect(Math.abs(ref[i]! - got[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref[i]!)));
    }
  });
  it("matches the JS gemm on random shapes, strides and accumulation", () => {
    const w = wasmGemm()!;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 21 }), fc.integer({ min: 1, max: 17 }), fc.boolean(), fc.boolean(), fc.boolean(), (m, n, k, ta, tb, accumulate) => {
        const A = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.7));
        const B = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 1.3));
        const a = ta ? { data: A, off: 0, rs: 1, cs: m } : { data: A, off: 0, rs: k, cs: 1 };
        const b = tb ? { data: B, off: 0, rs: 1, cs: k } : { data: B, off: 0, rs: n, cs: 1 };
        const c1 = Float32Array.from({ length: m * n }, (_, i) => i), c2 = c1.slice();
        gemm(m, n, k, a, b, c1, 0, accumulate);
        gemmF32Wasm(w, m, n, k, a, b, c2, 0, accumulate);
        for (let i = 0; i < m * n; i++) expect(Math.abs(c1[i]! - c2[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(c1[i]!)));
      }),
      { seed: 3, numRuns: 60 },
    );
  });
});
