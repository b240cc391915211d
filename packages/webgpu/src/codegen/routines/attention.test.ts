// Compile-only tests of the attention routines (no device): the forward and the tangent are one
// loop over the keys with online-softmax rescaling (no N×M array), cache keys are structural (shape,
// scale and form), adapters with few storage bindings get the inputs packed, and the shaders of a
// jitted attention JVP and VJP come out of the compile-only backend.
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { AttentionSpec, Program } from "@scm-ts/core";
import { createCompileOnlyBackend } from "../compile-only.js";
import { programShader } from "../program.js";
import { baselineLimits, coreLimits } from "../shader.js";

const spec = (over: Partial<AttentionSpec> = {}): Program => ({ kind: "routine", spec: { name: "attention", dtype: "float32", batch: 6, n: 65, m: 33, d: 8, dv: 5, scale: 0.35, ...over } });

describe("WGSL attention routines", () => {
  it("run one pass over the keys per query row, with online-softmax rescaling", () => {
    const fwd = programShader(spec(), coreLimits), tan = programShader(spec({ name: "attentionTangent" }), coreLimits);
    for (const s of [fwd, tan]) {
      expect(s.code.match(/for \(var j = 0i; j < M; j\+\+\)/g)).toHaveLength(1);
      expect(s.code).toContain("let alpha = exp(mx - mNew);");
      expect(s.code).not.toMatch(/array<f32, (N|M)\b/);
      expect(s.dispatch[0] * s.workgroupSize[0]).toBeGreaterThanOrEqual(6 * 65);
    }
    expect(tan.code).toContain("out[row * DV + c] = g[c] * inv - mu * inv * y + ft[c] * inv;");
    // the fused pair writes y, then t_y after all batch·n·dv values of y
    const both = programShader(spec({ name: "attentionJvp" }), coreLimits).code;
    expect(both).toContain("out[row * DV + c] = y;");
    expect(both).toContain(`out[${6 * 65 * 5}i + row * DV + c] = g[c] * inv`);
    expect(fwd.bindings).toHaveLength(4);
    expect(tan.bindings).toHaveLength(7);
  });

  it("have structural cache keys", () => {
    const key = (p: Program) => programShader(p, coreLimits).cacheKey;
    expect(key(spec())).toBe(key(spec()));
    const variants = [spec(), spec({ n: 64 }), spec({ m: 34 }), spec({ d: 9 }), spec({ dv: 6 }), spec({ scale: 0.5 }), spec({ batch: 7 }), spec({ name: "attentionTangent" }), spec({ name: "attentionJvp" })];
    expect(new Set(variants.map(key)).size).toBe(variants.length);
    expect(programShader(spec(), coreLimits).code).toContain("const SCALE = 0.3499999940395355f;");
  });

  it("pack their inputs on adapters that bind fewer storage buffers", () => {
    const tan = programShader(spec({ name: "attentionTangent" }), baselineLimits);
    expect(tan.packedInputs).toBe(6);
    expect(tan.bindings.map((b) => b.name)).toEqual(["packed", "out"]);
    expect(tan.code).toContain("bitcast<f32>(packed[packedAt5 + u32(vb + c)])");
    expect(programShader(spec(), baselineLimits).packedInputs).toBeUndefined();
    expect(tan.cacheKey).not.toBe(programShader(spec({ name: "attentionTangent" }), coreLimits).cacheKey);
  });

  it("compile for a jitted attention JVP and VJP", async () => {
    const be = createCompileOnlyBackend();
    c.registerBackend("webgpu-compile-attn", async () => be);
    await c.setBackend("webgpu-compile-attn");
    try {
      const q = c.random.normal(c.random.key(1), [2, 7, 4]), k = c.random.normal(c.random.key(2), [2, 5, 4]), v = c.random.normal(c.random.key(3), [2, 5, 3]);
      const f = c.jit((a: c.Tensor, b: c.Tensor, e: c.Tensor) => {
        const [y, ty] = c.jvp(c.attention, [a, b, e], [c.onesLike(a), c.onesLike(b), c.onesLike(e)]);
        return [y, ty, c.grad((x: c.Tensor) => c.sum(c.attention(x, b, e)))(a)];
      });
      for (const t of f(q, k, v)) await t.data();
      const names = [...be.shaders.keys()].filter((key) => key.startsWith("routine:")).map((key) => JSON.parse(key.slice(8)).name as string);
      expect(names).toEqual(expect.arrayContaining(["attentionJvp", "matmul"]));
    } finally {
      await c.setBackend("cpu");
    }
  });
});
