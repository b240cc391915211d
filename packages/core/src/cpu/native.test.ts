// The native hook (native.ts): a registered implementation gets the 'cpu' backend's float32
// convolutions and large enough products and standardisations with the geometry and the thread count, is counted in
// cpuKernelStats, and a declined call runs on the WebAssembly path with the same result; 'cpu-js'
// never calls it.
import { afterEach, describe, expect, it } from "vitest";
import type { ConvSpec, MatmulSpec, StandardizeSpec } from "../ir/kernel.js";
import { cpuKernelStats } from "./kernel-stats.js";
import { minNativeMatmul, minNativeStandardize, registerNativeCpu, type NativeCpu } from "./native.js";
import { runRoutine } from "./routines.js";
import { wantedThreads } from "./gemm-threads.js";

const spec = (name: ConvSpec["name"]): ConvSpec => ({
  name, dtype: "float32", n: 2, cin: 4, h: 5, w: 6, cout: 6, kh: 3, kw: 3, oh: 3, ow: 3, stride: [2, 2], padding: [1, 1], groups: 2,
});
const data = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + seed));
const sizes = { x: 2 * 4 * 5 * 6, w: 6 * 2 * 9, y: 2 * 6 * 9 };

/** A stand-in native library: runs the JS reference, or declines when `decline` is set; records its calls. */
function fake(decline: boolean) {
  const calls: string[] = [], threads: number[] = [];
  const impl: NativeCpu = {
    name: "fake",
    conv(s, a, b, out) {
      calls.push(s.name);
      if (decline) return false;
      runRoutine(s, out, [a, b], { simd: false });
      return true;
    },
    matmul(s, a, b, out) {
      calls.push(`matmul ${s.m}`);
      if (decline) return false;
      runRoutine(s, out, [a, b], { simd: false });
      return true;
    },
    standardize(s, x, t, out) {
      calls.push(`${s.name} ${s.rows}`);
      if (decline) return false;
      runRoutine(s, out, t ? [x, t] : [x], { simd: false });
      return true;
    },
    setThreads: (t) => void threads.push(t),
  };
  return { impl, calls, threads };
}

afterEach(() => registerNativeCpu(null));

describe("registerNativeCpu", () => {
  const cases: [ConvSpec["name"], Float32Array, Float32Array, number][] = [
    ["conv2d", data(sizes.x, 1), data(sizes.w, 2), sizes.y],
    ["conv2dInputGrad", data(sizes.y, 3), data(sizes.w, 2), sizes.x],
    ["conv2dWeightGrad", data(sizes.x, 1), data(sizes.y, 3), sizes.w],
  ];
  it("hands float32 convolutions of the fast path to the native library, counted, with the thread count", () => {
    const f = fake(false);
    registerNativeCpu(f.impl);
    const before = cpuKernelStats().nativeCalls;
    for (const [name, a, b, size] of cases) {
      const got = new Float32Array(size), want = new Float32Array(size);
      runRoutine(spec(name), got, [a, b], { simd: true });
      runRoutine(spec(name), want, [a, b], { simd: false });
      expect(got).toEqual(want);
    }
    expect(f.calls).toEqual(["conv2d", "conv2dInputGrad", "conv2dWeightGrad"]);
    expect(f.threads).toEqual([wantedThreads()]);
    expect(cpuKernelStats().nativeCalls).toBe(before + 3);
  });
  it("hands float32 products of at least minNativeMatmul multiply-adds to it, and smaller ones to WebAssembly", () => {
    const f = fake(false);
    registerNativeCpu(f.impl);
    for (const m of [2, 64]) {
      const s: MatmulSpec = { name: "matmul", dtype: "float32", batch: 2, m, k: 16, n: 32, transposeA: true, transposeB: false };
      const [a, b] = [data(2 * m * 16, 4), data(2 * 16 * 32, 5)];
      const got = new Float32Array(2 * m * 32), want = new Float32Array(2 * m * 32);
      runRoutine(s, got, [a, b], { simd: true });
      runRoutine(s, want, [a, b], { simd: false });
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    }
    expect(2 * 2 * 16 * 32).toBeLessThan(minNativeMatmul);
    expect(2 * 64 * 16 * 32).toBeGreaterThanOrEqual(minNativeMatmul);
    expect(f.calls).toEqual(["matmul 64"]);
  });
  it("hands float32 standardisations of at least minNativeStandardize elements to it, the tangent its t, and falls back when it declines", () => {
    for (const decline of [false, true]) {
      const f = fake(decline);
      registerNativeCpu(f.impl);
      for (const rows of [2, 64]) {
        for (const name of ["standardize", "standardizeTangent", "standardizeJvp"] as const) {
          const s: StandardizeSpec = { name, dtype: "float32", rows, len: 100, eps: 1e-5 };
          const ins = name === "standardize" ? [data(rows * 100, 6)] : [data(rows * 100, 6), data(rows * 100, 7)];
          const size = name === "standardizeJvp" ? 2 * rows * 100 : rows * 100;
          const got = new Float32Array(size), want = new Float32Array(size);
          runRoutine(s, got, ins, { simd: true });
          runRoutine(s, want, ins, { simd: false });
          expect(got).toEqual(want);
        }
      }
      expect(2 * 100).toBeLessThan(minNativeStandardize);
      expect(f.calls).toEqual(["standardize 64", "standardizeTangent 64", "standardizeJvp 64"]);
    }
  });
  it("runs the WebAssembly path when the library declines, and never serves the JS reference", () => {
    const f = fake(true);
    registerNativeCpu(f.impl);
    const before = cpuKernelStats().nativeCalls;
    for (const [name, a, b, size] of cases) {
      const got = new Float32Array(size), want = new Float32Array(size);
      runRoutine(spec(name), got, [a, b], { simd: true });
      registerNativeCpu(null);
      runRoutine(spec(name), want, [a, b], { simd: true });
      registerNativeCpu(f.impl);
      expect(got).toEqual(want);
      runRoutine(spec(name), got, [a, b], { simd: false });
    }
    expect(f.calls).toEqual(["conv2d", "conv2dInputGrad", "conv2dWeightGrad"]);
    expect(cpuKernelStats().nativeCalls).toBe(before);
  });
});
