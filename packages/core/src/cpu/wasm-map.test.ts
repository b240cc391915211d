// Float32 elementwise kernels compiled to WebAssembly SIMD against the JS kernels of the same IR:
// each supported op, broadcast index patterns (x % c, x / c) and the others lane by lane (gathers, index
// comparisons: concatenation, padding), comparisons and selects, tanh and exp
// on dense sweeps with their special values, and the kernels the SIMD path must leave to JavaScript.
// Tolerances are those of the WebGPU parity suite (rtol 1e-4, atol 1e-4).
import fc from "fast-check";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import * as ir from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { createCpuBackend } from "./backend.js";
import { compileKernel } from "./codegen.js";
import { gemmThreadStats } from "./gemm-threads.js";
import { cpuKernelStats } from "./kernel-stats.js";
import { callDataStart, setMaxCallBytesForTests, wasmCallStats, wasmGemm } from "./wasm-gemm.js";
import { compileMapKernelWasm } from "./wasm-map.js";

const f32 = "float32";
const data = (n: number, seed: number, scale = 2) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 0.731 + seed));

function map(size: number, expr: ir.Expr, inputs: number): Kernel {
  return { kind: "map", size, dtype: f32, expr, inputs: new Array(inputs).fill(f32) };
}

/** Runs a kernel on the SIMD path and in JS; expects the SIMD path to take it and to agree. */
function expectSame(k: Kernel, inputs: Float32Array[], what: string): void {
  const simd = compileMapKernelWasm(k, wasmGemm()!, 0);
  expect(simd, `${what}: the SIMD path takes it`).not.toBeNull();
  const got = new Float32Array(k.size).fill(NaN), want = new Float32Array(k.size);
  simd!(got, ...inputs);
  compileKernel(k, true)(want, ...inputs);
  for (let i = 0; i < k.size; i++) {
    const ok = Object.is(got[i], want[i]) || Math.abs(got[i]! - want[i]!) <= 1e-4 + 1e-4 * Math.abs(want[i]!);
    if (!ok) expect(got[i], `${what}: element ${i}`).toBe(want[i]);
  }
}

const n = 4096;
const x = ir.load(0, f32, ir.gidx(n)), y = ir.load(1, f32, ir.gidx(n));

