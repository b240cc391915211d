// Transforms compose: jvp of grad, grad of a function that calls jvp (the sCM loss pattern, with a
// stop-gradiented tangent), jvp inside jit and jit inside jvp, grad of jit, linearize, customJvp.
import { describe, expect, it } from "vitest";
import * as c from "../index.js";
import type { Tensor } from "../index.js";

const data = async (t: Tensor) => Array.from(await t.data());
const f64 = (v: number[]) => c.array(v, undefined, { dtype: "float64" });

describe("composition of transforms", () => {
  it("jvp of grad gives the Hessian-vector product", async () => {
    // f(x) = Σ x³ → ∇f = 3x², H·v = 6x·v
    const f = (x: Tensor) => c.sum(c.mul(c.mul(x, x), x));
    const x = f64([1, 2, -3]), v = f64([1, 0.5, 2]);
    const [g, hv] = c.jvp(c.grad(f), [x], [v]);
    expect(await data(g)).toEqual([3, 12, 27]);
    expect(await data(hv)).toEqual([6, 6, -36]);
  });

  it("grad of grad", async () => {
    const f = (x: Tensor) => c.sum(c.sin(x));
    const x = f64([0.3, 1.1]);
    const gg = c.grad((y: Tensor) => c.sum(c.grad(f)(y)))(x);
    const got = await data(gg);
    expect(got[0]).toBeCloseTo(-Math.sin(0.3), 12);
    expect(got[1]).toBeCloseTo(-Math.sin(1.1), 12);
  });

  it("grad through a function that calls jvp, with a stop-gradiented tangent (sCM pattern)", async () => {
    // F(w, x) = tanh(w·x); loss(w) = Σ F·stop(dF/dx·v) → ∂loss/∂w = Σ F'(w·x)·x·stop(dF)
    const x = f64([0.5, -1, 2]), v = f64([1, 1, 1]);
    const loss = (w: Tensor) => {
      const [F, dF] = c.jvp((xx: Tensor) => c.tanh(c.mul(w, xx)), [x], [v]);
      return c.sum(c.mul(F, c.stopGradient(dF)));
    };
    const w = f64([0.7]);
    const g = (await data(c.grad(loss)(c.broadcastTo(w, [3]))));
    const wx = [0.35, -0.7, 1.4];
    const expected = wx.map((a, i) => {
      const d = 1 - Math.tanh(a) ** 2;
      return d * [0.5, -1, 2][i]! * (d * 0.7);
    });
    g.forEach((gi, i) => expect(gi).toBeCloseTo(expected[i]!, 12));
    // without stopGradient the gradient differs (the tangent term contributes)
    const loss2 = (w: Tensor) => {
      const [F, dF] = c.jvp((xx: Tensor) => c.tanh(c.mul(w, xx)), [x], [v]);
      return c.sum(c.mul(F, dF));
    };
    const g2 = await data(c.grad(loss2)(c.broadcastTo(w, [3])));
    expect(Math.abs(g2[0]! - g[0]!)).toBeGreaterThan(1e-3);
  });

  it("jvp inside jit equals eager jvp, and jit inside jvp", async () => {
    const f = (x: Tensor) => c.mul(c.exp(x), c.sin(x));
    const x = f64([0.1, 0.2, 0.3]), t = f64([1, -1, 2]);
    const [y0, dy0] = c.jvp(f, [x], [t]);
    const [y1, dy1] = c.jit((a: Tensor, b: Tensor) => c.jvp(f, [a], [b]))(x, t);
    const [y2, dy2] = c.jvp(c.jit(f), [x], [t]);
    for (const [a, b] of [[y0, y1], [dy0, dy1], [y0, y2], [dy0, dy2]] as const) {
      expect(await data(a)).toEqual(await data(b));
    }
  });

  it("grad of jit and jit of grad agree with eager grad", async () => {
    const f = (w: Tensor, x: Tensor) => c.sum(c.square(c.tanh(c.matmul(x, w))));
    const w = c.array([[0.1, 0.2], [0.3, -0.4]], undefined, { dtype: "float64" });
    const x = c.array([[1, 2], [3, 4], [5, 6]], undefined, { dtype: "float64" });
    const g0 = await data(c.grad(f)(w, x));
    const g1 = await data(c.grad(c.jit(f))(w, x));
    const g2 = await data(c.jit(c.grad(f))(w, x));
    g1.forEach((v, i) => expect(v).toBeCloseTo(g0[i]!, 12));
    g2.forEach((v, i) => expect(v).toBeCloseTo(g0[i]!, 12));
  });

  it("linearize gives the same tangents as jvp", async () => {
    const f = (x: Tensor) => c.tanh(c.mul(x, x));
    const x = f64([0.3, -0.8]);
    const [y, fLin] = c.linearize(f, x);
    const t = f64([1, 2]);
    const [y2, dy] = c.jvp(f, [x], [t]);
    expect(await data(y)).toEqual(await data(y2));
    expect(await data(fLin(t))).toEqual(await data(dy));
  });

  it("valueAndGrad with argnums list and hasAux", async () => {
    const f = (a: Tensor, b: Tensor) => [c.sum(c.mul(a, b)), c.add(a, 1)] as const;
    const a = f64([1, 2]), b = f64([3, 4]);
    const [[v, aux], [ga, gb]] = c.valueAndGrad(f, { argnums: [0, 1], hasAux: true })(a, b);
    expect(await data(v)).toEqual([11]);
    expect(await data(aux)).toEqual([2, 3]);
    expect(await data(ga)).toEqual([3, 4]);
    expect(await data(gb)).toEqual([1, 2]);
  });

  it("valueAndGrad with hasAux under jit returns aux values, not tracers", async () => {
    const f = c.jit((a: Tensor) => c.valueAndGrad((x: Tensor) => [c.sum(c.square(x)), { m: c.mean(x) }] as const, { hasAux: true })(a));
    const [[v, aux], g] = f(f64([1, 2, 3]));
    expect(await data(v)).toEqual([14]);
    expect(await data(aux.m)).toEqual([2]);
    expect(await data(g)).toEqual([2, 4, 6]);
  });

  it("grad over pytrees of parameters", async () => {
    const params = { w: f64([1, 2]), b: [f64([0.5])] };
    const loss = (p: typeof params) => c.sum(c.square(c.add(p.w, p.b[0]!)));
    const g = c.grad(loss)(params) as typeof params;
    expect(await data(g.w)).toEqual([3, 5]);
    expect(await data(g.b[0]!)).toEqual([8]);
  });

  it("customJvp uses its rule under jvp, jit and grad", async () => {
    let ruleCalls = 0;
    // a deliberately scaled rule shows that the custom rule, not autodiff, is used
    const f = c.customJvp(
      (x: Tensor) => c.exp(x),
      ([x], [t]) => {
        ruleCalls++;
        return [c.exp(x), c.mul(c.mul(c.exp(x), t), 2)];
      },
    );
    const x = f64([0, 1]), t = f64([1, 1]);
    expect(await data(f(x))).toEqual([1, Math.E]);
    const [, dy] = c.jvp(f, [x], [t]);
    expect(await data(dy)).toEqual([2, 2 * Math.E]);
    const [, dyJit] = c.jvp(c.jit(f), [x], [t]);
    expect(await data(dyJit)).toEqual([2, 2 * Math.E]);
    const g = await data(c.grad((y: Tensor) => c.sum(f(y)))(x));
    expect(g).toEqual([2, 2 * Math.E]);
    expect(ruleCalls).toBeGreaterThan(0);
  });

  it("closed-over tensors are differentiated through jit", async () => {
    const x = f64([1, 2]);
    const g = await data(c.grad((w: Tensor) => c.jit((y: Tensor) => c.sum(c.mul(y, w)))(x))(f64([3, 4])));
    expect(g).toEqual([1, 2]);
  });
});
