// The examples' U-Net at every training side the flags allow (28, 14 and 7) and every preset: it builds
// and maps a batch of images to images of the same shape, with one level per halving of the side: three
// at 28 × 28, two at 14 × 14, one at 7 × 7 (an odd side, which cannot be halved).
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import { buildNet, presets, unetConfig, type PresetName } from "./model.js";

describe("unetConfig", () => {
  for (const preset of Object.keys(presets) as PresetName[]) {
    it.each([28, 14, 7])(`"${preset}" builds at side %i and keeps the image shape`, (size) => {
      const config = unetConfig(preset, size);
      expect(config.channelMult).toEqual({ 28: [1, 2, 2], 14: [1, 2], 7: [1] }[size]);
      const net = buildNet(config);
      const params = net.init(c.random.key(0));
      const out = net.apply(params, c.random.normal(c.random.key(1), [2, 1, size, size]), c.full([2], 0.5));
      expect(out.shape).toEqual([2, 1, size, size]);
    });
  }
});
