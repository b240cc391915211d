// The WebAssembly SIMD routines against the pure-JS reference routines ('cpu-js' runs these): batched
// and transposed matmul across the tile edges and the KC block boundary, the convolution by implicit
// GEMM (any stride, padding, groups; units of several panels where output rows allow), the stride-1
// input gradient computed as a convolution, and the weight gradient from an im2col matrix written by
// the kernel.
// Tolerances are those of the WebGPU parity suite (rtol 1e-4, atol 1e-4 for products).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConvSpec, MatmulSpec } from "../ir/kernel.js";
import { runRoutine } from "./routines.js";
import { callDataStart, kernelKC, setMaxCallBytesForTests, wasmCallStats } from "./wasm-gemm.js";

const tol = { rtol: 1e-4, atol: 1e-4 };

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!) - tol.rtol * Math.abs(want[i]!);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst <= tol.atol, `${what}: element ${at} is ${got[at]}, reference ${want[at]}`).toBe(true);
}

const data = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731 + seed) + 0.25 * Math.cos(i * 0.177 * seed));

function both(spec: MatmulSpec | ConvSpec, size: number, inputs: Float32Array[]): [Float32Array, Float32Array] {
  const ref = new Float32Array(size), got = new Float32Array(size).fill(NaN);
  runRoutine(spec, ref, inputs, { simd: false });
  runRoutine(spec, got, inputs, { simd: true });
  return [got, ref];
}

describe("wasm SIMD matmul routine", () => {
  it("matches the JS reference on random batched, transposed shapes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 41 }), fc.integer({ min: 1, max: 37 }), fc.boolean(), fc.boolean(), (batch, m, k, n, ta, tb) => {
        fc.pre(batch * m * k * n > 2048); // smaller products stay in JS
        const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch, m, k, n, transposeA: ta, transposeB: tb };
        const [got, ref] = both(spec, batch * m * n, [data(batch * m * k, 1), data(batch * k * n, 2)]);
        expectClose(got, ref, JSON.stringify(spec));
      }),
      { seed: 8, numRuns: 80 },
    );
  });
  it("crosses the KC block boundary and splits large products across threads", () => {
    for (const [m, k, n] of [[37, kernelKC + 3, 45], [130, 2 * kernelKC + 1, 70]] as const) {
      for (const tb of [false, true]) {
        const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch: 2, m, k, n, transposeA: !tb, transposeB: tb };
        const [got, ref] = both(spec, 2 * m * n, [data(2 * m * k, 3), data(2 * k * n, 4)]);
        expectClose(got, ref, JSON.stringify(spec));
      }
    }
  });
});

const convSpec = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 4 }),
    og: fc.integer({ min: 1, max: 6 }),
    h: fc.integer({ min: 1, max: 11 }),
    w: fc.integer({ min: 1, max: 19 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 3 }),
    pw: fc.integer({ min: 0, max: 3 }),
  })
  .filter((p) => p.h + 2 * p.ph >= p.kh && p.w + 2 * p.pw >= p.kw)
  .map((p): ConvSpec => ({
    name: "conv2d", dtype: "float32", n: p.n, cin: p.cg * p.groups, h: p.h, w: p.w, cout: p.og * p.groups, kh: p.kh, kw: p.kw,
    oh: Math.floor((p.h + 2 * p.ph - p.kh) / p.sh) + 1, ow: Math.floor((p.w + 2 * p.pw - p.kw) / p.sw) + 1,
    stride: [p.sh, p.sw], padding: [p.ph, p.pw], groups: p.groups,
  }));

