// The U-Net: block layout and shapes, F_θ = 0 at init, same key → same parameters, float64 derivative
// checks through a small network, images that are not square (H × W), config validation (indivisible image sizes, channels vs groups,
// channels per head), and overfitting one batch under the TrigFlow diffusion loss.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { overfitOneBatch } from "./overfit-one-batch.js";
import { unet, unetPresets } from "./unet.js";

describe("unet", () => {
  test("EDM2 block names, output shape, zeros at init, determinism from the key", async () => {
    const net = unet({ ...unetPresets.tiny, numClasses: 4 });
    const p = net.init(c.random.key(1));
    expect(Object.keys(p.net.enc)).toEqual(["8x8_block0", "4x4_down", "4x4_block0"]);
    expect(Object.keys(p.net.dec)).toEqual(["4x4_in0", "4x4_in1", "4x4_block0", "4x4_block1", "8x8_up", "8x8_block0", "8x8_block1"]);
    expect(p.net.enc["4x4_block0"]!.attn).toBeDefined();
    const u = c.random.normal(c.random.key(2), [2, 3, 8, 8]);
    const y = net.apply(p, u, c.array([0.3, 1.2]), { classLabels: c.array([[1, 0, 0, 0], [0, 0, 1, 0]]) });
    expect(y.shape).toEqual([2, 3, 8, 8]);
    expect(Array.from(await y.data()).every((v) => v === 0)).toBe(true);
    const a = c.treeLeaves<Tensor>(p), b = c.treeLeaves<Tensor>(net.init(c.random.key(1)));
    for (let i = 0; i < a.length; i += 7) expect(Array.from(await a[i]!.data())).toEqual(Array.from(await b[i]!.data()));
  });

  test("float64 derivative checks through a small U-Net with attention (random weights)", async () => {
    const net = unet({ imageSize: 4, inChannels: 1, modelChannels: 4, channelMult: [1, 2], numBlocks: 1, attnResolutions: [2], groups: 2, embDim: 4, timeFeatures: 4, dtype: "float64" });
    const p = c.treeMap(net.init(c.random.key(3)), (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(300 + i), w.shape, { dtype: "float64" }), 0.2)));
    const u = c.random.normal(c.random.key(4), [1, 1, 4, 4], { dtype: "float64" });
    const t = c.array([0.8], [1], { dtype: "float64" });
    await checkGrads((uu: Tensor, tt: Tensor) => net.apply(p, uu, tt), [u, t], { order: 1, rtol: 1e-5 });
    await checkGrads((q: typeof p) => net.apply(q, u, t), [p], { order: 1, rtol: 1e-5 });
  });

  test("images that are not square: height × width blocks, output of the input's shape, width checked", async () => {
    const net = unet({ imageSize: 4, imageWidth: 6, inChannels: 2, modelChannels: 8, channelMult: [1, 2], numBlocks: 1, groups: 4, embDim: 8, timeFeatures: 4 });
    expect(net.sampleShape).toEqual([2, 4, 6]);
    const p = c.treeMap(net.init(c.random.key(5)), (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(500 + i), w.shape), 0.1)));
    expect(Object.keys(p.net.enc)).toEqual(["4x6_block0", "2x3_down", "2x3_block0"]);
    const y = net.apply(p, c.random.normal(c.random.key(6), [3, 2, 4, 6]), c.array([0.2, 0.7, 1.3]));
    expect(y.shape).toEqual([3, 2, 4, 6]);
    expect(Array.from(await y.data()).every(Number.isFinite)).toBe(true);
    expect(() => unet({ ...unetPresets.tiny, imageWidth: 5 })).toThrow("unet.init: imageWidth (5) must be divisible by 2^(levels − 1) = 2 to down-sample 1 time(s) (channelMult has 2 levels)");
  });

  test("config validation names the field and the rule", () => {
    expect(() => unet({ ...unetPresets.tiny, imageSize: 6, channelMult: [1, 2, 2] })).toThrow(
      "unet.init: imageSize (6) must be divisible by 2^(levels − 1) = 4 to down-sample 2 time(s) (channelMult has 3 levels)",
    );
    expect(() => unet({ ...unetPresets.tiny, modelChannels: 12 })).toThrow(/unet.init: channels of 8x8_block0 \(input\) \(12\) must be divisible by groups \(8\)/);
    expect(() => unet({ ...unetPresets.tiny, channelsPerHead: 12 })).toThrow(/channels of 4x4_block0 \(32\) must be divisible by channelsPerHead \(12\)/);
    expect(() => unet({ ...unetPresets.tiny, channelMult: [] })).toThrow("unet.init: channelMult must list at least one level");
  });

  test("overfits one batch under the TrigFlow diffusion loss", async () => {
    const { first, last, seconds } = await overfitOneBatch(unet(unetPresets.tiny), { batch: 4, steps: 40, learningRate: 3e-3 });
    console.log(`unet tiny: err ${first.toFixed(4)} → ${last.toFixed(4)} in ${seconds.toFixed(1)} s`);
    expect(last).toBeLessThan(0.2 * first);
    expect(seconds).toBeLessThan(60);
  });
});
