// The affine layer y = x·W + b over the last axis, with W stored [in, out] as in JAX/Flax. Leading
// axes are flattened into one batch axis for the product, so the reverse pass sums into W once.
// `initScale` multiplies the LeCun standard deviation; 0 gives a zero-initialised output layer.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositiveInt, ConfigError } from "./config-check.js";
import { constant, lecunNormal, type FloatDType } from "./initializers.js";

/** Configuration of a linear layer. */
export interface LinearConfig {
  /** Input features (size of the last input axis). */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;
  /** Learn a bias (default true). */
  readonly bias?: boolean;
  /** Multiplier of the LeCun-normal weight std (default 1; 0 = zero init). */
  readonly initScale?: number;
  /** Constant the bias starts at (default 0). */
  readonly biasInit?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters of a linear layer. */
export interface LinearParams {
  /** Kernel W. */
  readonly weight: Tensor; // [in, out]
  /** Bias b (absent when `bias: false`). */
  readonly bias?: Tensor; // [out]
}

/** Draws W ~ N(0, initScale²/in) and sets b = biasInit. */
export function init(key: Tensor, config: LinearConfig): LinearParams {
  const where = "linear.init";
  checkPositiveInt(where, "inFeatures", config.inFeatures);
  checkPositiveInt(where, "outFeatures", config.outFeatures);
  const scale = config.initScale ?? 1;
  if (!(Number.isFinite(scale) && scale >= 0)) throw new ConfigError(where, "initScale", `must be a finite non-negative number, got ${scale}`);
  const dtype = config.dtype ?? "float32";
  const shape = [config.inFeatures, config.outFeatures];
  const weight = scale === 0 ? constant(shape, 0, dtype) : scale === 1 ? lecunNormal(key, shape, dtype) : c.mul(lecunNormal(key, shape, dtype), scale);
  if (config.bias === false) return { weight };
  return { weight, bias: constant([config.outFeatures], config.biasInit ?? 0, dtype) };
}

/** y = x·W + b. */
export function apply(params: LinearParams, x: Tensor): Tensor {
  const [fin, fout] = params.weight.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  if (x.shape[x.ndim - 1] !== fin) {
    throw new Error(`linear.apply: input [${x.shape.join(",")}] has ${x.shape[x.ndim - 1]} features but the weight expects ${fin}`);
  }
  const flat = x.ndim === 2 ? x : c.reshape(x, [-1, fin]); // [N, in]
  let y = c.matmul(flat, params.weight); // [N, out]
  if (params.bias) y = c.add(y, params.bias);
  return x.ndim === 2 ? y : c.reshape(y, [...lead, fout]); // [..., out]
}
