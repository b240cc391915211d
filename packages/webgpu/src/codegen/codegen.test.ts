// Compile-only tests of the WGSL codegen (no device): the op table covers the IR, the quirks hold
// (bool in u32 storage, run-time NaN/Inf, select order, no constant folding of all-constant
// nodes), adapter limits shape the kernels, grids split past the per-dimension limit, cache keys
// are structural, and every program of every primitive, its derivatives and a small model compile
// through the compile-only backend.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import { ir, type Kernel, type Program } from "@scm-ts/core";
import { opSpecs } from "@scm-ts/testing";
import { createCompileOnlyBackend } from "./compile-only.js";
import { wgslOps } from "./ops.js";
import { literal } from "./quirks.js";
import { programShader } from "./program.js";
import { baselineLimits, coreLimits, grid } from "./shader.js";

const f32 = "float32" as const;
const mapK = (expr: ir.Expr, size: number, inputs: c.DType[], dtype: c.DType = f32): Kernel => ({ kind: "map", size, dtype, expr, inputs });

describe("WGSL op table", () => {
  it("renders every IR op", () => {
    const ops = Object.keys(wgslOps).sort();
    expect(ops).toHaveLength(32);
    expect(ops).toContain("WHERE");
  });

  it("emits a map kernel with declared bindings, a guard and a store", () => {
    const x = ir.load(0, f32, ir.gidx(1000));
    const spec = programShader(mapK(ir.binary("MUL", ir.unary("EXP", x), ir.konst(2, f32)), 1000, [f32]), coreLimits);
    expect(spec.code).toContain("@group(0) @binding(0) var<storage, read> in0: array<f32>;");
    expect(spec.code).toContain("@group(0) @binding(1) var<storage, read_write> out: array<f32>;");
    expect(spec.code).toContain("if (gidx >= 1000i) { return; }");
    expect(spec.code).toMatch(/exp\(v\d+\)/);
    expect(spec.code).toContain("2f)");
    expect(spec.workgroupSize).toEqual([256, 1, 1]);
    expect(spec.dispatch).toEqual([4, 1, 1]);
    expect(spec.bindings.map((b) => b.access)).toEqual(["read", "read_write"]);
  });

  it("stores bools as u32 and selects with the false value first", () => {
    const i = ir.gidx(7);
    const cond = ir.load(0, "bool", i);
    const e = ir.where(cond, ir.load(1, f32, i), ir.konst(0, f32));
    const spec = programShader(mapK(e, 7, ["bool", f32]), coreLimits);
    expect(spec.code).toContain("var<storage, read> in0: array<u32>;");
    expect(spec.code).toContain("(in0[gidx] != 0u)");
    expect(spec.code).toMatch(/select\(0f, v\d+, v\d+\)/);
    const cmp = programShader(mapK(ir.binary("CMPLT", ir.load(0, f32, i), ir.konst(1, f32)), 7, [f32], "bool"), coreLimits);
    expect(cmp.code).toContain("var<storage, read_write> out: array<u32>;");
    expect(cmp.code).toMatch(/out\[gidx\] = select\(0u, 1u, v\d+\);/);
  });

  it("makes NaN and ±Inf at run time and writes −0 and the i32 minimum exactly", () => {
    const i = ir.gidx(3);
    const x = ir.load(0, f32, i);
    const e = ir.binary("ADD", ir.binary("MAX", x, ir.konst(-Infinity, f32)), ir.binary("MUL", x, ir.konst(NaN, f32)));
    const code = programShader(mapK(e, 3, [f32]), coreLimits).code;
    expect(code).toContain("fn f32_inf() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }");
    expect(code).toContain("(-f32_inf())");
    expect(code).toContain("f32_nan()");
    expect(code).toContain("fn max_f32(");
    expect(literal(-0, f32, () => {})).toBe("-0.0f");
    expect(literal(0.1, f32, () => {})).toBe(`${Math.fround(0.1)}f`);
    expect(literal(2 ** 32 - 1, "uint32", () => {})).toBe("4294967295u");
    const imin = programShader(mapK(ir.binary("ADD", ir.load(0, "int32", i), ir.konst(-2147483648, "int32")), 3, ["int32"], "int32"), coreLimits).code;
    expect(imin).toContain("i32(-2147483647 - 1)");
  });

  it("binds the constants of all-constant nodes to lets, so WGSL never folds them", () => {
    const e = ir.binary("ADD", ir.load(0, f32, ir.gidx(2)), ir.unary("LOG", ir.konst(0, f32)));
    const code = programShader(mapK(e, 2, [f32]), coreLimits).code;
    expect(code).toMatch(/let c\d+: f32 = 0f;/);
    expect(code).toMatch(/log\(c\d+\)/);
  });

  it("emits only the helpers a kernel uses", () => {
    const code = programShader(mapK(ir.unary("EXP", ir.load(0, f32, ir.gidx(5))), 5, [f32]), coreLimits).code;
    expect(code.match(/fn (?!main)/g)).toBeNull();
  });
});

