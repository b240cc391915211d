// The DiT: output shape, F_θ = 0 at init, determinism from the key, patchify/unpatchify round trip
// order, float64 derivative checks through a small DiT, config validation (heads dividing the width,
// image size vs patch size), and overfitting one batch under the TrigFlow diffusion loss.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { dit, ditPresets } from "./dit.js";
import { overfitOneBatch } from "./overfit-one-batch.js";

describe("dit", () => {
  test("shape, zeros at init, determinism from the key", async () => {
    const net = dit({ ...ditPresets.tiny, numClasses: 2 });
    const p = net.init(c.random.key(1));
    const y = net.apply(p, c.random.normal(c.random.key(2), [3, 3, 8, 8]), c.array([0.1, 0.7, 1.5]), { classLabels: c.array([[1, 0], [0, 1], [0, 0]]) });
    expect(y.shape).toEqual([3, 3, 8, 8]);
    expect(Array.from(await y.data()).every((v) => v === 0)).toBe(true);
    const a = c.treeLeaves<Tensor>(p), b = c.treeLeaves<Tensor>(net.init(c.random.key(1)));
    for (let i = 0; i < a.length; i += 5) expect(Array.from(await a[i]!.data())).toEqual(Array.from(await b[i]!.data()));
  });

  test("unpatchify follows DiT's (p, q, C) order within each patch", async () => {
    const net = dit({ imageSize: 4, inChannels: 2, patchSize: 2, hidden: 4, depth: 1, heads: 1, timeFeatures: 4 });
    const p0 = net.init(c.random.key(3));
    const bias = c.arange(8); // output = bias at every token: patch entry (a, q, ch) = (2a + q)·2 + ch
    const p = { ...p0, net: { ...p0.net, finalLinear: { weight: p0.net.finalLinear.weight, bias } } };
    const y = await net.apply(p, c.random.normal(c.random.key(4), [1, 2, 4, 4]), c.array([0.5])).data();
    for (let ch = 0; ch < 2; ch++) {
      for (let yy = 0; yy < 4; yy++) for (let xx = 0; xx < 4; xx++) expect(y[(ch * 4 + yy) * 4 + xx]).toBe(((yy % 2) * 2 + (xx % 2)) * 2 + ch);
    }
  });

  test("float64 derivative checks through a small DiT (random weights)", async () => {
    const net = dit({ imageSize: 4, inChannels: 1, patchSize: 2, hidden: 4, depth: 1, heads: 2, timeFeatures: 4, dtype: "float64" });
    const p = c.treeMap(net.init(c.random.key(5)), (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(500 + i), w.shape, { dtype: "float64" }), 0.3)));
    const u = c.random.normal(c.random.key(6), [2, 1, 4, 4], { dtype: "float64" });
    const t = c.array([0.4, 1.1], [2], { dtype: "float64" });
    await checkGrads((uu: Tensor, tt: Tensor) => net.apply(p, uu, tt), [u, t], { order: 1, rtol: 1e-5 });
    await checkGrads((q: typeof p) => net.apply(q, u, t), [p], { order: 1, rtol: 1e-5 });
  });

  test("config validation names the field and the rule", () => {
    expect(() => dit({ ...ditPresets.tiny, heads: 3 })).toThrow("dit.init: hidden (32) must be divisible by heads (3)");
    expect(() => dit({ ...ditPresets.tiny, imageSize: 9 })).toThrow("dit.init: imageSize (9) must be divisible by patchSize (2)");
  });

  test("overfits one batch under the TrigFlow diffusion loss", async () => {
    const { first, last, seconds } = await overfitOneBatch(dit(ditPresets.tiny), { batch: 4, steps: 120, learningRate: 3e-3 });
    console.log(`dit tiny: err ${first.toFixed(4)} → ${last.toFixed(4)} in ${seconds.toFixed(1)} s`);
    expect(last).toBeLessThan(0.2 * first);
    expect(seconds).toBeLessThan(60);
  });
});
