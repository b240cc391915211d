// The oneDNN addon against the CPU backend's WebAssembly path: the three convolution maps agree to
// float32 rounding on random geometries (groups, strides 1 and 2, padding 0 and 1, odd sizes, a
// fixed seed), on ordinary and SharedArrayBuffer memory, and so do batched products with either
// operand transposed and the standardisations of rows (on one thread and two); through the engine,
// conv2d and both of its gradients, and standardize with its tangent and transpose, run natively once
// registered (counted in cpuKernelStats) with the same values. These
// tests need the addon: one that was not built fails them, with the install's reason.
import { describe, expect, it, afterEach } from "vitest";
import fc from "fast-check";
import * as c from "@scm-ts/core";
import type { ConvSpec, MatmulSpec, StandardizeSpec } from "@scm-ts/core";
import { loadNative } from "./load.js";
import { useNativeCpu } from "./index.js";

const load = loadNative();
const native = () => {
  if (!load.native) throw new Error(`the native path is missing: ${load.reason}`);
  return load.native;
};
const data = (n: number, seed: number, shared = false) => {
  const a = shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 1.3 + seed) * (1 + (i % 3));
  return a;
};
const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** A random grouped, strided, padded convolution (name filled in per map). */
const specs = fc
  .record({ n: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 4 }), og: fc.integer({ min: 1, max: 5 }),
    h: fc.integer({ min: 3, max: 11 }), w: fc.integer({ min: 3, max: 11 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 1 }) })
  .map((r): Omit<ConvSpec, "name"> => ({
    dtype: "float32", n: r.n, cin: r.groups * r.cg, h: r.h, w: r.w, cout: r.groups * r.og, kh: r.k, kw: r.k,
    oh: Math.floor((r.h + 2 * r.p - r.k) / r.s) + 1, ow: Math.floor((r.w + 2 * r.p - r.k) / r.s) + 1,
    stride: [r.s, r.s], padding: [r.p, r.p], groups: r.groups,
  }));

afterEach(() => c.registerNativeCpu(null));

describe("the oneDNN addon", () => {
  it("loads", () => {
    expect(load.reason).toBeUndefined();
    expect(native().name).toMatch(/^oneDNN \d+\.\d+\.\d+$/);
  });
  it("computes the three convolution maps as the WebAssembly path does", () => {
    native().setThreads(2);
    fc.assert(
      fc.property(specs, fc.boolean(), (base, shared) => {
        const xs = base.n * base.cin * base.h * base.w, ys = base.n * base.cout * base.oh * base.ow, ws = (base.cout * base.cin * base.kh * base.kw) / base.groups;
        const maps: [ConvSpec["name"], Float32Array, Float32Array, number][] = [
          ["conv2d", data(xs, 1, shared), data(ws, 2), ys],
          ["conv2dInputGrad", data(ys, 3, shared), data(ws, 2), xs],
          ["conv2dWeightGrad", data(xs, 1), data(ys, 3, shared), ws],
        ];
        for (const [name, a, b, size] of maps) {
          const spec = { ...base, name }, got = new Float32Array(size), want = new Float32Array(size);
          expect(native().conv(spec, a, b, got), name).toBe(true);
          c.runRoutine(spec, want, [a, b], { simd: true });
          // float32 sums of up to cg·k² (or n·oh·ow) terms, in another order
          const tol = 2e-6 * Math.max(1, maxAbs(want)) * Math.sqrt(Math.max(base.cin * base.kh * base.kw, base.n * base.oh * base.ow));
          for (let i = 0; i < size; i++) expect(Math.abs(got[i]! - want[i]!), `${name} ${JSON.stringify(base)} at ${i}`).toBeLessThanOrEqual(tol);
        }
      }),
      { seed: 20, numRuns: 60 },
    );
  });
  it("computes batched products, either operand transposed, as the WebAssembly path does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), fc.boolean(),
        (batch, m, k, n, transposeA, transposeB) => {
          const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch, m, k, n, transposeA, transposeB };
          const [a, b] = [data(batch * m * k, 7, transposeA), data(batch * k * n, 8)];
          const got = new Float32Array(batch * m * n), want = new Float32Array(batch * m * n);
          expect(native().matmul!(spec, a, b, got)).toBe(true);
          c.runRoutine(spec, want, [a, b], { simd: true });
          const tol = 2e-6 * Math.max(1, maxAbs(want)) * Math.sqrt(k);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${JSON.stringify(spec)} at ${i}`).toBeLessThanOrEqual(tol);
        }),
      { seed: 21, numRuns: 60 },
    );
  });
  it("standardises rows, their tangents and both at once as the JavaScript routine does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1e-5, 1e-2), fc.boolean(), fc.integer({ min: 1, max: 2 }),
        (rows, len, eps, shared, threads) => {
          native().setThreads(threads);
          const n = rows * len, x = data(n, 9, shared), t = data(n, 10);
          for (let i = 0; i < n; i += 7) x[i]! += 3; // rows with a mean to remove
          for (const name of ["standardize", "standardizeTangent", "standardizeJvp"] as const) {
            const spec: StandardizeSpec = { name, dtype: "float32", rows, len, eps };
            const size = name === "standardizeJvp" ? 2 * n : n;
            const got = new Float32Array(size), want = new Float32Array(size);
            expect(native().standardize!(spec, x, name === "standardize" ? null : t, got)).toBe(true);
            c.runRoutine(spec, want, name === "standardize" ? [x] : [x, t]);
            // float64 sums in another order, one float32 rounding of each output
            for (let i = 0; i < size; i++) expect(Math.abs(got[i]! - want[i]!), `${name} ${rows}×${len} at ${i}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want[i]!)));
          }
        }),
      { seed: 22, numRuns: 60 },
    );
  });
  it("rejects arrays shorter than the geometry needs, naming them", () => {
    const spec: ConvSpec = { name: "conv2d", dtype: "float32", n: 1, cin: 2, h: 4, w: 4, cout: 3, kh: 3, kw: 3, oh: 2, ow: 2, stride: [1, 1], padding: [0, 0], groups: 1 };
    expect(() => native().conv(spec, new Float32Array(31), new Float32Array(54), new Float32Array(12))).toThrow(/x has 31 elements, the geometry needs 32/);
  });
});

