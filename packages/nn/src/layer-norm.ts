// Layer normalisation (Ba et al. 2016) over the last axis: each feature vector is shifted to zero mean
// and scaled to unit variance, then an optional affine map γ·x̂ + β. DiT uses it without the affine
// part, because the adaptive (double) normalisation supplies the scale and shift.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositive, checkPositiveInt } from "./config-check.js";
import { constant, type FloatDType } from "./initializers.js";

/** Configuration of a layer norm. */
export interface LayerNormConfig {
  /** Size of the last axis. */
  readonly features: number;
  /** Variance floor ε (default 1e-6). */
  readonly eps?: number;
  /** Learn γ and β (default true). */
  readonly affine?: boolean;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters of a layer norm (empty without affine). */
export interface LayerNormParams {
  /** γ, starts at 1. */
  readonly scale?: Tensor; // [F]
  /** β, starts at 0. */
  readonly bias?: Tensor; // [F]
}

/** Checks the config; γ = 1, β = 0. */
export function init(config: LayerNormConfig): LayerNormParams {
  checkPositiveInt("layerNorm.init", "features", config.features);
  checkPositive("layerNorm.init", "eps", config.eps ?? 1e-6);
  if (config.affine === false) return {};
  const dtype = config.dtype ?? "float32";
  return { scale: constant([config.features], 1, dtype), bias: constant([config.features], 0, dtype) };
}

// x̂ = (x − mean(x)) / sqrt(var(x) + ε) over the last axis (population variance): the engine's
// standardize primitive, whose routines compute each row's statistics and write it in one pass on
// every backend, and whose JVP and transpose are routines too.
/** Normalises the last axis, then applies γ, β. */
export function apply(params: LayerNormParams, x: Tensor, config: Partial<LayerNormConfig> = {}): Tensor {
  let y = c.standardize(x, config.eps ?? 1e-6); // [..., F]
  if (params.scale) y = c.mul(y, params.scale);
  if (params.bias) y = c.add(y, params.bias);
  return y;
}
