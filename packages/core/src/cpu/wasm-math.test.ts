// sin, cos and log on the SIMD path (wasm-math.ts) against Math.sin, Math.cos and Math.log of the
// float32 inputs: dense sweeps over wide ranges (absolute error for sin and cos, error in float32
// ulps for log over every binade, subnormals included), the special values, and a fused kernel of
// the TrigFlow kind (cos t·x + sin t·z with t broadcast per row) against the JS kernel.
import { describe, expect, it } from "vitest";
import * as ir from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { compileKernel } from "./codegen.js";
import { wasmGemm } from "./wasm-gemm.js";
import { compileMapKernelWasm } from "./wasm-map.js";

const f32 = "float32";

/** out[i] = op(xs[i]) on the SIMD path (which must take the kernel). */
function simdUnary(fn: "SIN" | "COS" | "LOG", xs: Float32Array): Float32Array {
  const k: Kernel = { kind: "map", size: xs.length, dtype: f32, expr: ir.unary(fn, ir.load(0, f32, ir.gidx(xs.length))), inputs: [f32] };
  const run = compileMapKernelWasm(k, wasmGemm()!, 0);
  expect(run, `${fn}: the SIMD path takes it`).not.toBeNull();
  const out = new Float32Array(xs.length).fill(12345);
  run!(out, xs);
  return out;
}

// float32 inputs spread over [−r, r]: a uniform grid plus a geometric one (both signs)
function sweep(m: number, r: number): Float32Array {
  return Float32Array.from({ length: m }, (_, i) => (i % 2 ? -r + (2 * r * i) / m : (i % 4 ? 1 : -1) * r ** (i / m)));
}

describe("wasm SIMD sin, cos and log", () => {
  for (const [fn, ref] of [["SIN", Math.sin], ["COS", Math.cos]] as const) {
    it(`${fn.toLowerCase()} is within 2e-7 of Math.${fn.toLowerCase()} over [−1e8, 1e8] (and 2e-4 at 1e12), with its special values`, () => {
      for (const [r, tol] of [[1e4, 2e-7], [1e8, 2e-7]] as const) {
        const xs = sweep(1 << 18, r);
        const got = simdUnary(fn, xs);
        let worst = 0;
        for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref(xs[i]!)));
        expect(worst, `|x| ≤ ${r}`).toBeLessThanOrEqual(tol);
      }
      const special = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 1e-45, -3e-39, 1e-20, 3.4e38, -1e30, 1e12, Math.PI]);
      const got = simdUnary(fn, special);
      for (let i = 0; i < 3; i++) expect(got[i]).toBeNaN();
      for (let i = 3; i < 8; i++) expect(Object.is(got[i], Math.fround(ref(special[i]!))), `${fn}(${special[i]})`).toBe(true);
      // beyond 2²⁸·π/2 the reduction loses accuracy (documented) but stays within [−1, 1]
      for (let i = 8; i < 10; i++) expect(Math.abs(got[i]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(got[10]! - ref(special[10]!))).toBeLessThanOrEqual(2e-4); // r within |x|·2⁻⁵³
      expect(Math.abs(got[11]! - ref(special[11]!))).toBeLessThanOrEqual(1e-7);
    });
  }
  it("log is within 1 float32 ulp of Math.log over every binade (subnormals included), with its special values", () => {
    const m = 1 << 18;
    const xs = Float32Array.from({ length: m }, (_, i) => 2 ** (-149 + (277 * i) / m));
    const got = simdUnary("LOG", xs);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      const want = Math.fround(Math.log(xs[i]!));
      if (got[i] !== want) worst = Math.max(worst, Math.abs(got[i]! - want) / (Math.abs(want) * 2 ** -23));
    }
    expect(worst).toBeLessThanOrEqual(1);
    // near 1, where log x ≈ x − 1 needs relative accuracy
    const near = Float32Array.from({ length: 4096 }, (_, i) => 1 + (i - 2048) * 2 ** -20);
    const g1 = simdUnary("LOG", near);
    for (let i = 0; i < near.length; i++) if (i !== 2048) expect(Math.abs(g1[i]! / Math.log(near[i]!) - 1), `log(${near[i]})`).toBeLessThanOrEqual(3e-7);
    const special = Float32Array.from([0, -0, -1, -Infinity, Infinity, NaN, 1, 1e-45, 3.4e38, Math.E, 2, 0.5]);
    const s = simdUnary("LOG", special);
    expect([...s.subarray(0, 2)]).toEqual([-Infinity, -Infinity]);
    for (const i of [2, 3, 5]) expect(s[i], `log(${special[i]})`).toBeNaN();
    expect([s[4], s[6]]).toEqual([Infinity, 0]);
    for (const i of [7, 8, 9, 10, 11]) expect(Math.abs(s[i]! - Math.log(special[i]!))).toBeLessThanOrEqual(Math.abs(Math.log(special[i]!)) * 2 ** -22);
  });
  it("a fused TrigFlow kernel (cos t·x + sin t·z, log of a softplus) matches the JS kernel", () => {
    const rows = 16, cols = 64, size = rows * cols;
    const g = ir.gidx(size);
    const t = ir.load(0, f32, ir.binary("IDIV", g, ir.idx(cols))); // one time per row, broadcast
    const [x, z] = [ir.load(1, f32, g), ir.load(2, f32, g)];
    const xt = ir.binary("ADD", ir.binary("MUL", ir.unary("COS", t), x), ir.binary("MUL", ir.unary("SIN", t), z));
    const expr = ir.binary("ADD", xt, ir.unary("LOG", ir.binary("ADD", ir.konst(1, f32), ir.unary("EXP", z))));
    const k: Kernel = { kind: "map", size, dtype: f32, expr, inputs: [f32, f32, f32] };
    const ins = [Float32Array.from({ length: rows }, (_, i) => (i * Math.PI) / 2 / rows * 1.3), ...[1, 2].map((s) => Float32Array.from({ length: size }, (_, i) => 3 * Math.sin(i * 0.37 + s)))];
    const run = compileMapKernelWasm(k, wasmGemm()!, 0);
    expect(run).not.toBeNull();
    const [got, want] = [new Float32Array(size), new Float32Array(size)];
    run!(got, ...ins);
    compileKernel(k, true)(want, ...ins);
    for (let i = 0; i < size; i++) expect(Math.abs(got[i]! - want[i]!), `element ${i}`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(want[i]!));
  });
});
