// Compile-only tests of attention's reverse-mode routines (no device): attentionBwdQ walks the keys
// twice per query row (online softmax for L and δ, then dq) and attentionBwdKV the queries once per
// key row, neither with an N×M array; rows of [dq, L, δ] and [dk, dv] are written; cache keys are
// structural; adapters with few storage bindings get the inputs packed.
import { describe, expect, it } from "vitest";
import type { AttentionSpec, Program } from "@scm-ts/core";
import { programShader } from "../program.js";
import { baselineLimits, coreLimits } from "../shader.js";

const spec = (over: Partial<AttentionSpec> = {}): Program => ({ kind: "routine", spec: { name: "attentionBwdQ", dtype: "float32", batch: 6, n: 65, m: 33, d: 8, dv: 5, scale: 0.35, ...over } });

describe("WGSL attention backward routines", () => {
  it("walk the keys twice per query row and the queries once per key row, with no N×M array", () => {
    const q = programShader(spec(), coreLimits), kv = programShader(spec({ name: "attentionBwdKV" }), coreLimits);
    expect(q.code.match(/for \(var j = 0i; j < M; j\+\+\)/g)).toHaveLength(2);
    expect(q.code).toContain("let lse = mx + log(l);");
    expect(q.code).toContain("out[ob + D] = lse;");
    expect(kv.code.match(/for \(var i = 0i; i < N; i\+\+\)/g)).toHaveLength(1);
    expect(kv.code).toContain("let pr = exp(x - in4[qi * 2i]);");
    for (const s of [q.code, kv.code]) expect(s).not.toMatch(/array<f32, (N|M)\b/);
    // one grid row per head (z), rows of that head along x
    expect(q.dispatch[2]).toBe(6);
    expect(kv.dispatch[2]).toBe(6);
    expect(q.dispatch[0] * q.workgroupSize[0]).toBeGreaterThanOrEqual(65);
    expect(q.dispatch[0] * q.workgroupSize[0]).toBeLessThan(65 + 64);
    expect(kv.dispatch[0] * kv.workgroupSize[0]).toBeGreaterThanOrEqual(33);
    expect(q.code).toContain("let head = i32(wid.z);");
    expect(q.bindings).toHaveLength(5);
    expect(kv.bindings).toHaveLength(6);
  });

  it("have structural cache keys", () => {
    const key = (p: Program) => programShader(p, coreLimits).cacheKey;
    const variants = [spec(), spec({ n: 64 }), spec({ m: 34 }), spec({ d: 9 }), spec({ dv: 6 }), spec({ scale: 0.5 }), spec({ batch: 7 }), spec({ name: "attentionBwdKV" }), spec({ name: "attention" })];
    expect(key(spec())).toBe(key(spec()));
    expect(new Set(variants.map(key)).size).toBe(variants.length);
  });

  it("pack their inputs on adapters that bind fewer storage buffers", () => {
    const kv = programShader(spec({ name: "attentionBwdKV" }), baselineLimits);
    expect(kv.packedInputs).toBe(5);
    expect(kv.bindings.map((b) => b.name)).toEqual(["packed", "out"]);
    expect(kv.code).toContain("bitcast<f32>(packed[packedAt4 + u32(qi * 2i)])");
    expect(() => programShader(spec({ dtype: "float64" }), coreLimits)).toThrow(/float64 is not supported; use float32/);
  });
});
