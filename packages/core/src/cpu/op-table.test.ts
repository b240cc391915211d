// The CPU op table: every IR op has a row (a compile-time check), every row without a SIMD form
// says why, every float32 op with a SIMD form runs on the SIMD path with the JS kernel's values, the
// float32 ops without one are exactly the listed ones, and a fallback is counted and, with
// SCM_DEBUG_FALLBACK set, printed once.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as ir from "../ir/expr.js";
import type { IrOp } from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { compileKernel } from "./codegen.js";
import { cpuKernelStats } from "./kernel-stats.js";
import { cpuOps, type CpuOpRow } from "./op-table.js";
import { wasmGemm } from "./wasm-gemm.js";
import { compileMapKernelWasm } from "./wasm-map.js";
import { unvectorisedOp } from "./wasm-vector.js";

// @ts-expect-error an op added to the IR without a row does not compile
const withNewOp: Record<IrOp | "NEW_OP", CpuOpRow> = cpuOps;
void withNewOp;

const f32 = "float32";
const n = 4096;
const g = ir.gidx(n);
const [x, y] = [ir.load(0, f32, g), ir.load(1, f32, g)];
const unaryOps: ir.UnaryIrOp[] = ["NEG", "EXP", "LOG", "SIN", "COS", "SQRT", "TANH", "ATAN", "NOT"];
const binaryOps: ir.BinaryIrOp[] = [
  "ADD", "SUB", "MUL", "DIV", "IDIV", "MOD", "MAX", "POW", "CMPLT", "CMPLE", "CMPEQ", "CMPNE", "AND", "OR", "XOR", "SHL", "SHR",
];
/** Float32 ops the SIMD path has no form for, and why none is needed. */
const noFloat32Form: Record<string, string> = {
  NOT: "of bool only (a float operand is cast first)",
  IDIV: "index arithmetic only", MOD: "index arithmetic only",
  AND: "of bool masks only", OR: "of bool masks only", XOR: "of bool masks only",
  SHL: "integer only", SHR: "integer only",
};

describe("the CPU op table", () => {
  afterEach(() => vi.unstubAllEnvs());
  it("gives every row without a SIMD form its reason", () => {
    for (const [name, row] of Object.entries(cpuOps)) if (row.wasm === null) expect(row.why, name).toMatch(/\w+/);
  });
  it("runs every float32 op that has a SIMD form on the SIMD path, with the JS kernel's values", () => {
    const data = (seed: number) => Float32Array.from({ length: n }, (_, i) => 2.5 * Math.sin(i * 0.731 + seed));
    const ins = [data(1), data(2)];
    const cases: [string, ir.Expr][] = [
      ...unaryOps.map((o): [string, ir.Expr] => [o, ir.unary(o, x)]),
      ...binaryOps.map((o): [string, ir.Expr] => [o, ir.binary(o, x, y)]),
    ];
    const without: string[] = [];
    for (const [name, e] of cases) {
      const expr = e.dtype === "bool" ? ir.cast(e, f32) : e;
      if (unvectorisedOp(expr)) {
        without.push(name);
        continue;
      }
      const k: Kernel = { kind: "map", size: n, dtype: f32, expr, inputs: [f32, f32] };
      const run = compileMapKernelWasm(k, wasmGemm()!);
      expect(run, `${name}: the SIMD path takes it`).not.toBeNull();
      const [got, want] = [new Float32Array(n), new Float32Array(n)];
      run!(got, ...ins);
      compileKernel(k, true)(want, ...ins);
      for (let i = 0; i < n; i++) {
        if (!Object.is(got[i], want[i])) expect(Math.abs(got[i]! - want[i]!), `${name}, element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]!)));
      }
    }
    expect(without.sort()).toEqual(Object.keys(noFloat32Form).sort());
  });
  it("counts a fallback by its op, at any size, and prints one line per kind with SCM_DEBUG_FALLBACK", () => {
    vi.stubEnv("SCM_DEBUG_FALLBACK", "1");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = cpuKernelStats().opFallbacks["MOD float32(float32,float32)"] ?? 0;
    const remainder = (size: number) => ir.binary("MOD", ir.load(0, f32, ir.gidx(size)), ir.konst(3, f32));
    const small = (size: number): Kernel => ({ kind: "map", size, dtype: f32, expr: remainder(size), inputs: [f32] });
    for (const size of [8, 12, n]) expect(compileMapKernelWasm(small(size), wasmGemm()!)).toBeNull();
    expect(cpuKernelStats().opFallbacks["MOD float32(float32,float32)"]).toBe(before + 3);
    const lines = warn.mock.calls.filter((c) => String(c[0]).includes("MOD float32"));
    expect(lines.length).toBeLessThanOrEqual(1);
    if (before === 0) expect(lines.length).toBe(1);
    warn.mockRestore();
  });
});
