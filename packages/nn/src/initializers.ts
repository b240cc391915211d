// Parameter initializers with explicit keys (JAX's jax.nn.initializers): the same key gives the same
// parameters on every backend, because the draws come from the engine's counter-based threefry PRNG.
// Variance scaling draws w with Var[w] = scale / fan, where fan is the fan-in, fan-out or their mean
// (LeCun: scale 1 over fan-in; He: 2 over fan-in; Glorot: 1 over the mean fan, uniform).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** The float dtypes parameters may have (float64 for derivative checks on the CPU). */
export type FloatDType = "float32" | "float64";

/** Which fan variance scaling divides by. */
export type FanMode = "fanIn" | "fanOut" | "fanAvg";

/** Options of `varianceScaling`. */
export interface VarianceScalingOptions {
  /** Variance numerator (default 1). 0 gives exact zeros. */
  readonly scale?: number;
  /** Fan to divide by (default fanIn). */
  readonly mode?: FanMode;
  /** Normal or uniform draws of that variance (default normal). */
  readonly distribution?: "normal" | "uniform";
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/**
 * Fan-in and fan-out of a weight: a linear kernel [in, out] has (in, out); a convolution kernel
 * [O, I, KH, KW] (OIHW) has (I·KH·KW, O·KH·KW); a vector [n] has (n, n).
 */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/**
 * A constant-filled parameter, built as a broadcast scalar: tracing an init (to count the parameters
 * and FLOPs of a large preset without allocating it) then records one small equation, not a buffer.
 */
export function constant(shape: readonly number[], value: number, dtype: FloatDType = "float32"): Tensor {
  return c.broadcastTo(c.full([], value, { dtype }), shape);
}

/** N(0, std²) draws; std = 0 gives zeros without drawing. */
export function normal(key: Tensor, shape: readonly number[], std: number, dtype: FloatDType = "float32"): Tensor {
  if (std === 0) return constant(shape, 0, dtype);
  return c.mul(c.random.normal(key, shape, { dtype }), std);
}

/** U(lo, hi) draws. */
export function uniform(key: Tensor, shape: readonly number[], lo: number, hi: number, dtype: FloatDType = "float32"): Tensor {
  return c.random.uniform(key, shape, { dtype, minval: lo, maxval: hi });
}

/** Var[w] = scale / fan (JAX's variance_scaling without truncation). */
export function varianceScaling(key: Tensor, shape: readonly number[], options: VarianceScalingOptions = {}): Tensor {
  const scale = options.scale ?? 1;
  const [fanIn, fanOut] = fans(shape);
  const mode = options.mode ?? "fanIn";
  const fan = mode === "fanIn" ? fanIn : mode === "fanOut" ? fanOut : (fanIn + fanOut) / 2;
  const variance = scale / Math.max(fan, 1);
  const dtype = options.dtype ?? "float32";
  if (scale === 0) return constant(shape, 0, dtype);
  if ((options.distribution ?? "normal") === "normal") return normal(key, shape, Math.sqrt(variance), dtype);
  const limit = Math.sqrt(3 * variance);
  return uniform(key, shape, -limit, limit, dtype);
}

/** LeCun normal: Var[w] = 1/fanIn (unit-variance pre-activations for unit-variance inputs). */
export function lecunNormal(key: Tensor, shape: readonly number[], dtype: FloatDType = "float32"): Tensor {
  return varianceScaling(key, shape, { scale: 1, mode: "fanIn", dtype });
}

/** He normal: Var[w] = 2/fanIn (for ReLU-like activations). */
export function heNormal(key: Tensor, shape: readonly number[], dtype: FloatDType = "float32"): Tensor {
  return varianceScaling(key, shape, { scale: 2, mode: "fanIn", dtype });
}

/** Glorot (Xavier) uniform: Var[w] = 1/mean(fanIn, fanOut). */
export function glorotUniform(key: Tensor, shape: readonly number[], dtype: FloatDType = "float32"): Tensor {
  return varianceScaling(key, shape, { scale: 1, mode: "fanAvg", distribution: "uniform", dtype });
}
