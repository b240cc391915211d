// The default architecture for a data shape: the U-Net and DiT down-sample as often as the image
// size allows (twice when 4 divides it, once when 2 does, never for odd sizes), so images of any
// square size train with the defaults, and so do U-Nets of images that are not square; other shapes get
// one line saying what to do.
import * as c from "@scm-ts/core";
import { describe, expect, it } from "vitest";
import { UsageError } from "./args.js";
import { buildNetwork, defaultMlpWidth, defaultModelConfig } from "./run.js";

describe("defaultModelConfig", () => {
  it("the MLP is 256 wide, or as wide as the data (a power of two, at most 1024) so F_θ spans every direction", () => {
    expect([1, 2, 8, 255, 256, 257, 300, 512, 784, 3072].map(defaultMlpWidth)).toEqual([256, 256, 256, 256, 256, 512, 512, 512, 1024, 1024]);
    expect(defaultModelConfig("mlp", [300])).toMatchObject({ dataDim: 300, width: 512, inputFourier: 0 });
    expect(defaultModelConfig("mlp", [300], { width: 64 }).width).toBe(64);
    expect(defaultModelConfig("mlp", [2])).toMatchObject({ width: 256, inputFourier: 4 });
  });

  it.each([
    [[1, 8, 8], [1, 2, 2], 4],
    [[2, 6, 6], [1, 2], 2],
    [[3, 5, 5], [1], 1],
    [[1, 7, 7], [1], 1],
  ])("images %j: U-Net levels %j, DiT patch %i, and both networks run", (shape, mult, patch) => {
    const u = defaultModelConfig("unet", shape, { width: 8 });
    expect(u.channelMult).toEqual(mult);
    expect(defaultModelConfig("dit", shape, { width: 8, depth: 1 }).patchSize).toBe(patch);
    for (const model of ["unet", "dit"] as const) {
      const net = buildNetwork({ model, modelConfig: defaultModelConfig(model, shape, { width: 8, depth: 1 }) });
      const params = net.init(c.random.key(0));
      const y = net.apply(params, c.random.normal(c.random.key(1), [2, ...shape]), c.full([2], 0.7));
      expect(y.shape).toEqual([2, ...shape]);
      expect([...y.dataSync()].every(Number.isFinite)).toBe(true);
    }
  });

  it("the U-Net takes images that are not square, halving only while both sides are even", async () => {
    for (const [shape, levels] of [[[1, 7, 9], 1], [[2, 6, 10], 2], [[3, 8, 12], 3]] as const) {
      const cfg = defaultModelConfig("unet", shape, { width: 8, depth: 1 });
      expect(cfg).toMatchObject({ imageSize: shape[1], imageWidth: shape[2] });
      expect((cfg.channelMult as number[]).length).toBe(levels);
      const net = buildNetwork({ model: "unet", modelConfig: cfg });
      expect(net.apply(net.init(c.random.key(0)), c.random.normal(c.random.key(1), [2, ...shape]), c.full([2], 0.7)).shape).toEqual([2, ...shape]);
    }
  });

  it("refuses non-square images for the DiT and other ranks with a line saying what to do", () => {
    expect(() => defaultModelConfig("dit", [1, 7, 9])).toThrow(UsageError);
    expect(() => defaultModelConfig("dit", [1, 7, 9])).toThrow(/7×9.*use --model unet \(the default for images\), or pad or crop them to \[1, 9, 9\]/);
    expect(() => defaultModelConfig("dit", [4, 4])).toThrow(/images \[N, C, H, W\] or vectors \[N, D\]/);
    expect(() => defaultModelConfig("mlp", [1, 4, 4])).toThrow(/--model mlp needs vector data/);
  });
});