describe("wasm SIMD elementwise kernels", () => {
  it("match the JS kernels op by op", () => {
    const ins = [data(n, 1), data(n, 2)];
    const cases: [string, ir.Expr][] = [
      ["x + y", ir.binary("ADD", x, y)], ["x - y", ir.binary("SUB", x, y)], ["x · y", ir.binary("MUL", x, y)],
      ["x / y", ir.binary("DIV", x, y)], ["max", ir.binary("MAX", x, y)], ["−x", ir.unary("NEG", x)],
      ["√(x·x)", ir.unary("SQRT", ir.binary("MUL", x, x))], ["tanh", ir.unary("TANH", x)], ["exp", ir.unary("EXP", x)],
      ["x / (1 + exp(−x)) (SiLU)", ir.binary("DIV", x, ir.binary("ADD", ir.konst(1, f32), ir.unary("EXP", ir.unary("NEG", x))))],
      ["x·(1 − y²)", ir.binary("MUL", x, ir.binary("SUB", ir.konst(1, f32), ir.binary("MUL", y, y)))],
      ["x < y ? x : 0.5", ir.where(ir.binary("CMPLT", x, y), x, ir.konst(0.5, f32))],
      ["x ≤ y", ir.cast(ir.binary("CMPLE", x, y), f32)], ["x == x", ir.cast(ir.binary("CMPEQ", x, x), f32)],
      ["!(x ≠ y) or x < 0", ir.cast(ir.binary("OR", ir.unary("NOT", ir.binary("CMPNE", x, y)), ir.binary("CMPLT", x, ir.konst(0, f32))), f32)],
    ];
    for (const [what, e] of cases) expectSame(map(n, e, 2), ins, what);
  });
  it("broadcast inputs through x % c and x / c (c a multiple of 4), and hoist what does not depend on GIDX", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 40 }), (rows, c4) => {
        const cols = 4 * c4, size = rows * cols;
        const g = ir.gidx(size);
        const row = ir.load(1, f32, ir.binary("MOD", g, ir.idx(cols))); // a bias row
        const col = ir.load(2, f32, ir.binary("IDIV", g, ir.idx(cols))); // a per-row scale
        const first = ir.load(1, f32, ir.idx(3)); // a uniform scalar
        const e = ir.binary("ADD", ir.binary("MUL", ir.load(0, f32, g), col), ir.binary("MUL", row, first));
        expectSame(map(size, e, 3), [data(size, 3), data(cols, 4), data(rows, 5)], `rows ${rows} cols ${cols}`);
      }),
      { seed: 11, numRuns: 40 },
    );
  });
  it("take 16, 8 or 4 elements a step (sizes ≡ 0 mod 16, 8 mod 16, 4 mod 8) with the same results, broadcasts included", () => {
    for (const rows of [16, 6, 5]) {
      const cols = 4, size = rows * cols, g = ir.gidx(size);
      const t = ir.load(1, f32, ir.binary("IDIV", g, ir.idx(cols))); // one value per row: uniform within a group
      const e = ir.unary("SIN", ir.binary("MUL", ir.unary("EXP", t), ir.unary("TANH", ir.load(0, f32, g))));
      expectSame(map(size, e, 2), [data(size, 8), data(rows, 9)], `${rows} rows of 4`);
    }
  });
  it("computes tanh within 1e-6 of Math.tanh, with its special values", () => {
    const m = 24 * 4096 * 2;
    const sweep = Float32Array.from({ length: m }, (_, i) => (i - m / 2) / 4096);
    sweep.set([Infinity, -Infinity, NaN, -0, 1e-30, 3e-4, -3.5e-4, 8.5, -9.5, 1e30], 0);
    const got = new Float32Array(m);
    compileMapKernelWasm(map(m, ir.unary("TANH", ir.load(0, f32, ir.gidx(m))), 1), wasmGemm()!)!(got, sweep);
    let worst = 0;
    for (let i = 10; i < m; i++) worst = Math.max(worst, Math.abs(got[i]! - Math.tanh(sweep[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect([...got.subarray(0, 2)]).toEqual([1, -1]);
    expect(got[2]).toBeNaN();
    expect(Object.is(got[3], -0)).toBe(true);
    expect([got[4], got[5], got[6]]).toEqual([sweep[4], sweep[5], sweep[6]]);
    expect(Math.abs(got[7]! - Math.tanh(8.5))).toBeLessThanOrEqual(1e-7);
    expect([got[8], got[9]]).toEqual([-1, 1]);
  });
  it("computes exp within 1 float32 ulp of Math.exp from underflow to overflow, with its special values", () => {
    const m = 1 << 18;
    const xs = Float32Array.from({ length: m }, (_, i) => -110 + (200 * i) / m);
    xs.set([Infinity, -Infinity, NaN, -0, 88.72, 88.73, -103, -104, 1e-8], 0);
    const got = new Float32Array(m);
    compileMapKernelWasm(map(m, ir.unary("EXP", ir.load(0, f32, ir.gidx(m))), 1), wasmGemm()!)!(got, xs);
    let worst = 0;
    for (let i = 9; i < m; i++) {
      const want = Math.fround(Math.exp(xs[i]!));
      if (got[i] !== want) worst = Math.max(worst, Math.abs(got[i]! - want) / Math.max(2 ** -149, Math.abs(want) * 2 ** -23));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect([got[0], got[1], got[3], got[5], got[6], got[7], got[8]]).toEqual([Infinity, 0, 1, Infinity, Math.fround(Math.exp(-103)), 0, 1]);
    expect(got[2]).toBeNaN();
    expect(Math.abs(got[4]! - Math.exp(xs[4]!))).toBeLessThanOrEqual(Math.exp(xs[4]!) * 2 ** -23);
  });
  it("reductions match the JS kernels: row and full sums (lanes along RIDX), column sums (along GIDX), max of exp, NaN", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 30 }), fc.constantFrom("sum", "max"), (rows, c4, fold) => {
        const cols = 4 * c4, size = rows * cols;
        const m = ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.gidx(rows), ir.idx(cols)), ir.ridx(cols))); // row g, column r
        const t = ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.ridx(rows), ir.idx(cols)), ir.gidx(cols))); // column g, row r
        const reduce = (sz: number, rsize: number, expr: ir.Expr): Kernel => ({ kind: "reduce", size: sz, rsize, op: fold as "sum" | "max", dtype: f32, expr, inputs: [f32] });
        const ins = [data(size, rows + c4, 3)];
        if (c4 % 3 === 0) ins[0]![(7 * rows) % size] = NaN; // a NaN spreads to its row's and column's results
        expectSame(reduce(rows, cols, ir.binary("MUL", m, m)), ins, `rows ${rows}×${cols} ${fold}`);
        expectSame(reduce(cols, rows, ir.unary("EXP", t)), ins, `columns ${rows}×${cols} ${fold} of exp`);
        if (rows === 4) expectSame(reduce(1, size, ir.load(0, f32, ir.ridx(size))), ins, `all ${size} ${fold}`);
      }),
      { seed: 12, numRuns: 40 },
    );
  });
  it("runs a call whose operands do not fit in the kernels' memory as JavaScript, with the same result", () => {
    const k = map(n, ir.unary("TANH", ir.binary("ADD", x, y)), 2);
    const ins = [data(n, 8), data(n, 9)];
    const simd = compileMapKernelWasm(k, wasmGemm()!)!;
    const fits = new Float32Array(n), tooLarge = new Float32Array(n);
    simd(fits, ...ins);
    const before = wasmCallStats().tooLarge;
    setMaxCallBytesForTests(callDataStart + 2 * n * 4);
    try {
      simd(tooLarge, ...ins);
    } finally {
      setMaxCallBytesForTests();
    }
    expect(wasmCallStats().tooLarge).toBe(before + 1);
    for (let i = 0; i < n; i++) expect(Math.abs(tooLarge[i]! - fits[i]!)).toBeLessThanOrEqual(1e-6);
  });
  it("hold other index patterns lane by lane: strided and gathered reads, x / c, index comparisons", () => {
    const g = ir.gidx(n);
    const cases: [string, Kernel][] = [
      ["strided index", map(n, ir.load(0, f32, ir.binary("MUL", g, ir.idx(2))), 1)],
      ["x % 6", map(n, ir.load(0, f32, ir.binary("MOD", g, ir.idx(6))), 1)],
      ["nearest ×2 upsampling of rows of 7", map(n, ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.binary("IDIV", g, ir.idx(14)), ir.idx(7)), ir.binary("IDIV", ir.binary("MOD", g, ir.idx(14)), ir.idx(2)))), 1)],
      ["(x − 8) / 3 and % 3 of a possibly negative index (scalar division per lane)", map(n, (() => {
        const d = ir.binary("SUB", g, ir.idx(8));
        return ir.where(ir.binary("CMPLE", ir.idx(0), d), ir.load(0, f32, ir.binary("ADD", ir.binary("IDIV", d, ir.idx(3)), ir.binary("MOD", d, ir.idx(3)))), ir.konst(0, f32));
      })(), 1)],
      ["reduction along neither index", { kind: "reduce", size: 6, rsize: 512, op: "sum", dtype: f32, expr: ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.ridx(512), ir.idx(6)), ir.gidx(6))), inputs: [f32] }],
    ];
    for (const [what, k] of cases) expectSame(k, [data(2 * n, 3)], what);
    // a channel concatenation [B, c1, hw] ++ [B, c2, hw] → [B, c1 + c2, hw] and a zero padding of rows of
    // length w by p on each side: the lanes the select discards index outside their input (below 0, past
    // its end), so their loads are clamped inside the memory and their values dropped
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 3 }),
        (b, c1, c2, hw, p) => {
          const c = c1 + c2, size = b * c * hw;
          if (size % 4) return;
          const gi = ir.gidx(size), ch = ir.binary("MOD", ir.binary("IDIV", gi, ir.idx(hw)), ir.idx(c)), bi = ir.binary("IDIV", gi, ir.idx(c * hw)), pos = ir.binary("MOD", gi, ir.idx(hw));
          const first = ir.load(0, f32, ir.binary("ADD", ir.binary("ADD", ir.binary("MUL", bi, ir.idx(c1 * hw)), ir.binary("MUL", ch, ir.idx(hw))), pos));
          const second = ir.load(1, f32, ir.binary("ADD", ir.binary("ADD", ir.binary("MUL", bi, ir.idx(c2 * hw)), ir.binary("MUL", ir.binary("SUB", ch, ir.idx(c1)), ir.idx(hw))), pos));
          expectSame(map(size, ir.where(ir.binary("CMPLT", ch, ir.idx(c1)), first, second), 2), [data(b * c1 * hw, 4), data(b * c2 * hw, 5)], `concat ${b}×(${c1} + ${c2})×${hw}`);
          const w = hw + 2 * p, rows = b * c, col = ir.binary("SUB", ir.binary("MOD", ir.gidx(rows * w), ir.idx(w)), ir.idx(p));
          const inside = ir.binary("AND", ir.binary("CMPLE", ir.idx(0), col), ir.binary("CMPLT", col, ir.idx(hw)));
          const src = ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.binary("IDIV", ir.gidx(rows * w), ir.idx(w)), ir.idx(hw)), col));
          if ((rows * w) % 4 === 0) expectSame(map(rows * w, ir.where(inside, src, ir.konst(0, f32)), 1), [data(rows * hw, 6)], `padding ${rows}×${hw} by ${p}`);
        }),
      { seed: 13, numRuns: 80 },
    );
  });
  it("leaves to JavaScript what it does not vectorise", () => {
    const w = wasmGemm()!;
    const g = ir.gidx(n);
    const rejected: [string, Kernel][] = [
      ["size not a multiple of 4", map(n - 2, ir.unary("TANH", ir.load(0, f32, ir.gidx(n - 2))), 1)],
      ["too small", map(64, ir.unary("TANH", ir.load(0, f32, ir.gidx(64))), 1)],
      ["float remainder", map(n, ir.binary("MOD", x, y), 2)],
      ["integer shift", map(n, ir.cast(ir.binary("SHR", ir.cast(ir.load(0, f32, g), "uint32"), ir.konst(3, "uint32")), f32), 1)],
      ["float64", { kind: "map", size: n, dtype: "float64", expr: ir.load(0, "float64", g), inputs: ["float64"] }],
      ["int32 input", { kind: "map", size: n, dtype: f32, expr: ir.cast(ir.load(0, "int32", g), f32), inputs: ["int32"] }],
    ];
    const before = cpuKernelStats();
    for (const [what, k] of rejected) expect(compileMapKernelWasm(k, w), what).toBeNull();
    // counted: the float op without a SIMD form, and the index patterns and integer values
    const after = cpuKernelStats();
    const added = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(a).filter(([key, v]) => v !== (b[key] ?? 0)).map(([key, v]) => [key, v - (b[key] ?? 0)]));
    expect(added(after.opFallbacks, before.opFallbacks)).toEqual({ "MOD float32(float32,float32)": 1 });
    expect(added(after.indexFallbacks, before.indexFallbacks)).toEqual({ "CAST uint32(float32)": 1 });
    expect(after.wasmKernels).toBe(before.wasmKernels);
  });
  it("is what the default CPU backend runs, with the reference backend's results", () => {
    const k = map(n, ir.unary("TANH", ir.binary("ADD", x, y)), 2);
    const out = (simd: boolean): Float32Array => {
      const b = createCpuBackend({ simd });
      const [p, q, o] = [b.alloc(f32, n), b.alloc(f32, n), b.alloc(f32, n)];
      b.write(p, data(n, 6));
      b.write(q, data(n, 7));
      b.dispatch(b.prepare(k), [p, q], o);
      return b.readSync!(o) as Float32Array;
    };
    const [fast, ref] = [out(true), out(false)];
    for (let i = 0; i < n; i++) expect(Math.abs(fast[i]! - ref[i]!)).toBeLessThanOrEqual(1e-6);
  });
  it("splits large kernels into units run by the worker threads too (a map, row sums along RIDX, column sums along GIDX), with the JS kernels' results", async () => {
    const threaded = availableParallelism() > 1 && process.env.SCM_THREADS !== "1";
    const [rows, cols] = [1024, 516]; // 528 384 elements: split into 33 (map), 32 (rows) and 33 (columns) units
    const mat = (g: ir.Expr, r: ir.Expr) => ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", g, ir.idx(cols)), r));
    const all = ir.gidx(rows * cols), bias = ir.load(1, f32, ir.binary("MOD", all, ir.idx(cols))); // a broadcast row
    const kernels: [string, Kernel][] = [
      ["map", map(rows * cols, ir.binary("ADD", ir.unary("TANH", ir.load(0, f32, all)), ir.binary("MUL", bias, ir.load(0, f32, all))), 2)],
      ["row sums", { kind: "reduce", size: rows, rsize: cols, op: "sum", dtype: f32, expr: ir.unary("EXP", mat(ir.gidx(rows), ir.ridx(cols))), inputs: [f32, f32] }],
      ["column maxima", { kind: "reduce", size: cols, rsize: rows, op: "max", dtype: f32, expr: mat(ir.ridx(rows), ir.gidx(cols)), inputs: [f32, f32] }],
    ];
    const ins = [data(rows * cols, 3), data(cols, 4)];
    for (const [what, k] of kernels) {
      const simd = compileMapKernelWasm(k, wasmGemm()!)!;
      const want = new Float32Array(k.size), got = new Float32Array(k.size);
      compileKernel(k, true)(want, ...ins);
      // the first calls start the workers; repeat (up to 5 s) until a worker has run some of the units
      for (const t0 = performance.now(); ; ) {
        const s0 = gemmThreadStats();
        got.fill(NaN);
        simd(got, ...ins);
        const s1 = gemmThreadStats(), workerUnits = s1.units - s0.units - (s1.callerUnits - s0.callerUnits);
        for (let i = 0; i < k.size; i++) {
          if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 + 1e-4 * Math.abs(want[i]!))) expect(got[i], `${what}: element ${i}`).toBe(want[i]);
        }
        if (!threaded || workerUnits > 0) break;
        expect(performance.now() - t0, `${what}: a worker ran some units within 5 s`).toBeLessThan(5000);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  });
});
