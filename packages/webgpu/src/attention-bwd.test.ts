// Attention's reverse mode on WebGPU through the FlashAttention-style routines (attentionBwdQ and
// attentionBwdKV), against the composed reference on the CPU: gradients of q, k and v on odd shapes
// whose rows straddle the 64-invocation workgroup, with heads as extra batch axes; the routines'
// own outputs (dq with the row log-sum-exp and δ = g·y; dk with dv); a grad check on the device
// (⟨Jᵀg, t⟩ = ⟨g, J·t⟩ against the forward-mode routine, and central differences); second order
// through the routines' JVP rule; and a jitted gradient whose plan runs the two routines and holds
// no N×M buffer.
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { arrayArb, checkParity, fcParams, type HostArray } from "@scm-ts/testing";
import { describeWebGpu, useWebGpu } from "./test-support/webgpu.js";

const tol = { rtol: 3e-4, atol: 3e-5 };
const swap = (x: Tensor): Tensor => c.transpose(x, [...x.shape.keys()].map((i) => (i < x.ndim - 2 ? i : 2 * x.ndim - 3 - i)));
const composed = (q: Tensor, k: Tensor, v: Tensor): Tensor => c.matmul(c.softmax(c.mul(c.matmul(q, swap(k)), 1 / Math.sqrt(q.shape[q.ndim - 1]!)), -1), v);
/** The routine path on WebGPU, the composed ops on the CPU (the reference). */
const attn = (q: Tensor, k: Tensor, v: Tensor): Tensor => (c.getBackend().name === "cpu" ? composed(q, k, v) : c.attention(q, k, v));

/** Deterministic host data in [−s, s]. */
function arbitrary(shape: number[], s = 1, seed = 1): HostArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, (_, i) => s * Math.sin(1.7 * i + 0.3 * seed + 0.1 * i * i)) };
}

