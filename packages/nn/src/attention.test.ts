// Attention: the fused JVP (single block and online-softmax blocks) equals the JVP of the composed
// reference on random shapes in float32; both pass the float64 derivative checks, reverse mode
// through the rule agrees with reverse mode through the composition, and bad shapes are rejected.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads, compareArrays, fcParams } from "@scm-ts/testing";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dotProductAttention, fusedAttention } from "./attention.js";

const dims = fc.record({
  b: fc.integer({ min: 1, max: 2 }),
  n: fc.integer({ min: 1, max: 6 }),
  m: fc.integer({ min: 1, max: 7 }),
  d: fc.integer({ min: 1, max: 5 }),
  dv: fc.integer({ min: 1, max: 4 }),
  block: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 10_000 }),
});

function qkv(seed: number, b: number, n: number, m: number, d: number, dv: number, dtype: "float32" | "float64" = "float32"): Tensor[] {
  const k = c.random.split(c.random.key(seed), 6);
  const shapes = [[b, 2, n, d], [b, 2, m, d], [b, 2, m, dv]];
  return [...shapes, ...shapes].map((s, i) => c.mul(c.random.normal(k[i]!, s, { dtype }), i < 3 ? 1.5 : 1));
}

async function close(a: Tensor, b: Tensor, tol = 2e-5): Promise<void> {
  const r = compareArrays(await a.data(), await b.data(), { rtol: tol, atol: tol });
  expect(r.ok, r.message).toBe(true);
}

describe("fusedAttention", () => {
  test("forward and JVP equal the composed reference (float32, random shapes)", async () => {
    await fc.assert(
      fc.asyncProperty(dims, async ({ b, n, m, d, dv, block, seed }) => {
        const [q, k, v, dq, dk, dv_] = qkv(seed, b, n, m, d, dv);
        const [refOut, refT] = c.jvp(dotProductAttention, [q!, k!, v!], [dq!, dk!, dv_!]);
        const [out, tOut] = c.jvp(fusedAttention, [q!, k!, v!], [dq!, dk!, dv_!]);
        await close(out, refOut);
        await close(tOut, refT);
        const online = (a: Tensor, bb: Tensor, cc: Tensor) => fusedAttention(a, bb, cc, { blockSize: block });
        const [oOut, oT] = c.jvp(online, [q!, k!, v!], [dq!, dk!, dv_!]);
        await close(oOut, refOut);
        await close(oT, refT);
      }),
      fcParams(20),
    );
  });

  test("reverse mode through the rule equals reverse mode through the composition", async () => {
    const [q, k, v] = qkv(3, 2, 4, 5, 3, 3);
    const cot = c.random.normal(c.random.key(9), [2, 2, 4, 3]);
    const [, pullRef] = c.vjp(dotProductAttention, q!, k!, v!);
    const [, pullFused] = c.vjp(fusedAttention, q!, k!, v!);
    const [, pullOnline] = c.vjp((a: Tensor, b: Tensor, cc: Tensor) => fusedAttention(a, b, cc, { blockSize: 2 }), q!, k!, v!);
    const ref = pullRef(cot) as Tensor[];
    const fused = pullFused(cot) as Tensor[];
    const online = pullOnline(cot) as Tensor[];
    for (let i = 0; i < 3; i++) {
      await close(fused[i]!, ref[i]!);
      await close(online[i]!, ref[i]!);
    }
  });

  test("passes the float64 jvp, vjp and second-order checks (single block and online)", async () => {
    const [q, k, v] = qkv(5, 1, 3, 4, 2, 2, "float64");
    await checkGrads(fusedAttention, [q!, k!, v!], { rtol: 1e-5 });
    await checkGrads((a: Tensor, b: Tensor, cc: Tensor) => fusedAttention(a, b, cc, { blockSize: 3 }), [q!, k!, v!], { rtol: 1e-5 });
  });

  test("works under jit, and jvp of a jitted call uses the rule", async () => {
    const [q, k, v, dq, dk, dv] = qkv(11, 1, 4, 4, 2, 2);
    const jitted = c.jit(fusedAttention);
    const [out, tOut] = c.jvp(jitted, [q!, k!, v!], [dq!, dk!, dv!]);
    const [refOut, refT] = c.jvp(dotProductAttention, [q!, k!, v!], [dq!, dk!, dv!]);
    await close(out, refOut);
    await close(tOut, refT);
  });

  test("rejects mismatched shapes", () => {
    const q = c.zeros([1, 3, 4]), k = c.zeros([1, 5, 3]), v = c.zeros([1, 5, 2]);
    expect(() => fusedAttention(q, k, v)).toThrow(/must be \[\.\.\., N, D\]/);
  });
});
