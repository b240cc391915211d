// Keyed dropout: the mask is a function of the key only, so the JVP pass, the gradient pass and a plain
// call with the same key drop the same units (what sCT needs); the keep rate and scaling are right;
// a fixed-key dropout passes the float64 derivative checks; rate validation.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { dropout } from "./dropout.js";

describe("dropout", () => {
  test("the JVP pass, the gradient pass and a plain call share the mask of one key", async () => {
    const key = c.random.key(11);
    const x = c.add(c.random.uniform(c.random.key(1), [64]), 0.5); // nonzero everywhere
    const f = (xx: Tensor) => dropout(key, c.mul(xx, 2), 0.4);
    const plain = await f(x).data();
    const [primal, tangent] = c.jvp(f, [x], [c.ones([64])]);
    const g = await c.grad((xx: Tensor) => c.sum(f(xx)))(x).data();
    const p = await primal.data(), t = await tangent.data();
    for (let i = 0; i < 64; i++) {
      expect(p[i]).toBe(plain[i]);
      const kept = plain[i] !== 0;
      expect(t[i]).toBeCloseTo(kept ? 2 / 0.6 : 0, 5);
      expect(g[i]).toBeCloseTo(kept ? 2 / 0.6 : 0, 5);
    }
  });

  test("keeps a fraction 1 − rate and preserves the mean; different keys give different masks", async () => {
    const x = c.ones([20000]);
    const y = dropout(c.random.key(2), x, 0.3);
    const kept = await c.mean(c.astype(c.greater(y, 0), "float32")).item();
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.015);
    expect(Math.abs((await c.mean(y).item()) - 1)).toBeLessThan(0.03);
    const a = await dropout(c.random.key(3), c.ones([64]), 0.5).data();
    const b = await dropout(c.random.key(4), c.ones([64]), 0.5).data();
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  test("identity without a key, at rate 0 or deterministic; fixed-key derivative checks; bad rate", async () => {
    const x = c.random.normal(c.random.key(5), [3, 4], { dtype: "float64" });
    expect(dropout(null, x, 0.5)).toBe(x);
    expect(dropout(c.random.key(1), x, 0)).toBe(x);
    expect(dropout(c.random.key(1), x, 0.5, { deterministic: true })).toBe(x);
    const key = c.random.key(6);
    await checkGrads((xx: Tensor) => dropout(key, xx, 0.5), [x]);
    expect(() => dropout(key, x, 1)).toThrow("dropout: rate must lie in [0, 1), got 1");
  });
});
