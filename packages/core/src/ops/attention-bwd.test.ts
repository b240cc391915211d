// The reverse-mode attention passes (float64, on the CPU, which runs them composed): the composed
// references give the gradients of the composed attention, the row log-sum-exp and δ = g·y; the
// transpose of attention_tangent traces to one attention_transpose equation whatever the backend, and
// lowers to the two routine primitives exactly when the backend lists them as optional routines (no
// matmul then) and to composed ops otherwise; bad operands fail with a message naming the shapes.
import { describe, expect, it } from "vitest";
import * as c from "../index.js";
import type { Tensor } from "../index.js";
import { attentionBwdKV, attentionBwdKVComposed, attentionBwdQ, attentionBwdQComposed, attentionProbs } from "./attention-bwd.js";

const f64 = { dtype: "float64" } as const;
const scale = 0.37;
const composed = (q: Tensor, k: Tensor, v: Tensor): Tensor => c.matmul(attentionProbs(q, k, scale), v);

async function expectClose(a: Tensor, b: Tensor): Promise<void> {
  const [x, y] = [await a.data(), await b.data()];
  expect(a.shape).toEqual(b.shape);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-10 * (1 + Math.abs(y[i]!))));
}

describe("attention's reverse-mode passes", () => {
  const ks = c.random.split(c.random.key(9), 4);
  const [b, h, n, m, d, dv] = [2, 3, 7, 5, 4, 3];
  const q = c.random.normal(ks[0]!, [b, h, n, d], f64), k = c.random.normal(ks[1]!, [b, h, m, d], f64), v = c.random.normal(ks[2]!, [b, h, m, dv], f64);
  const g = c.random.normal(ks[3]!, [b, h, n, dv], f64);

  it("compose to the gradients of attention, with the row log-sum-exp and δ = g·y", async () => {
    const [dq, dk, dvv] = c.vjp(composed, q, k, v)[1](g);
    const rows = attentionBwdQComposed(q, k, v, g, scale);
    expect(rows.shape).toEqual([b, h, n, d + 2]);
    await expectClose(c.slice(rows, [0, 0, 0, 0], [b, h, n, d]), dq);
    const x = c.mul(c.matmul(q, c.transpose(k, [0, 1, 3, 2])), scale);
    await expectClose(c.slice(rows, [0, 0, 0, d], [b, h, n, d + 1]), c.logsumexp(x, -1, true));
    await expectClose(c.slice(rows, [0, 0, 0, d + 1], [b, h, n, d + 2]), c.sum(c.mul(g, composed(q, k, v)), -1, true));
    const kv = attentionBwdKVComposed(q, k, v, g, c.slice(rows, [0, 0, 0, d], [b, h, n, d + 2]), scale);
    expect(kv.shape).toEqual([b, h, m, d + dv]);
    await expectClose(c.slice(kv, [0, 0, 0, 0], [b, h, m, d]), dk);
    await expectClose(c.slice(kv, [0, 0, 0, d], [b, h, m, d + dv]), dvv);
  });

  it("are what the reverse pass lowers to only on a backend that lists them; the trace does not depend on it", async () => {
    const traced = () => c.makeJaxpr((a: Tensor, bb: Tensor, e: Tensor) => c.vjp((x: Tensor, y: Tensor, z: Tensor) => c.attention(x, y, z), a, bb, e)[1](g))(q, k, v).toString();
    const f = c.jit((a: Tensor, bb: Tensor, e: Tensor) => c.grad((x: Tensor) => c.sum(c.attention(x, bb, e)))(a));
    const routinesOf = () => f.lower(q, k, v).plan.steps.flatMap((st) => (st.program.kind === "routine" ? [st.program.spec.name] : []));
    expect(c.backendRuns("attentionBwdQ", "attentionBwdKV")).toBe(false);
    const onCpu = traced();
    expect(onCpu).toMatch(/attention_transpose\[scale=0\.5\]/);
    expect(onCpu).not.toMatch(/attention_bwd_q|matmul/);
    expect(routinesOf()).toContain("matmul");
    expect(routinesOf()).not.toContain("attentionBwdQ");
    // eagerly, the composed pass gives the composed attention's gradients
    const [dq, dk, dvv] = c.vjp((x: Tensor, y: Tensor, z: Tensor) => c.attention(x, y, z, { scale }), q, k, v)[1](g);
    const want = c.vjp(composed, q, k, v)[1](g);
    for (const [got, ref] of [[dq, want[0]], [dk, want[1]], [dvv, want[2]]] as const) await expectClose(got, ref!);
    const cpu = c.createCpuBackend();
    c.registerBackend("cpu-with-attention-bwd", async () => ({ ...cpu, optionalRoutines: new Set(["attentionBwdQ", "attentionBwdKV"]) }));
    await c.setBackend("cpu-with-attention-bwd");
    try {
      expect(c.getBackend().name).toBe("cpu");
      expect(c.backendRuns("attentionBwdQ", "attentionBwdKV")).toBe(true);
      expect(traced()).toBe(onCpu);
      // lowered here: the two routine passes and no matmul; only dq is asked for and y is not, so the
      // key pass and the forward are dead code and go
      expect(routinesOf()).toEqual(["attentionBwdQ"]);
    } finally {
      await c.setBackend("cpu");
    }
  });

  it("check their operands, naming the shapes", () => {
    expect(() => c.applyPrimitive(attentionBwdQ, [q, k, v, c.zeros([b, h, n, dv + 1], f64)], { scale })).toThrow(/attention_bwd_q: operands .* must be float q \[\.\.\., N, D\], k \[\.\.\., M, D\], v \[\.\.\., M, Dv\], g \[\.\.\., N, Dv\]/);
    expect(() => c.applyPrimitive(attentionBwdKV, [q, k, v, g, c.zeros([b, h, n, 3], f64)], { scale })).toThrow(/attention_bwd_kv: .* stats \[\.\.\., N, 2\]/);
    expect(() => c.applyPrimitive(attentionBwdKV, [q, k, v, g], { scale })).toThrow(/attention_bwd_kv/);
  });
});
