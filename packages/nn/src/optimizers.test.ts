// Adam, AdamW and RAdam against float64 JavaScript references of the papers' algorithms over a few
// steps, ε = 1e-11 with tiny gradients (steps ≈ η, no NaN), weight decay only on matrices, a jitted
// update, convergence on a quadratic, and config validation.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { compareArrays } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { adam, adamw } from "./adam.js";
import { applyUpdates, type Optimizer } from "./optimizer.js";
import { radam } from "./radam.js";
import { inverseSqrtSchedule } from "./schedules.js";

type Ref = (g: number[], p: number[], t: number) => number[];

// Kingma & Ba, Algorithm 1 (+ decoupled decay λ), in float64 on the host.
function adamRef(lr: number, b1: number, b2: number, eps: number, wd = 0): Ref {
  let m: number[] = [], v: number[] = [];
  return (g, p, t) => {
    m = g.map((gi, i) => b1 * (m[i] ?? 0) + (1 - b1) * gi);
    v = g.map((gi, i) => b2 * (v[i] ?? 0) + (1 - b2) * gi * gi);
    return p.map((pi, i) => -lr * (m[i]! / (1 - b1 ** t) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps) + wd * pi));
  };
}

// Liu et al., Algorithm 2, threshold 5.
function radamRef(lr: number, b1: number, b2: number, eps: number): Ref {
  let m: number[] = [], v: number[] = [];
  const rhoInf = 2 / (1 - b2) - 1;
  return (g, _p, t) => {
    m = g.map((gi, i) => b1 * (m[i] ?? 0) + (1 - b1) * gi);
    v = g.map((gi, i) => b2 * (v[i] ?? 0) + (1 - b2) * gi * gi);
    const rho = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    return m.map((mi, i) => {
      const mHat = mi / (1 - b1 ** t);
      return rho > 5 ? -lr * r * (mHat / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps)) : -lr * mHat;
    });
  };
}

async function followsReference(opt: Optimizer, ref: Ref, steps: number, gradScale = 1): Promise<void> {
  let params = { w: c.random.normal(c.random.key(1), [2, 3], { dtype: "float64" }) };
  let state = opt.init(params);
  for (let t = 1; t <= steps; t++) {
    const grads = { w: c.mul(c.random.normal(c.random.key(100 + t), [2, 3], { dtype: "float64" }), gradScale) };
    const [updates, next] = opt.update(grads, state, params);
    const want = ref(Array.from(await grads.w.data()), Array.from(await params.w.data()), t);
    const r = compareArrays(await updates.w.data(), want, { rtol: 2e-5, atol: 1e-12 });
    expect(r.ok, `step ${t}: ${r.message}`).toBe(true);
    params = applyUpdates(params, updates);
    state = next;
  }
  expect(await state.count.item()).toBe(steps);
}

describe("optimizers", () => {
  test("Adam follows Algorithm 1", () => followsReference(adam({ learningRate: 0.01, b1: 0.9, b2: 0.99 }), adamRef(0.01, 0.9, 0.99, 1e-8), 8));
  test("AdamW adds decoupled weight decay", () => followsReference(adamw({ learningRate: 0.01, weightDecay: 0.1 }), adamRef(0.01, 0.9, 0.999, 1e-8, 0.1), 5));
  test("RAdam follows Algorithm 2 through the switch at ρ_t = 5", () => followsReference(radam({ learningRate: 0.01, b1: 0.9, b2: 0.99 }), radamRef(0.01, 0.9, 0.99, 1e-8), 9));

  test("ε = 1e-11 with gradients of 1e-9: finite steps of size ≈ η (Adam and RAdam)", async () => {
    await followsReference(adam({ learningRate: 1e-3, b2: 0.99, eps: 1e-11 }), adamRef(1e-3, 0.9, 0.99, 1e-11), 4, 1e-9);
    const params = { w: c.ones([4]) };
    const opt = adam({ learningRate: 1e-3, eps: 1e-11 });
    const [u] = opt.update({ w: c.full([4], 1e-9) }, opt.init(params), params);
    const step = await u.w.data();
    step.forEach((s) => expect(Math.abs(s + 1e-3 * (1e-9 / (1e-9 + 1e-11)))).toBeLessThan(1e-8));
  });

  test("weight decay skips vectors by default", async () => {
    const params = { w: c.ones([2, 2]), b: c.ones([2]) };
    const opt = adamw({ learningRate: 0.1, weightDecay: 0.5 });
    const zeroGrads = { w: c.zeros([2, 2]), b: c.zeros([2]) };
    const [u] = opt.update(zeroGrads, opt.init(params), params);
    expect(Array.from(await u.w.data())).toEqual([-0.05, -0.05, -0.05, -0.05].map((v) => Math.fround(v)));
    expect(Array.from(await u.b.data()).map(Math.abs)).toEqual([0, 0]);
  });

  test("a jitted step with a schedule minimises a quadratic (Adam and RAdam)", async () => {
    const learningRate = inverseSqrtSchedule({ peak: 0.1, tRef: 50 });
    for (const opt of [adam({ learningRate }), radam({ learningRate })]) {
      const target = c.array([1, -2, 3]);
      const loss = (p: { x: Tensor }) => c.sum(c.square(c.sub(p.x, target)));
      const step = c.jit((p: { x: Tensor }, s: ReturnType<typeof opt.init<{ x: Tensor }>>) => {
        const [u, s2] = opt.update(c.grad(loss)(p), s, p);
        return { p: applyUpdates(p, u), s: s2 };
      });
      let p = { x: c.zeros([3]) }, s = opt.init(p);
      for (let i = 0; i < 400; i++) ({ p, s } = step(p, s));
      expect(await loss(p).item()).toBeLessThan(1e-3);
    }
  });

  test("config validation names the field", () => {
    expect(() => adam({ learningRate: 1, b1: 1 })).toThrow("adam: b1 must lie in [0, 1), got 1");
    expect(() => radam({ learningRate: 1, eps: 0 })).toThrow("radam: eps must be a finite positive number, got 0");
  });
});

describe("optimizer config", () => {
  test("rejects a missing or invalid learning rate at construction", () => {
    expect(() => adam({} as never)).toThrow(/adam: learningRate must be a positive number or a schedule/);
    expect(() => radam({ learningRate: -1 })).toThrow(/radam: learningRate/);
  });
});