describe("limits and geometry", () => {
  it("splits large grids over y and recovers the linear index", () => {
    expect(grid(65535, baselineLimits)).toEqual([65535, 1, 1]);
    expect(grid(65536, baselineLimits)).toEqual([32768, 2, 1]);
    const spec = programShader(mapK(ir.load(0, f32, ir.gidx(65536 * 256 + 3)), 65536 * 256 + 3, [f32]), coreLimits);
    expect(spec.dispatch[1]).toBe(2);
    expect(spec.code).toContain(`wid.y * ${spec.dispatch[0]}u + wid.x`);
  });

  it("sizes workgroups from the adapter's limits", () => {
    const k = mapK(ir.load(0, f32, ir.gidx(10)), 10, [f32]);
    expect(programShader(k, baselineLimits).workgroupSize[0]).toBe(128);
    expect(programShader(k, { ...baselineLimits, maxComputeInvocationsPerWorkgroup: 64 }).workgroupSize[0]).toBe(64);
    const mm: Program = { kind: "routine", spec: { name: "matmul", dtype: f32, batch: 1, m: 100, k: 30, n: 100, transposeA: false, transposeB: false } };
    expect(programShader(mm, baselineLimits).workgroupSize).toEqual([16, 8, 1]);
    expect(programShader(mm, coreLimits).workgroupSize).toEqual([16, 16, 1]);
    expect(programShader(mm, coreLimits).code).toContain("workgroupBarrier()");
    // CPU adapters (llvmpipe) read GEMM operands straight from storage: no workgroup memory.
    const direct = programShader(mm, { ...coreLimits, cpuAdapter: true });
    expect(direct.code).not.toContain("var<workgroup>");
    expect(direct.cacheKey).not.toBe(programShader(mm, coreLimits).cacheKey);
  });

  it("packs the inputs of kernels with more buffers than the adapter binds into one", () => {
    const i = ir.gidx(4);
    let e = ir.cast(ir.load(0, "int32", i), f32);
    for (let s = 1; s < 5; s++) e = ir.binary("ADD", e, ir.load(s, f32, i));
    const k = mapK(e, 4, ["int32", f32, f32, f32, f32]);
    const spec = programShader(k, baselineLimits);
    expect(spec.packedInputs).toBe(5);
    expect(spec.bindings.map((b) => b.name)).toEqual(["packed", "out"]);
    expect(spec.code).toContain("var<storage, read> packed: array<u32>;");
    expect(spec.code).toContain("let packedAt4 = packed[4];");
    expect(spec.code).toContain("bitcast<i32>(packed[packedAt0 + u32(gidx)])");
    expect(spec.code).toContain("bitcast<f32>(packed[packedAt3 + u32(gidx)])");
    expect(programShader(k, coreLimits).packedInputs).toBeUndefined();
  });

  it("picks a workgroup per output for short, wide reductions and a loop otherwise", () => {
    const red = (size: number, rsize: number): Program => ({ kind: "reduce", op: "sum", size, rsize, dtype: f32, inputs: [f32], expr: ir.load(0, f32, ir.binary("ADD", ir.binary("MUL", ir.gidx(size), ir.idx(rsize)), ir.ridx(rsize))) });
    const wide = programShader(red(3, 5000), coreLimits);
    expect(wide.code).toContain("var<workgroup> partial");
    expect(wide.dispatch).toEqual([3, 1, 1]);
    const tall = programShader(red(100000, 7), coreLimits);
    expect(tall.code).not.toContain("workgroupBarrier");
  });

  it("has structural cache keys", () => {
    const a = (n: number) => mapK(ir.unary("SIN", ir.load(0, f32, ir.gidx(n))), n, [f32]);
    expect(programShader(a(9), coreLimits).cacheKey).toBe(programShader(a(9), coreLimits).cacheKey);
    expect(programShader(a(9), coreLimits).cacheKey).not.toBe(programShader(a(10), coreLimits).cacheKey);
    expect(programShader(a(9), coreLimits).cacheKey).not.toBe(programShader(a(9), baselineLimits).cacheKey);
  });

  it("rejects float64 with a message that says what to do", () => {
    expect(() => programShader(mapK(ir.load(0, "float64", ir.gidx(2)), 2, ["float64"], "float64"), coreLimits)).toThrow(/no float64; use float32/);
  });
});

describe("compile-only backend", () => {
  const backend = createCompileOnlyBackend();
  c.registerBackend("webgpu-compile", async () => backend);

  it("compiles every program of every primitive, its JVP and its VJP", async () => {
    await c.setBackend("webgpu-compile");
    try {
      for (const [name, spec] of Object.entries(opSpecs)) {
        if (name === "convert") continue; // its row converts to float64
        const [inputs] = fc.sample(spec.inputs, { numRuns: 1, seed: 5 });
        const xs = inputs!.map((h) => c.array(h.data, h.shape, { dtype: f32 }));
        const y = spec.apply(...xs);
        await y.data();
        if (spec.differentiable) {
          const [, ty] = c.jvp(spec.apply, xs, xs.map((x) => c.onesLike(x)));
          const cts = c.vjp(spec.apply, ...xs)[1](c.onesLike(y));
          await ty.data();
          expect(cts).toBeDefined();
        }
      }
    } finally {
      await c.setBackend("cpu");
    }
    const codes = [...backend.shaders.values()];
    expect(codes.length).toBeGreaterThan(40);
    for (const s of codes) {
      expect(s.code).toContain("@compute @workgroup_size(");
      expect(s.bindings.at(-1)!.access).toBe("read_write");
    }
    const routines = codes.filter((s) => s.code.includes("tileA"));
    expect(routines.length).toBeGreaterThanOrEqual(3);
  });
});
