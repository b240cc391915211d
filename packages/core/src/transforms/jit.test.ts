// jit traces once per input signature, fuses elementwise chains into one kernel, and replays.
import { describe, expect, it } from "vitest";
import * as c from "../index.js";
import type { Tensor } from "../index.js";

describe("jit", () => {
  it("traces once per signature and retraces for new shapes or static values", async () => {
    let traces = 0;
    const f = c.jit((x: Tensor, scale: number) => {
      traces++;
      return c.mul(x, scale);
    });
    const x = c.array([1, 2, 3]);
    f(x, 2);
    f(c.array([4, 5, 6]), 2);
    expect(traces).toBe(1);
    f(c.array([1, 2]), 2);
    expect(traces).toBe(2);
    expect(Array.from(await f(x, 3).data())).toEqual([3, 6, 9]);
    expect(traces).toBe(3);
  });

  it("fuses a chain of 10 elementwise ops into one kernel", async () => {
    const chain = (x: Tensor) => c.neg(c.sqrt(c.add(c.abs(c.sub(c.mul(c.cos(c.sin(c.tanh(c.add(c.mul(c.exp(x), 0.5), 1)))), x), 0.25)), 1)));
    const x = c.linspace(-1, 1, 1001);
    const low = c.jit(chain).lower(x);
    expect(low.plan.steps.length).toBe(1);
    expect(low.toString()).toContain("k0:");
    const want = await chain(x).data();
    const got = await c.jit(chain)(x).data();
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it("keeps reductions and routines as their own kernels, absorbing producers", () => {
    const f = (x: Tensor, w: Tensor) => c.sum(c.tanh(c.add(c.matmul(x, w), 1)), -1);
    const low = c.jit(f).lower(c.ones([4, 3]), c.ones([3, 5]));
    const kinds = low.plan.steps.map((s) => (s.program.kind === "routine" ? s.program.spec.name : s.program.kind));
    expect(kinds).toEqual(["matmul", "reduce"]);
  });

  it("keeps a -0 literal distinct from 0 after fusion", async () => {
    const f = c.jit((x: Tensor) => c.div(1, c.mul(x, -0)));
    expect(Array.from(await f(c.array([1, -2])).data())).toEqual([-Infinity, Infinity]);
  });

  it("makeJaxpr prints the traced program", () => {
    const j = c.makeJaxpr((x: Tensor) => c.sin(c.mul(x, 2)))(c.ones([3]));
    const text = j.toString();
    expect(text).toContain("sin");
    expect(text).toContain("float32[3]");
  });

  it("a jitted training-style step (forward, JVP, backward, update) is one call", async () => {
    const step = c.jit((w: Tensor, x: Tensor, v: Tensor) => {
      const loss = (ww: Tensor) => {
        const [y, dy] = c.jvp((xx: Tensor) => c.tanh(c.matmul(xx, ww)), [x], [v]);
        return c.mean(c.square(c.sub(y, c.stopGradient(dy))));
      };
      const [l, g] = c.valueAndGrad(loss)(w);
      return [l, c.sub(w, c.mul(g, 0.1))];
    });
    const w = c.mul(c.ones([3, 2]), 0.1), x = c.ones([4, 3]), v = c.ones([4, 3]);
    const [l1, w1] = step(w, x, v) as Tensor[];
    const [l2] = step(w1!, x, v) as Tensor[];
    expect((await l2!.data())[0]!).toBeLessThan((await l1!.data())[0]!);
  });
});

describe("jit across backends", () => {
  it("retraces per backend, since traced constants live on the backend that traced them", async () => {
    // A constant made inside f (here c.arange) becomes a tensor on the backend active at trace time.
    const f = c.jit((x: Tensor) => c.mul(x, c.arange(3)));
    const g = c.customJvp((x: Tensor) => c.mul(x, c.arange(3)), ([x], [dx]) => [c.mul(x, c.arange(3)), c.mul(dx, c.arange(3))]);
    const h = c.jit((x: Tensor) => g(x));
    const x = () => c.array([1, 2, 3]);
    await c.setBackend("cpu");
    expect(Array.from(await f(x()).data())).toEqual([0, 2, 6]);
    expect(Array.from(await h(x()).data())).toEqual([0, 2, 6]);
    try {
      await c.setBackend("cpu-js");
      expect(Array.from(await f(x()).data())).toEqual([0, 2, 6]);
      expect(Array.from(await h(x()).data())).toEqual([0, 2, 6]);
    } finally {
      await c.setBackend("cpu");
    }
  });
});
