// Group normalisation (Wu & He 2018) for [B, C, ...] inputs: channels are split into G groups and each
// (sample, group) is shifted to zero mean and scaled to unit variance over its channels and spatial
// positions, then an optional per-channel affine map γ·x̂ + β is applied. GroupNorm needs no key.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkDivisible, checkPositive, checkPositiveInt } from "./config-check.js";
import { constant, type FloatDType } from "./initializers.js";

/** Configuration of a group norm. */
export interface GroupNormConfig {
  /** Channels C (axis 1). */
  readonly channels: number;
  /** Groups G; C must be divisible by G. */
  readonly groups: number;
  /** Variance floor ε (default 1e-5). */
  readonly eps?: number;
  /** Learn γ and β (default true). */
  readonly affine?: boolean;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters of a group norm (empty without affine). */
export interface GroupNormParams {
  /** γ, starts at 1. */
  readonly scale?: Tensor; // [C]
  /** β, starts at 0. */
  readonly bias?: Tensor; // [C]
}

/** Checks the config; γ = 1, β = 0. */
export function init(config: GroupNormConfig): GroupNormParams {
  const where = "groupNorm.init";
  checkPositiveInt(where, "channels", config.channels);
  checkPositiveInt(where, "groups", config.groups);
  checkDivisible(where, "channels", config.channels, "groups", config.groups);
  checkPositive(where, "eps", config.eps ?? 1e-5);
  if (config.affine === false) return {};
  const dtype = config.dtype ?? "float32";
  return { scale: constant([config.channels], 1, dtype), bias: constant([config.channels], 0, dtype) };
}

// x̂ = (x − μ_g) / sqrt(σ²_g + ε), with μ_g, σ²_g over the group's channels and positions.
/** Normalises x per (sample, group), then applies γ, β. */
export function apply(params: GroupNormParams, x: Tensor, config: Pick<GroupNormConfig, "groups" | "eps">): Tensor {
  const [b, ch] = x.shape as [number, number];
  const g = config.groups;
  if (x.ndim < 2 || ch % g !== 0) throw new Error(`groupNorm.apply: input [${x.shape.join(",")}] needs a channel axis 1 divisible by groups (${g})`);
  // one row per (sample, group): the engine's standardize primitive, one pass per row on every backend
  let y = c.reshape(c.standardize(c.reshape(x, [b, g, -1]), config.eps ?? 1e-5), x.shape); // [B, C, ...]
  const bshape = [1, ch, ...x.shape.slice(2).map(() => 1)];
  if (params.scale) y = c.mul(y, c.reshape(params.scale, bshape));
  if (params.bias) y = c.add(y, c.reshape(params.bias, bshape));
  return y;
}