describeWebGpu("attention's reverse mode on WebGPU", () => {
  beforeAll(async () => {
    await useWebGpu();
  });

  it("offers the two routines, and the CPU backend does not", async () => {
    expect(c.backendRuns("attentionBwdQ", "attentionBwdKV")).toBe(true);
    await c.setBackend("cpu");
    expect(c.backendRuns("attentionBwdQ")).toBe(false);
    await c.setBackend("webgpu");
  });

  it("gives the gradients of q, k and v of the composed reference on odd shapes", async () => {
    const cfg = fc.record({
      b: fc.integer({ min: 1, max: 3 }),
      n: fc.oneof(fc.constantFrom(1, 63, 65, 129), fc.integer({ min: 1, max: 90 })),
      m: fc.oneof(fc.constantFrom(1, 64, 65), fc.integer({ min: 1, max: 77 })),
      d: fc.integer({ min: 1, max: 13 }),
      dv: fc.integer({ min: 1, max: 11 }),
    });
    const vjp = (q: Tensor, k: Tensor, v: Tensor, g: Tensor): unknown => c.vjp(attn, q, k, v)[1](g);
    await fc.assert(
      fc.asyncProperty(
        cfg.chain(({ b, n, m, d, dv }) => fc.tuple(...[[b, n, d], [b, m, d], [b, m, dv], [b, n, dv]].map((s) => arrayArb(s)))),
        async (xs) => {
          await checkParity(vjp, xs, tol);
        },
      ),
      fcParams(8),
    );
    // heads as a second batch axis, large logits (the softmax is nearly one-hot), and one key
    const h4 = [[2, 3, 37, 6], [2, 3, 70, 6], [2, 3, 70, 5], [2, 3, 37, 5]];
    await checkParity(vjp, h4.map((s, i) => arbitrary(s, i < 2 ? 3 : 1, i)), tol);
    await checkParity(vjp, [[1, 9, 4], [1, 1, 4], [1, 1, 2], [1, 9, 2]].map((s, i) => arbitrary(s, 1, i)), tol);
  });

  it("write [dq, L, δ] and [dk, dv] rows equal to the composed passes", async () => {
    const shapes = [[2, 67, 5], [2, 31, 5], [2, 31, 3], [2, 67, 3]];
    const inputs = shapes.map((s, i) => arbitrary(s, 1.5, i + 7));
    const scale = 0.41;
    const passes = (q: Tensor, k: Tensor, v: Tensor, g: Tensor): Tensor[] => {
      if (c.getBackend().name === "cpu") {
        const rows = c.attentionBwdQComposed(q, k, v, g, scale);
        return [rows, c.attentionBwdKVComposed(q, k, v, g, c.slice(rows, [0, 0, 5], [2, 67, 7]), scale)];
      }
      const [rows] = c.applyPrimitive(c.attentionBwdQ, [q, k, v, g], { scale });
      return [rows!, c.applyPrimitive(c.attentionBwdKV, [q, k, v, g, c.slice(rows!, [0, 0, 5], [2, 67, 7])], { scale })[0]!];
    };
    const [rows, kv] = await checkParity(passes, inputs, tol);
    expect(rows!.ok && kv!.ok).toBe(true);
  });

  it("pass a grad check on the device: ⟨Jᵀg, t⟩ = ⟨g, J·t⟩ and central differences", async () => {
    const q = c.random.normal(c.random.key(1), [2, 45, 7]), k = c.random.normal(c.random.key(2), [2, 33, 7]), v = c.random.normal(c.random.key(3), [2, 33, 4]);
    const g = c.random.normal(c.random.key(4), [2, 45, 4]);
    const ts: [Tensor, Tensor, Tensor] = [c.random.normal(c.random.key(5), q.shape), c.random.normal(c.random.key(6), k.shape), c.random.normal(c.random.key(7), v.shape)];
    const [, pull] = c.vjp(c.attention, q, k, v);
    const cts = pull(g);
    const lhs = await c.add(c.add(c.sum(c.mul(cts[0]!, ts[0]!)), c.sum(c.mul(cts[1]!, ts[1]!))), c.sum(c.mul(cts[2]!, ts[2]!))).item();
    const [, ty] = c.jvp(c.attention, [q, k, v], ts);
    const rhs = await c.sum(c.mul(g, ty)).item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(rhs)));
    // the directional derivative of ⟨g, attention⟩ by central differences (float32, ε = 1e-2)
    const eps = 1e-2;
    const at = async (sgn: number) => c.sum(c.mul(g, c.attention(c.add(q, c.mul(ts[0]!, sgn * eps)), c.add(k, c.mul(ts[1]!, sgn * eps)), c.add(v, c.mul(ts[2]!, sgn * eps))))).item();
    const fd = ((await at(1)) - (await at(-1))) / (2 * eps);
    expect(Math.abs(fd - lhs)).toBeLessThan(2e-3 * (1 + Math.abs(lhs)));
  });

  it("differentiate again through the routines' JVP rule (a Hessian-vector product)", async () => {
    const hvp = (q: Tensor, k: Tensor, v: Tensor, w: Tensor, t: Tensor): unknown => {
      const gradQ = (x: Tensor): Tensor => c.grad((a: Tensor) => c.sum(c.mul(w, c.tanh(attn(a, k, v)))))(x);
      return c.jvp(gradQ, [q], [t]);
    };
    const shapes = [[2, 21, 6], [2, 13, 6], [2, 13, 3], [2, 21, 3], [2, 21, 6]];
    await checkParity(hvp, shapes.map((s, i) => arbitrary(s, 1, i + 3)), { rtol: 1e-3, atol: 1e-4 });
  });

  it("run under jit as the two routines, with no N×M buffer in the plan", async () => {
    const [b, n, m, d, dv] = [2, 300, 257, 8, 8];
    const f = c.jit((q: Tensor, k: Tensor, v: Tensor) => c.grad((a: Tensor, bb: Tensor, e: Tensor) => c.sum(c.tanh(c.attention(a, bb, e))), { argnums: [0, 1, 2] })(q, k, v));
    const args = [c.zeros([b, n, d]), c.zeros([b, m, d]), c.zeros([b, m, dv])] as const;
    const plan = f.lower(...args).plan;
    const routines = plan.steps.flatMap((st) => (st.program.kind === "routine" ? [st.program.spec.name] : []));
    expect(routines).toEqual(expect.arrayContaining(["attention", "attentionBwdQ", "attentionBwdKV"]));
    expect(routines).not.toContain("matmul");
    const biggest = Math.max(...plan.slots.map((s) => s.shape.reduce((x, y) => x * y, 1)));
    expect(biggest).toBeLessThan(n * m);
    await checkParity((q, k, v) => f(q, k, v), [[b, n, d], [b, m, d], [b, m, dv]].map((s, i) => arbitrary(s, 1, i + 11)), tol);
  });
});
