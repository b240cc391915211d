// The sCM use of every model: the JVP of F_θ along (du, dt) — inside jit, as a training step runs it —
// equals the eager JVP; the DiT's traced forward keeps one `attention` primitive per block, so any JVP of
// it runs the fused attention rule. Weights are perturbed so no output layer is zero.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { compareArrays } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { dit, ditPresets } from "./dit.js";
import { mlp, mlpPresets } from "./mlp.js";
import type { ModelParams, Network } from "./network.js";
import { unet, unetPresets } from "./unet.js";

async function jitJvpMatchesEager<C, P>(net: Network<C, P>): Promise<void> {
  const p0 = net.init(c.random.key(1));
  const p = c.treeMap(p0, (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(1000 + i), w.shape), 0.1)));
  const shape = [2, ...net.sampleShape];
  const u = c.random.normal(c.random.key(2), shape), du = c.random.normal(c.random.key(3), shape);
  const t = c.array([0.3, 1.2]), dt = c.array([0.5, -0.25]);
  const f = (q: ModelParams<P>, uu: Tensor, tt: Tensor, duu: Tensor, dtt: Tensor) => c.jvp((a: Tensor, b: Tensor) => net.apply(q, a, b), [uu, tt], [duu, dtt]);
  const [yEager, dyEager] = f(p, u, t, du, dt);
  const [yJit, dyJit] = c.jit(f)(p, u, t, du, dt);
  for (const [a, b] of [[yJit, yEager], [dyJit, dyEager]] as const) {
    const r = compareArrays(await a.data(), await b.data(), { rtol: 1e-4, atol: 1e-5 });
    expect(r.ok, r.message).toBe(true);
  }
  expect(await c.max(c.abs(dyEager)).item()).toBeGreaterThan(0);
}

describe("JVP of the models under jit", () => {
  test("mlp", () => jitJvpMatchesEager(mlp(mlpPresets.tiny)));
  test("unet", () => jitJvpMatchesEager(unet(unetPresets.tiny)));
  test("dit", () => jitJvpMatchesEager(dit(ditPresets.tiny)));
  test("the DiT's JVP runs the fused attention rule", () => {
    const net = dit(ditPresets.tiny);
    const p = net.init(c.random.key(4));
    const u = c.zeros([1, 3, 8, 8]), t = c.full([1], 0.5);
    const jaxpr = c.makeJaxpr((a: Tensor, b: Tensor) => net.apply(p, a, b))(u, t);
    expect(jaxpr.jaxpr.eqns.filter((e) => e.op.name === "attention")).toHaveLength(ditPresets.tiny.depth);
  });
});
