// The examples' network: @scm-ts/models' U-Net with the sCM changes (c_noise(t) = t, positional
// embedding, adaptive double normalisation, logvar head), sized for a shared 2-core CPU. One level per
// halving of the side, up to three (28 → 14 → 7; 14 → 7; one level at 7, which cannot be halved),
// with attention only in the middle at the lowest resolution; "base" at 28×28 is `scm train`'s U-Net
// for MNIST and the examples' default, "tiny" the one of the smoke tests.
import type { Tensor } from "@scm-ts/core";
import { unet, type ModelParams, type Network, type UnetConfig } from "@scm-ts/models";

/** Network size presets of the examples. */
export const presets = {
  tiny: { modelChannels: 8, embDim: 32, timeFeatures: 16, groups: 4 },
  small: { modelChannels: 16, embDim: 64, timeFeatures: 16, groups: 8 },
  base: { modelChannels: 32, embDim: 128, timeFeatures: 32, groups: 8 },
} as const;

/** A preset name. */
export type PresetName = keyof typeof presets;

/** The U-Net config of a preset for 1-channel images of side `size`. */
export function unetConfig(preset: PresetName, size: number): UnetConfig {
  const p = presets[preset];
  if (!p) throw new RangeError(`--model ${String(preset)}: use one of ${Object.keys(presets).join(", ")}`);
  // One level more per halving of the side, up to three levels: 28 → 14 → 7, 14 → 7, 7.
  const levels = size % 4 === 0 ? 3 : size % 2 === 0 ? 2 : 1;
  return { imageSize: size, inChannels: 1, channelMult: [1, 2, 2].slice(0, levels), numBlocks: 1, attnResolutions: [], midAttention: true, ...p };
}

/** A network of the examples. */
export type Net = Network<UnetConfig, unknown>;

/** Builds the U-Net of a config. */
export function buildNet(config: UnetConfig): Net {
  return unet(config) as unknown as Net;
}

/** The model callables the objectives take. */
export function modelOf(net: Net) {
  return { apply: (p: ModelParams<unknown>, u: Tensor, t: Tensor) => net.apply(p, u, t), logvar: (p: ModelParams<unknown>, t: Tensor) => net.logvar(p, t) };
}
