// Multi-head self-attention: shapes, float64 derivative checks of the whole layer, agreement with a
// per-head loop over the composed attention, zero-init output gives zeros, and heads must divide the
// width at init.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads, compareArrays } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { dotProductAttention } from "./attention.js";
import * as linear from "./linear.js";
import * as selfAttention from "./self-attention.js";

const f64 = { dtype: "float64" } as const;

describe("selfAttention", () => {
  test("float64 first- and second-order checks of the layer (params and tokens), single block and online", async () => {
    const cfg = { dim: 4, heads: 2, ...f64 };
    const p = selfAttention.init(c.random.key(1), cfg);
    const x = c.random.normal(c.random.key(2), [2, 3, 4], f64);
    await checkGrads((q: selfAttention.SelfAttentionParams, xx: Tensor) => selfAttention.apply(q, xx, cfg), [p, x]);
    await checkGrads((xx: Tensor) => selfAttention.apply(p, xx, { ...cfg, blockSize: 2 }), [x]);
  });

  test("equals a loop over heads of the composed attention", async () => {
    const cfg = { dim: 6, heads: 3 };
    const p = selfAttention.init(c.random.key(3), cfg);
    const x = c.random.normal(c.random.key(4), [2, 5, 6]);
    const y = selfAttention.apply(p, x, cfg);
    const qkv = linear.apply(p.qkv, x); // [2, 5, 18]
    const heads = [0, 1, 2].map((h) => {
      const part = (i: number) => c.slice(qkv, [0, 0, i * 6 + h * 2], [2, 5, i * 6 + h * 2 + 2]);
      return dotProductAttention(part(0), part(1), part(2)); // [2, 5, 2]
    });
    const ref = linear.apply(p.out, c.concat(heads, 2));
    const r = compareArrays(await y.data(), await ref.data(), { rtol: 1e-5, atol: 1e-6 });
    expect(r.ok, r.message).toBe(true);
  });

  test("zero-initialised output projection gives zeros; heads must divide the width", async () => {
    const p = selfAttention.init(c.random.key(5), { dim: 4, heads: 2, outInitScale: 0 });
    const y = await selfAttention.apply(p, c.random.normal(c.random.key(6), [1, 3, 4]), { heads: 2 }).data();
    expect(Array.from(y).every((v) => v === 0)).toBe(true);
    expect(() => selfAttention.init(c.random.key(0), { dim: 10, heads: 4 })).toThrow("selfAttention.init: dim (10) must be divisible by heads (4)");
  });
});
