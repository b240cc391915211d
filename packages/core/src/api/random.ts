// Counter-based PRNG keys (threefry2x32, JAX style): a key is a uint32[2] tensor; split and the
// samplers are pure functions of the key, run as kernels, so every backend gives the same stream and
// keys can be passed through jit. normal uses Box–Muller on two uniform streams.
import { randomBits } from "../ops/random.js";
import { checkShape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { array } from "./creation.js";
import { add, astype, cos, log, mul, sqrt, sub } from "./elementwise.js";
import { reshape, slice } from "./shape-ops.js";
import { bind1 } from "../ops/rules.js";
import type { DType } from "../dtype.js";

/** A key from an integer seed (0 ≤ seed < 2⁵³): [⌊seed/2³²⌋, seed mod 2³²]. */
export function key(seed: number): Tensor {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`random.key: seed must be a non-negative safe integer, got ${seed}`);
  return array([Math.floor(seed / 2 ** 32), seed % 2 ** 32], [2], { dtype: "uint32" });
}
/** `num` new independent keys. */
export function split(k: Tensor, num = 2): Tensor[] {
  const bits = bind1(randomBits, [k], { shape: [num * 2], dist: "bits" });
  return Array.from({ length: num }, (_, i) => slice(bits, [2 * i], [2 * i + 2]));
}
/** Raw uint32 bits. */
export function bits(k: Tensor, shape: readonly number[]): Tensor {
  return bind1(randomBits, [k], { shape: checkShape("random.bits", shape), dist: "bits" });
}
/** Sampler options. */
export interface SampleOptions {
  /** Dtype of the samples (default float32; the draws are made in float32 and converted). */
  readonly dtype?: DType;
}
/** Uniform samples in [minval, maxval). */
export function uniform(k: Tensor, shape: readonly number[], options: SampleOptions & { minval?: number; maxval?: number } = {}): Tensor {
  const u = astype(bind1(randomBits, [k], { shape: checkShape("random.uniform", shape), dist: "uniform" }), options.dtype ?? "float32");
  const lo = options.minval ?? 0, hi = options.maxval ?? 1;
  return lo === 0 && hi === 1 ? u : add(mul(u, hi - lo), lo);
}
/** Standard normal samples (Box–Muller: √(−2 log u₁)·cos(2π u₂), u₁ ∈ (0, 1]). */
export function normal(k: Tensor, shape: readonly number[], options: SampleOptions = {}): Tensor {
  const s = checkShape("random.normal", shape);
  const n = sizeOf(s);
  const u = bind1(randomBits, [k], { shape: [2 * n], dist: "uniform" });
  const u1 = sub(1, slice(u, [0], [n]));
  const u2 = slice(u, [n], [2 * n]);
  const z = mul(sqrt(mul(log(u1), -2)), cos(mul(u2, 2 * Math.PI)));
  return reshape(astype(z, options.dtype ?? "float32"), s);
}
