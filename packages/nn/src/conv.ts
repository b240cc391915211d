// The 2-D convolution layer in NCHW with OIHW kernels: y = conv(x, W) + b, 'SAME' padding by default
// (odd kernels keep H and W), optional stride and feature groups. `initScale` multiplies the LeCun
// std (fan-in = C/groups·KH·KW); 0 gives the zero-initialised last convolution of a residual block.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkDivisible, checkPositiveInt, ConfigError } from "./config-check.js";
import { constant, lecunNormal, type FloatDType } from "./initializers.js";

/** Configuration of a convolution layer. */
export interface Conv2dConfig {
  /** Input channels C. */
  readonly inChannels: number;
  /** Output channels O. */
  readonly outChannels: number;
  /** Square kernel size (odd for 'SAME'; default 3). */
  readonly kernel?: number;
  /** Stride (default 1). */
  readonly stride?: number;
  /** Padding: a number, 'SAME' or 'VALID' (default 'SAME'). */
  readonly padding?: number | "SAME" | "VALID";
  /** Feature groups (default 1); both channel counts must be divisible by it. */
  readonly groups?: number;
  /** Learn a bias (default true). */
  readonly bias?: boolean;
  /** Multiplier of the LeCun-normal weight std (default 1; 0 = zero init). */
  readonly initScale?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters of a convolution layer. */
export interface Conv2dParams {
  /** Kernel W. */
  readonly weight: Tensor; // [O, C/groups, K, K]
  /** Bias (absent when `bias: false`). */
  readonly bias?: Tensor; // [O]
}

/** Checks the config and draws the kernel. */
export function init(key: Tensor, config: Conv2dConfig): Conv2dParams {
  const where = "conv2d.init";
  checkPositiveInt(where, "inChannels", config.inChannels);
  checkPositiveInt(where, "outChannels", config.outChannels);
  const k = checkPositiveInt(where, "kernel", config.kernel ?? 3);
  checkPositiveInt(where, "stride", config.stride ?? 1);
  const groups = checkPositiveInt(where, "groups", config.groups ?? 1);
  checkDivisible(where, "inChannels", config.inChannels, "groups", groups);
  checkDivisible(where, "outChannels", config.outChannels, "groups", groups);
  if ((config.padding ?? "SAME") === "SAME" && k % 2 === 0) throw new ConfigError(where, "kernel", `must be odd with 'SAME' padding, got ${k}`);
  const scale = config.initScale ?? 1;
  if (!(Number.isFinite(scale) && scale >= 0)) throw new ConfigError(where, "initScale", `must be a finite non-negative number, got ${scale}`);
  const dtype = config.dtype ?? "float32";
  const shape = [config.outChannels, config.inChannels / groups, k, k];
  const weight = scale === 0 ? constant(shape, 0, dtype) : scale === 1 ? lecunNormal(key, shape, dtype) : c.mul(lecunNormal(key, shape, dtype), scale);
  if (config.bias === false) return { weight };
  return { weight, bias: constant([config.outChannels], 0, dtype) };
}

/** Static options of `apply` (as given at init). */
export type Conv2dApplyConfig = Partial<Conv2dConfig>;

/** y = conv(x, W) + b. */
export function apply(params: Conv2dParams, x: Tensor, config: Conv2dApplyConfig = {}): Tensor {
  const groups = config.groups ?? 1;
  if (x.ndim !== 4 || x.shape[1] !== params.weight.shape[1]! * groups) {
    throw new Error(`conv2d.apply: input [${x.shape.join(",")}] must be [N, ${params.weight.shape[1]! * groups}, H, W] for kernel [${params.weight.shape.join(",")}] with ${groups} group(s)`);
  }
  const y = c.conv2d(x, params.weight, { stride: config.stride ?? 1, padding: config.padding ?? "SAME", groups }); // [N, O, H', W']
  return params.bias ? c.add(y, c.reshape(params.bias, [1, -1, 1, 1])) : y;
}
