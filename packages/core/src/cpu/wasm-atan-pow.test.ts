// atan and pow on the SIMD path (wasm-math.ts, wasm-pow.ts) against Math.atan and Math.pow of the
// float32 inputs rounded to float32 (what the JS kernels store): property tests with fixed seeds
// over float32 values of every magnitude, the special values of both, and a fused kernel with both
// ops against the JS kernel.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ir from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { compileKernel } from "./codegen.js";
import { wasmGemm } from "./wasm-gemm.js";
import { compileMapKernelWasm } from "./wasm-map.js";

const f32 = "float32";
const n = 1024;
const g = ir.gidx(n);
const [x, y] = [ir.load(0, f32, g), ir.load(1, f32, g)];

/** A map kernel of `n` elements on the SIMD path (which must take it). */
function simd(expr: ir.Expr, inputs: number): (out: Float32Array, ...ins: Float32Array[]) => void {
  const k: Kernel = { kind: "map", size: n, dtype: f32, expr, inputs: new Array(inputs).fill(f32) };
  const run = compileMapKernelWasm(k, wasmGemm()!, 0);
  expect(run, "the SIMD path takes it").not.toBeNull();
  return run!;
}

// float32 values in order as integers: their difference counts float32 steps (ulps), across 0 too
const bits = new Int32Array(1), fl = new Float32Array(bits.buffer);
function ordered(v: number): number {
  fl[0] = v;
  return bits[0]! < 0 ? -(bits[0]! & 0x7fffffff) : bits[0]!;
}
/** Ulps between the result and the float32 rounding of the reference (0 when both are NaN). */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  return Math.abs(ordered(got) - ordered(Math.fround(want)));
}

/** Runs the kernel over `cols` (padded to n by repeating) and returns the worst ulps against `ref`. */
function worstUlps(run: ReturnType<typeof simd>, ref: (...a: number[]) => number, cols: number[][]): { worst: number; at: number[] } {
  const ins = cols.map((c) => Float32Array.from({ length: n }, (_, i) => c[i % c.length]!));
  const out = new Float32Array(n);
  run(out, ...ins);
  let worst = 0, at: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = ulps(out[i]!, ref(...ins.map((c) => c[i]!)));
    if (u > worst) (worst = u), (at = [...ins.map((c) => c[i]!), out[i]!]);
  }
  return { worst, at };
}

const anyF32 = fc.float({ noDefaultInfinity: false });
const params = { seed: 20261206, numRuns: 40 };

describe("wasm SIMD atan and pow", () => {
  it("atan is within 2 float32 ulps of Math.atan (any float32)", () => {
    const run = simd(ir.unary("ATAN", x), 1);
    fc.assert(
      fc.property(fc.array(fc.oneof(anyF32, fc.float({ min: -8, max: 8 })), { minLength: 64, maxLength: 256 }), (xs) => {
        const { worst, at } = worstUlps(run, Math.atan, [xs]);
        expect(worst, `atan(${at[0]}) = ${at[1]}`).toBeLessThanOrEqual(2);
      }),
      params,
    );
  });
  it("atan's special values: ±0, ±∞, NaN, tiny and huge arguments, the branch points", () => {
    const xs = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-30, 3.4e38, 1, -1, 0.41421356, 2.41421356].map(Math.fround);
    const out = new Float32Array(n);
    simd(ir.unary("ATAN", x), 1)(out, Float32Array.from({ length: n }, (_, i) => xs[i % xs.length]!));
    xs.forEach((v, i) => expect(Object.is(out[i], Math.fround(Math.atan(v))) || ulps(out[i]!, Math.atan(v)) <= 1, `atan(${v}) = ${out[i]}`).toBe(true));
    expect(Object.is(out[1], -0)).toBe(true);
  });
  it("pow is within 1 float32 ulp of Math.pow (bases of both signs, integer and fractional exponents)", () => {
    const run = simd(ir.binary("POW", x, y), 2);
    const base = fc.oneof(anyF32, fc.float({ min: -100, max: 100 }), fc.float({ min: Math.fround(0.5), max: 2 }));
    const exponent = fc.oneof(anyF32, fc.float({ min: -40, max: 40 }), fc.integer({ min: -50, max: 50 }), fc.float({ min: -3, max: 3 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(base, exponent), { minLength: 64, maxLength: 256 }), (pairs) => {
        const { worst, at } = worstUlps(run, Math.pow, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
        expect(worst, `pow(${at[0]}, ${at[1]}) = ${at[2]}`).toBeLessThanOrEqual(1);
      }),
      params,
    );
  });
  it("pow's special values are Math.pow's", () => {
    const special = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, Infinity, -Infinity, NaN, 1e-45, 3.4e38].map(Math.fround);
    const pairs = special.flatMap((a) => special.map((b) => [a, b] as const));
    expect(pairs.length).toBeLessThanOrEqual(n);
    const out = new Float32Array(n);
    const column = (j: 0 | 1) => Float32Array.from({ length: n }, (_, i) => pairs[i % pairs.length]![j]);
    simd(ir.binary("POW", x, y), 2)(out, column(0), column(1));
    for (const [i, [a, b]] of pairs.entries()) {
      expect(Object.is(out[i], Math.fround(Math.pow(a, b))) || ulps(out[i]!, Math.pow(a, b)) <= 1, `pow(${a}, ${b}) = ${out[i]}`).toBe(true);
    }
  });
  it("a fused kernel with both (atan x · pow(|y| + ½, x) + tanh y) matches the JS kernel", () => {
    const base = ir.binary("ADD", ir.binary("MAX", y, ir.unary("NEG", y)), ir.konst(0.5, f32));
    const expr = ir.binary("ADD", ir.binary("MUL", ir.unary("ATAN", x), ir.binary("POW", base, x)), ir.unary("TANH", y));
    const ins = [1, 2].map((s) => Float32Array.from({ length: n }, (_, i) => 3 * Math.sin(i * 0.731 + s)));
    const [got, want] = [new Float32Array(n), new Float32Array(n)];
    simd(expr, 2)(got, ...ins);
    compileKernel({ kind: "map", size: n, dtype: f32, expr, inputs: [f32, f32] }, true)(want, ...ins);
    for (let i = 0; i < n; i++) expect(Math.abs(got[i]! - want[i]!), `element ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]!)));
  });
});
