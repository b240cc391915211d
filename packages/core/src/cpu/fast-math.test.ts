// tanh32 against Math.tanh: a dense sweep and the special values, and the fast backend ('cpu')
// against the reference ('cpu-js') on a float32 tanh kernel, within the WebGPU parity tolerance.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileKernel } from "./codegen.js";
import { tanh32 } from "./fast-math.js";
import * as ir from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";

describe("tanh32", () => {
  it("is within 3e-7 of Math.tanh on a dense sweep of [-12, 12]", () => {
    let worst = 0;
    for (let x = -12; x <= 12; x += 1 / 4096) worst = Math.max(worst, Math.abs(tanh32(x) - Math.tanh(x)));
    expect(worst).toBeLessThanOrEqual(3e-7);
  });
  it("is within 3e-7 of Math.tanh on random float32 inputs of any magnitude", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => Math.abs(tanh32(x) - Math.tanh(x)) <= 3e-7),
      { seed: 32, numRuns: 2000 },
    );
  });
  it("keeps the special values", () => {
    expect(tanh32(Infinity)).toBe(1);
    expect(tanh32(-Infinity)).toBe(-1);
    expect(tanh32(NaN)).toBeNaN();
    expect(Object.is(tanh32(-0), -0)).toBe(true);
    expect(tanh32(1e-30)).toBe(1e-30);
  });
  it("is what the fast codegen calls for float32 tanh (and only then)", () => {
    const k = (dtype: "float32" | "float64"): Kernel => ({ kind: "map", dtype, size: 4, inputs: [dtype], expr: ir.unary("TANH", ir.load(0, dtype, ir.gidx(4))) });
    const inp = new Float64Array([0.3, -2, 5, 1e-3]);
    for (const dtype of ["float32", "float64"] as const) {
      const fast = new Float64Array(4), exact = new Float64Array(4);
      compileKernel(k(dtype), true)(fast, inp);
      compileKernel(k(dtype), false)(exact, inp);
      for (let i = 0; i < 4; i++) {
        expect(exact[i]).toBe(Math.tanh(inp[i]!));
        if (dtype === "float64") expect(fast[i]).toBe(exact[i]);
        else expect(fast[i]).toBe(tanh32(inp[i]!));
      }
    }
  });
});
