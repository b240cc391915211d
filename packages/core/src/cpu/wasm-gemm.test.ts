// The WebAssembly SIMD gemm against the JS reference gemm, on sizes that are and are not multiples
// of its 4×8 tile, with strided (transposed) operands and accumulation; and the thread pool's
// settings: the thread count, and the spinning wait of a caller that may not block.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { gemm } from "./gemm.js";
import { gemmF32Wasm, matmulF32Wasm, wasmGemm } from "./wasm-gemm.js";
import { announceUnits, gemmThreadStats, minParallelWork, setCpuThreads } from "./gemm-threads.js";
import { setMayBlockForTests } from "./thread-platform.js";
import { availableParallelism } from "node:os";

/** max |got − want| / (1 + |want|) over the elements (one assertion, not one per element). */
const worstRelError = (got: Float32Array, want: Float32Array): number => got.reduce((m, g, i) => Math.max(m, Math.abs(g - want[i]!) / (1 + Math.abs(want[i]!))), 0);

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
  it("packs a batched, transposed A on the threads (rows not a multiple of the tile) with the same result", () => {
    const w = wasmGemm()!;
    const [batch, m, n, k] = [3, 131, 70, 260];
    const A = Float32Array.from({ length: batch * k * m }, (_, i) => Math.sin(i * 0.23)); // item b: Aᵀ, k×m
    const B = Float32Array.from({ length: batch * k * n }, (_, i) => Math.cos(i * 0.07));
    const got = new Float32Array(batch * m * n), ref = new Float32Array(batch * m * n);
    const before = gemmThreadStats().parallelCalls;
    expect(matmulF32Wasm(w, batch, m, n, k, { data: A, off: 0, rs: 1, cs: m, bs: k * m }, { data: B, off: 0, rs: n, cs: 1, bs: k * n }, got, 0, false)).toBe(true);
    for (let b = 0; b < batch; b++) gemm(m, n, k, { data: A, off: b * k * m, rs: 1, cs: m }, { data: B, off: b * k * n, rs: n, cs: 1 }, ref, b * m * n, false);
    expect(worstRelError(got, ref)).toBeLessThanOrEqual(1e-4);
    if (availableParallelism() > 1 && process.env.SCM_THREADS !== "1") expect(gemmThreadStats().parallelCalls).toBe(before + 2); // packing, then the product
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

describe("the thread pool's settings", () => {
  const [m, n, k] = [130, 123, 260];
  const A = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
  const B = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
  const ref = new Float32Array(m * n);
  gemm(m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, ref, 0, false);
  const product = (): Float32Array => {
    const c = new Float32Array(m * n);
    gemmF32Wasm(wasmGemm()!, m, n, k, { data: A, off: 0, rs: k, cs: 1 }, { data: B, off: 0, rs: n, cs: 1 }, c, 0, false);
    expect(worstRelError(c, ref)).toBeLessThanOrEqual(1e-4);
    return c;
  };
  afterEach(() => {
    vi.restoreAllMocks();
    setMayBlockForTests();
    setCpuThreads();
  });

  it("setCpuThreads(1) keeps products on the calling thread; setCpuThreads(2) splits them again", () => {
    setCpuThreads(1);
    const before = gemmThreadStats();
    product();
    expect(gemmThreadStats()).toMatchObject({ threads: 1, workers: 0, parallelCalls: before.parallelCalls });
    setCpuThreads(2);
    product();
    expect(gemmThreadStats()).toMatchObject({ threads: 2, workers: 1 });
    expect(gemmThreadStats().parallelCalls).toBeGreaterThan(before.parallelCalls);
  });
  it("rejects a thread count that is not an integer from 1 to 16, saying so", () => {
    for (const bad of [0, 1.5, -2, 17, Number.NaN]) expect(() => setCpuThreads(bad)).toThrow(/^setCpuThreads: threads must be an integer from 1 to 16 \(got .*\); call it with no argument for the default$/);
  });
  it("where the calling thread may not block (a browser's main thread) it spins instead, with the same product", async () => {
    setCpuThreads(2);
    // as in a browser's main thread: Atomics.wait throws (the workers, in their own isolates, still sleep)
    const wait = vi.spyOn(Atomics, "wait").mockImplementation(() => {
      throw new TypeError("Atomics.wait cannot be called in this context");
    });
    setMayBlockForTests();
    const before = gemmThreadStats();
    // until the (new) worker has booted and computed some units alongside the caller: a deadline, not a
    // count of tries, since a loaded machine (CI runs two packages' suites at once) can take seconds to
    // schedule the worker's first run
    for (const end = Date.now() + 30_000; Date.now() < end; ) {
      product();
      const now = gemmThreadStats();
      if (now.units - before.units > now.callerUnits - before.callerUnits) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const after = gemmThreadStats();
    expect(after.units - before.units).toBeGreaterThan(after.callerUnits - before.callerUnits);
    // the one call is mayBlock's probe; the waits for the workers never called it
    expect(wait).toHaveBeenCalledTimes(1);
  }, 60_000);
});
