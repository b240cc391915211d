// The MLP: output shape, F_θ = 0 and w_φ = 0 at init, same key → same parameters, float64 derivative
// checks of the whole network, dropout keyed, config validation, and overfitting one batch under the
// TrigFlow diffusion loss with adaptive weighting in a jitted step.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { mlp, mlpPresets } from "./mlp.js";
import { overfitOneBatch } from "./overfit-one-batch.js";

describe("mlp", () => {
  test("zeros at init, same key → same parameters, shapes", async () => {
    const net = mlp({ ...mlpPresets.tiny, numClasses: 3 });
    const p = net.init(c.random.key(1));
    const u = c.random.normal(c.random.key(2), [5, 2]);
    const t = c.random.uniform(c.random.key(3), [5]);
    const y = net.apply(p, u, t, { classLabels: c.zeros([5, 3]) });
    expect(y.shape).toEqual([5, 2]);
    expect(Array.from(await y.data()).every((v) => v === 0)).toBe(true);
    expect(Array.from(await net.logvar(p, t).data())).toEqual([0, 0, 0, 0, 0]);
    const again = c.treeLeaves<Tensor>(net.init(c.random.key(1)));
    const first = c.treeLeaves<Tensor>(p);
    for (let i = 0; i < first.length; i++) expect(Array.from(await again[i]!.data())).toEqual(Array.from(await first[i]!.data()));
  });

  test("float64 derivative checks through the whole network (random, non-zero output layers)", async () => {
    const net = mlp({ dataDim: 2, width: 4, depth: 1, timeFeatures: 4, dtype: "float64" });
    const p0 = net.init(c.random.key(4));
    const p = c.treeMap(p0, (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(100 + i), w.shape, { dtype: "float64" }), 0.3)));
    const u = c.random.normal(c.random.key(5), [3, 2], { dtype: "float64" });
    const t = c.random.uniform(c.random.key(6), [3], { dtype: "float64" });
    await checkGrads((q: typeof p, uu: Tensor, tt: Tensor) => net.apply(q, uu, tt), [p, u, t], { order: 1 });
  });

  test("Fourier input features: the first layer sees [u, sin(2^k u), cos(2^k u)], derivatives check", async () => {
    const net = mlp({ dataDim: 2, width: 4, depth: 1, timeFeatures: 4, inputFourier: 3, dtype: "float64" });
    const p0 = net.init(c.random.key(4));
    expect(p0.net.fcIn.weight.shape).toContain(2 * (1 + 2 * 3));
    const p = c.treeMap(p0, (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(300 + i), w.shape, { dtype: "float64" }), 0.3)));
    const u = c.random.normal(c.random.key(5), [3, 2], { dtype: "float64" });
    const t = c.random.uniform(c.random.key(6), [3], { dtype: "float64" });
    await checkGrads((q: typeof p, uu: Tensor, tt: Tensor) => net.apply(q, uu, tt), [p, u, t], { order: 1 });
    const plain = mlp({ dataDim: 2, width: 4, depth: 1, timeFeatures: 4, dtype: "float64" });
    expect(plain.init(c.random.key(4)).net.fcIn.weight.shape).toContain(2);
    expect(() => mlp({ dataDim: 2, width: 4, depth: 1, inputFourier: 1.5 })).toThrow(/inputFourier/);
  });

  test("dropout: the same key gives the same output, another key a different one", async () => {
    const net = mlp({ ...mlpPresets.tiny, dropout: 0.5 });
    const p = c.treeMap(net.init(c.random.key(7)), (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(200 + i), w.shape), 0.2)));
    const u = c.random.normal(c.random.key(8), [4, 2]), t = c.full([4], 0.7);
    const a = await net.apply(p, u, t, { dropoutKey: c.random.key(1) }).data();
    const b = await net.apply(p, u, t, { dropoutKey: c.random.key(1) }).data();
    const d = await net.apply(p, u, t, { dropoutKey: c.random.key(2) }).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(d));
  });

  test("config validation names the field", () => {
    expect(() => mlp({ dataDim: 2, width: 0, depth: 1 })).toThrow("mlp.init: width must be a positive integer, got 0");
    expect(() => mlp({ dataDim: 2, width: 8, depth: 1, timeFeatures: 5 })).toThrow("mlp.init: timeFeatures must be even, got 5");
  });

  test("overfits one batch under the TrigFlow diffusion loss", async () => {
    const { first, last, seconds } = await overfitOneBatch(mlp(mlpPresets.tiny), { batch: 16, steps: 300, learningRate: 3e-3 });
    expect(last).toBeLessThan(0.05 * first);
    expect(seconds).toBeLessThan(60);
  });
});
