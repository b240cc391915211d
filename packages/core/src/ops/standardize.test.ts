// The standardisation primitives against the composed (x − μ)/√(var + ε) (float64): values, JVPs,
// VJPs and second order agree on random shapes; a jitted forward and JVP lower to one
// standardizeJvp routine writing both; a negative ε is refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "../index.js";
import type { Tensor } from "../index.js";

const f64 = { dtype: "float64" } as const;
const composed = (x: Tensor): Tensor => {
  const xc = c.sub(x, c.mean(x, -1, true));
  return c.mul(xc, c.rsqrt(c.add(c.mean(c.square(xc), -1, true), 1e-5)));
};

async function expectClose(a: Tensor, b: Tensor): Promise<void> {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(y[i]!))));
}

describe("standardize primitives", () => {
  it("equal the composed reference: value, JVP, VJP and second order (float64)", async () => {
    const dims = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 9 }), fc.nat(1000));
    await fc.assert(
      fc.asyncProperty(dims, async ([a, b, l, seed]) => {
        const ks = c.random.split(c.random.key(seed), 3);
        const [x, t, ct] = ks.map((k) => c.random.normal(k, [a, b, l], f64));
        const fused = (v: Tensor): Tensor => c.standardize(v);
        const [y, ty] = c.jvp(fused, [x!], [t!]), [y0, ty0] = c.jvp(composed, [x!], [t!]);
        await expectClose(y, y0);
        await expectClose(ty, ty0);
        await expectClose(c.vjp(fused, x!)[1](ct!)[0], c.vjp(composed, x!)[1](ct!)[0]);
        const vjpOfJvp = (f: (v: Tensor) => Tensor) => c.vjp((v: Tensor) => c.jvp(f, [v], [t!])[1], x!)[1](ct!)[0];
        await expectClose(vjpOfJvp(fused), vjpOfJvp(composed));
        const jvpOfVjp = (f: (v: Tensor) => Tensor) => c.jvp((v: Tensor) => c.vjp(f, v)[1](ct!)[0], [x!], [t!])[1];
        await expectClose(jvpOfVjp(fused), jvpOfVjp(composed));
      }),
      { seed: 5, numRuns: 8 },
    );
  });

  it("a jitted forward and JVP run as one standardizeJvp routine", async () => {
    const [x, t] = c.random.split(c.random.key(2), 2).map((k) => c.random.normal(k, [3, 4, 50], f64));
    const f = c.jit((a: Tensor, b: Tensor) => c.jvp((v: Tensor) => c.standardize(v), [a], [b]));
    const names = f.lower(x!, t!).plan.steps.map((s) => (s.program.kind === "routine" ? s.program.spec.name : s.program.kind));
    expect(names.filter((n) => n !== "map")).toEqual(["standardizeJvp"]);
    const [y, ty] = f(x!, t!), [y0, ty0] = c.jvp(composed, [x!], [t!]);
    await expectClose(y, y0);
    await expectClose(ty, ty0);
  });

  it("refuses a negative ε and an empty last axis", () => {
    expect(() => c.standardize(c.ones([2, 3]), -1)).toThrow(/standardize: eps must be ≥ 0, got -1/);
    expect(() => c.standardize(c.ones([2, 0]))).toThrow(/non-empty last axis/);
  });
});