describe("wasm SIMD convolution routines", () => {
  it("conv2d (implicit GEMM) matches the JS reference on random specs", () => {
    fc.assert(
      fc.property(convSpec, (s) => {
        const x = data(s.n * s.cin * s.h * s.w, 5), w = data(s.cout * (s.cin / s.groups) * s.kh * s.kw, 6);
        const [got, ref] = both(s, s.n * s.cout * s.oh * s.ow, [x, w]);
        expectClose(got, ref, JSON.stringify(s));
      }),
      { seed: 81, numRuns: 120 },
    );
  });
  it("the input gradient (a convolution with flipped weights at stride 1) matches the JS reference", () => {
    fc.assert(
      fc.property(convSpec, (s0) => {
        const s: ConvSpec = { ...s0, name: "conv2dInputGrad" };
        const ct = data(s.n * s.cout * s.oh * s.ow, 7), w = data(s.cout * (s.cin / s.groups) * s.kh * s.kw, 8);
        const [got, ref] = both(s, s.n * s.cin * s.h * s.w, [ct, w]);
        expectClose(got, ref, JSON.stringify(s));
      }),
      { seed: 82, numRuns: 120 },
    );
  });
  it("the weight gradient (im2col in wasm, then a GEMM per image accumulating in place) matches the JS reference", () => {
    fc.assert(
      fc.property(convSpec, (s0) => {
        const s: ConvSpec = { ...s0, name: "conv2dWeightGrad" };
        const x = data(s.n * s.cin * s.h * s.w, 9), ct = data(s.n * s.cout * s.oh * s.ow, 10);
        const [got, ref] = both(s, s.cout * (s.cin / s.groups) * s.kh * s.kw, [x, ct]);
        expectClose(got, ref, JSON.stringify(s));
      }),
      { seed: 83, numRuns: 120 },
    );
  });
  it("all three maps with units of 2 and 4 panels (stride-1 rows of 16 and 32 outputs), across the image edges", () => {
    for (const [h, w, k, p] of [[5, 16, 3, 1], [3, 32, 3, 1], [4, 30, 5, 3], [6, 16, 1, 0], [2, 33, 2, 0]] as const) {
      const s: ConvSpec = {
        name: "conv2d", dtype: "float32", n: 2, cin: 3, h, w, cout: 5, kh: k, kw: k, oh: h + 2 * p - k + 1, ow: w + 2 * p - k + 1,
        stride: [1, 1], padding: [p, p], groups: 1,
      };
      const x = data(2 * 3 * h * w, 17), wt = data(5 * 3 * k * k, 18), ct = data(2 * 5 * s.oh * s.ow, 19);
      const [gy, ry] = both(s, 2 * 5 * s.oh * s.ow, [x, wt]);
      expectClose(gy, ry, `conv ${JSON.stringify(s)}`);
      const [gx, rx] = both({ ...s, name: "conv2dInputGrad" }, 2 * 3 * h * w, [ct, wt]);
      expectClose(gx, rx, `input grad ${JSON.stringify(s)}`);
      const [gw, rw] = both({ ...s, name: "conv2dWeightGrad" }, 5 * 3 * k * k, [x, ct]);
      expectClose(gw, rw, `weight grad ${JSON.stringify(s)}`);
    }
  });
  it("conv2d on the benchmark's shape (16×64×32×32, 3×3, 64 out) matches the JS reference", () => {
    const s: ConvSpec = { name: "conv2d", dtype: "float32", n: 2, cin: 64, h: 32, w: 32, cout: 64, kh: 3, kw: 3, oh: 32, ow: 32, stride: [1, 1], padding: [1, 1], groups: 1 };
    const [got, ref] = both(s, 2 * 64 * 32 * 32, [data(2 * 64 * 32 * 32, 9), data(64 * 64 * 9, 10)]);
    expectClose(got, ref, "bench conv");
  });
});

describe("wasm SIMD routines under a memory limit", () => {
  it("run large batches in chunks, and fall back to JS when one item does not fit", () => {
    const conv: ConvSpec = { name: "conv2d", dtype: "float32", n: 5, cin: 3, h: 12, w: 10, cout: 4, kh: 3, kw: 3, oh: 12, ow: 10, stride: [1, 1], padding: [1, 1], groups: 1 };
    const mm: MatmulSpec = { name: "matmul", dtype: "float32", batch: 5, m: 20, k: 30, n: 24, transposeA: false, transposeB: true };
    // room for 3 images of the conv and no matmul item, for 2 matmul items, for nothing
    const before = wasmCallStats();
    for (const limit of [callDataStart + 12 * 1024, callDataStart + 35 * 1024, 1024]) {
      setMaxCallBytesForTests(limit);
      try {
        const [gc, rc] = both(conv, 5 * 4 * 12 * 10, [data(5 * 3 * 12 * 10, 11), data(4 * 3 * 9, 12)]);
        expectClose(gc, rc, `conv under ${limit} bytes`);
        const [gw, rw] = both({ ...conv, name: "conv2dWeightGrad" }, 4 * 3 * 9, [data(5 * 3 * 12 * 10, 15), data(5 * 4 * 12 * 10, 16)]);
        expectClose(gw, rw, `weight grad under ${limit} bytes`);
        const [gm, rm] = both(mm, 5 * 20 * 24, [data(5 * 20 * 30, 13), data(5 * 30 * 24, 14)]);
        expectClose(gm, rm, `matmul under ${limit} bytes`);
      } finally {
        setMaxCallBytesForTests();
      }
    }
    const after = wasmCallStats();
    expect(after.chunked - before.chunked).toBeGreaterThanOrEqual(2);
    expect(after.tooLarge - before.tooLarge).toBeGreaterThanOrEqual(3);
  });
});
