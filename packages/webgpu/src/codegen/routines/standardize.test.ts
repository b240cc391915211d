// Compile-only tests of the standardisation routines (no device): one workgroup per row with
// tree reductions in workgroup memory (mean, then squared deviations; the tangent's two means in
// one reduction), workgroups sized to the row and the adapter, structural cache keys, and a grid
// that splits past the per-dimension limit.
import { describe, expect, it } from "vitest";
import type { Program, StandardizeSpec } from "@scm-ts/core";
import { programShader } from "../program.js";
import { baselineLimits, coreLimits } from "../shader.js";

const spec = (over: Partial<StandardizeSpec> = {}): Program => ({ kind: "routine", spec: { name: "standardize", dtype: "float32", rows: 37, len: 301, eps: 1e-5, ...over } });

describe("WGSL standardisation routines", () => {
  it("reduce each row in one workgroup, then write it normalised", () => {
    const fwd = programShader(spec(), coreLimits), tan = programShader(spec({ name: "standardizeTangent" }), coreLimits);
    expect(fwd.dispatch).toEqual([37, 1, 1]);
    expect(fwd.code).toContain("var<workgroup> red: array<f32, WG>;");
    expect(fwd.code.match(/workgroupBarrier\(\)/g)!.length).toBeGreaterThanOrEqual(4);
    expect(fwd.code).toContain("out[base + i] = (in0[base + i] - mu) * r;");
    expect(tan.code).toContain("red2[lid] += red2[lid + st];");
    expect(tan.code).toContain("out[base + i] = r * (in1[base + i] - mt - (in0[base + i] - mu) * r * myt);");
    expect(tan.bindings).toHaveLength(3);
    // the fused pair writes y, then t_y after all rows·len values of y
    const both = programShader(spec({ name: "standardizeJvp" }), coreLimits).code;
    expect(both).toContain("out[base + i] = (in0[base + i] - mu) * r;");
    expect(both).toContain(`out[${37 * 301}i + base + i] = r * (in1[base + i]`);
  });

  it("size the workgroup to the row and the adapter", () => {
    expect(programShader(spec(), coreLimits).workgroupSize[0]).toBe(256);
    expect(programShader(spec({ len: 10 }), coreLimits).workgroupSize[0]).toBe(64);
    expect(programShader(spec(), baselineLimits).workgroupSize[0]).toBe(128);
    expect(programShader(spec({ rows: 70000 }), coreLimits).dispatch).toEqual([35000, 2, 1]);
  });

  it("have structural cache keys", () => {
    const key = (p: Program) => programShader(p, coreLimits).cacheKey;
    expect(key(spec())).toBe(key(spec()));
    const variants = [spec(), spec({ rows: 38 }), spec({ len: 300 }), spec({ eps: 1e-6 }), spec({ name: "standardizeTangent" }), spec({ name: "standardizeJvp" })];
    expect(new Set(variants.map(key)).size).toBe(variants.length);
  });
});
