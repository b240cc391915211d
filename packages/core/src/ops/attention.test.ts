// The attention primitives against the composed reference softmax(s·Q·Kᵀ)·V (float64, random shapes
// with broadcast batch axes): values, JVPs, VJPs and the JVP of the VJP map agree; a jitted forward
// and JVP lower to one attentionJvp routine (both outputs, one pass) without storing the N×M logits; bad operands fail
// with a message naming the shapes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "../index.js";
import type { Tensor } from "../index.js";
import { attentionProbs } from "./attention-bwd.js";

const f64 = { dtype: "float64" } as const;
const composed = (q: Tensor, k: Tensor, v: Tensor): Tensor => c.matmul(attentionProbs(q, k, 1 / Math.sqrt(q.shape[q.ndim - 1]!)), v);

async function expectClose(a: Tensor, b: Tensor): Promise<void> {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-10 * (1 + Math.abs(y[i]!))));
}

describe("attention primitives", () => {
  it("equal the composed reference: value, JVP, VJP and second order (float64)", async () => {
    const dims = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000));
    await fc.assert(
      fc.asyncProperty(dims, async ([h, n, m, d, dv, seed]) => {
        const ks = c.random.split(c.random.key(seed), 8);
        const q = c.random.normal(ks[0]!, [2, h, n, d], f64), k = c.random.normal(ks[1]!, [1, h, m, d], f64), v = c.random.normal(ks[2]!, [2, h, m, dv], f64);
        const ts: [Tensor, Tensor, Tensor] = [c.random.normal(ks[3]!, [2, h, n, d], f64), c.random.normal(ks[4]!, [1, h, m, d], f64), c.random.normal(ks[5]!, [2, h, m, dv], f64)];
        const ct = c.random.normal(ks[6]!, [2, h, n, dv], f64);
        const fused = (a: Tensor, b: Tensor, e: Tensor): Tensor => c.attention(a, b, e);
        const [y, ty] = c.jvp(fused, [q, k, v], ts);
        const [y0, ty0] = c.jvp(composed, [q, k, v], ts);
        await expectClose(y, y0);
        await expectClose(ty, ty0);
        const g = c.vjp(fused, q, k, v)[1](ct), g0 = c.vjp(composed, q, k, v)[1](ct);
        for (let i = 0; i < 3; i++) await expectClose(g[i]!, g0[i]!);
        // second order: the JVP of the VJP map, and the VJP of the JVP map
        const jv = c.jvp((a: Tensor, b: Tensor, e: Tensor) => c.vjp(fused, a, b, e)[1](ct), [q, k, v], ts)[1];
        const jv0 = c.jvp((a: Tensor, b: Tensor, e: Tensor) => c.vjp(composed, a, b, e)[1](ct), [q, k, v], ts)[1];
        for (let i = 0; i < 3; i++) await expectClose(jv[i]!, jv0[i]!);
        const vj = c.vjp((a: Tensor, b: Tensor, e: Tensor) => c.jvp(fused, [a, b, e], ts)[1], q, k, v)[1](ct);
        const vj0 = c.vjp((a: Tensor, b: Tensor, e: Tensor) => c.jvp(composed, [a, b, e], ts)[1], q, k, v)[1](ct);
        for (let i = 0; i < 3; i++) await expectClose(vj[i]!, vj0[i]!);
      }),
      { seed: 7, numRuns: 8 },
    );
  });

  it("a jitted forward and JVP run as one attentionJvp routine, with no N×M intermediate", async () => {
    const ks = c.random.split(c.random.key(3), 6);
    const shapes = [[2, 9, 4], [2, 11, 4], [2, 11, 3]];
    const [q, k, v, tq, tk, tv] = [...shapes, ...shapes].map((s, i) => c.random.normal(ks[i]!, s, f64));
    const f = c.jit((a: Tensor, b: Tensor, e: Tensor, ta: Tensor, tb: Tensor, te: Tensor) => c.jvp(c.attention, [a, b, e], [ta, tb, te]));
    const { plan } = f.lower(q!, k!, v!, tq!, tk!, tv!);
    const names = plan.steps.map((s) => (s.program.kind === "routine" ? s.program.spec.name : s.program.kind));
    expect(names.filter((n) => n !== "map")).toEqual(["attentionJvp"]);
    expect(plan.slots.some((s) => s.shape.includes(9) && s.shape.includes(11))).toBe(false);
    const [y, ty] = f(q!, k!, v!, tq!, tk!, tv!);
    const [y0, ty0] = c.jvp(composed, [q!, k!, v!], [tq!, tk!, tv!]);
    await expectClose(y, y0);
    await expectClose(ty, ty0);
  });

  it("rejects operands that are not [..., N, D], [..., M, D], [..., M, Dv]", () => {
    expect(() => c.attention(c.ones([2, 3]), c.ones([4, 5]), c.ones([4, 2]))).toThrow(/attention: q float32\[2,3\], k float32\[4,5\]/);
    expect(() => c.attention(c.ones([2, 3]), c.ones([0, 3]), c.ones([0, 2]))).toThrow(/at least one key/);
  });
});