describe("useNativeCpu", () => {
  it("routes the engine's standardize, its JVP and its transpose to the addon, with the JavaScript routine's values", async () => {
    await c.setBackend("cpu");
    const x = c.array(data(4 * 8 * 200, 11), [4, 8, 200]), t = c.array(data(4 * 8 * 200, 12), [4, 8, 200]);
    const f = (a: c.Tensor) => c.standardize(a, 1e-5);
    const run = () => [...c.jvp(f, [x], [t]), c.grad((a: c.Tensor) => c.sum(c.mul(f(a), t)))(x)].map((v) => v.dataSync() as Float32Array);
    const want = run();
    useNativeCpu();
    const before = c.cpuKernelStats().nativeCalls;
    const got = run();
    expect(c.cpuKernelStats().nativeCalls - before).toBeGreaterThanOrEqual(3);
    got.forEach((g, k) => {
      const scale = maxAbs(want[k]!);
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - want[k]![i]!)).toBeLessThanOrEqual(2e-6 * scale);
    });
  });
  it("routes the engine's conv2d and both its gradients to the addon, with the WebAssembly path's values", async () => {
    await c.setBackend("cpu");
    const x = c.array(data(4 * 6 * 12 * 12, 5), [4, 6, 12, 12]);
    const w = c.array(data(8 * 3 * 3 * 3, 6), [8, 3, 3, 3]);
    const loss = (x: c.Tensor, w: c.Tensor) => c.sum(c.square(c.conv2d(x, w, { padding: 1, stride: 2, groups: 2 })));
    const run = () => c.valueAndGrad(loss, { argnums: [0, 1] })(x, w);
    const [v0, [gx0, gw0]] = run();
    expect(useNativeCpu()).toMatch(/^cpu convolutions: native \(oneDNN/);
    const before = c.cpuKernelStats().nativeCalls;
    const [v1, [gx1, gw1]] = run();
    expect(c.cpuKernelStats().nativeCalls - before).toBe(3);
    const [l1, l0] = [v1.dataSync()[0]!, v0.dataSync()[0]!];
    expect(Math.abs(l1 - l0)).toBeLessThanOrEqual(1e-5 * Math.abs(l0));
    for (const [a, b] of [[gx1, gx0], [gw1, gw0]] as const) {
      const [p, q] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
      const scale = maxAbs(q);
      for (let i = 0; i < q.length; i++) expect(Math.abs(p[i]! - q[i]!)).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});
