import { describe, expect, it } from "vitest";
import * as c from "./index.js";

describe("smoke", () => {
  it("evaluates, differentiates, jits", async () => {
    const x = c.array([1, 2, 3]);
    const y = c.add(c.mul(x, x), 1);
    expect(Array.from(await y.data())).toEqual([2, 5, 10]);
    const [out, dout] = c.jvp((a: c.Tensor) => c.sin(a), [x], [c.ones([3])]);
    expect((await dout.data())[0]).toBeCloseTo(Math.cos(1), 6);
    expect((await out.data())[1]).toBeCloseTo(Math.sin(2), 6);
    const g = c.grad((a: c.Tensor) => c.sum(c.mul(a, a)))(x);
    expect(Array.from(await g.data())).toEqual([2, 4, 6]);
    const f = c.jit((a: c.Tensor) => c.tanh(c.add(c.mul(c.exp(a), 2), 1)));
    const r = f(x);
    expect((await r.data())[0]).toBeCloseTo(Math.tanh(2 * Math.E + 1), 6);
    console.log(f.lower(x).toString());
    const k = c.random.key(0);
    console.log(Array.from(await c.random.bits(k, [4]).data()));
    console.log(Array.from(await c.random.normal(k, [4]).data()));
  });
});
