// Standardising data to the scale TrigFlow assumes: x_model = (x − μ_k)·(σ_d/s_k), where k is the
// coordinate of a vector example [D] or the channel of an image [C, H, W], μ_k and s_k the data's mean
// and standard deviation there. A model trained on standardised data samples in model space, and the
// inverse x = x_model·s_k/σ_d + μ_k brings its samples back to the data's own location and scale, so
// data of any scale (mean 20, std 5) or anisotropy trains at the σ_d the loss and the samplers assume.
// A coordinate with zero variance keeps scale 1 (it is centred, so the model sees a constant 0 there).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** An affine per-coordinate (vectors) or per-channel (images) transform to model space. */
export interface Standardization {
  /** μ_k, subtracted first; one per coordinate of a vector example or per channel of an image. */
  readonly shift: readonly number[];
  /** σ_d/s_k, multiplied after the shift (1 where s_k = 0). */
  readonly scale: readonly number[];
}

/** What `estimateStandardization` found besides the transform. */
export interface StandardizationEstimate extends Standardization {
  /** s_k, the measured standard deviation per coordinate or channel. */
  readonly std: readonly number[];
  /** Indices k whose standard deviation is 0 (kept at scale 1). */
  readonly constant: readonly number[];
}

/** The identity transform for examples of a shape (shift 0, scale 1). */
export function identityStandardization(sampleShape: readonly number[]): Standardization {
  const k = groups(sampleShape).count;
  return { shift: new Array<number>(k).fill(0), scale: new Array<number>(k).fill(1) };
}

// Vectors [D]: one group per coordinate; images [C, ...]: one per channel, each `inner` entries long.
function groups(sampleShape: readonly number[]): { count: number; inner: number } {
  if (sampleShape.length === 0) throw new RangeError("standardization: examples must have at least one axis");
  if (sampleShape.length === 1) return { count: sampleShape[0]!, inner: 1 };
  return { count: sampleShape[0]!, inner: sampleShape.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Estimates μ_k and s_k over all examples of `values` ([N, ...sampleShape], row-major) in float64, and
 * returns the transform that gives them standard deviation `sigmaData` and mean 0. Throws a RangeError
 * when a value is not finite or when every coordinate is constant (there is nothing to learn).
 */
export function estimateStandardization(values: ArrayLike<number>, sampleShape: readonly number[], sigmaData = 0.5): StandardizationEstimate {
  if (!(sigmaData > 0 && Number.isFinite(sigmaData))) throw new RangeError(`standardization: sigmaData must be positive and finite, got ${sigmaData}`);
  const { count, inner } = groups(sampleShape);
  const e = count * inner;
  if (values.length === 0 || values.length % e !== 0) throw new RangeError(`standardization: ${values.length} values do not make whole examples of shape [${sampleShape.join(", ")}]`);
  const n = values.length / e;
  const sum = new Float64Array(count), pivot = new Float64Array(count), sq = new Float64Array(count);
  // Shifted sums (by each group's first value) keep the variance exact for data far from 0.
  for (let k = 0; k < count; k++) pivot[k] = values[k * inner]!;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < count; k++) {
      const base = i * e + k * inner, p = pivot[k]!;
      let s = 0, q = 0;
      for (let j = 0; j < inner; j++) {
        const v = values[base + j]!;
        if (!Number.isFinite(v)) throw new RangeError(`standardization: example ${i} has a non-finite value (${v}) at entry ${k * inner + j}`);
        const d = v - p;
        s += d;
        q += d * d;
      }
      sum[k] = sum[k]! + s;
      sq[k] = sq[k]! + q;
    }
  }
  const m = n * inner;
  const shift: number[] = [], scale: number[] = [], std: number[] = [], constant: number[] = [];
  for (let k = 0; k < count; k++) {
    const md = sum[k]! / m;
    const variance = Math.max(sq[k]! / m - md * md, 0);
    const s = Math.sqrt(variance), mu = pivot[k]! + md;
    // Relative to the values' magnitude: float32 data cannot resolve a spread below ~1e-7·|μ|.
    const isConstant = !(s > 1e-7 * Math.max(Math.abs(mu), Number.MIN_VALUE));
    shift.push(mu);
    std.push(s);
    scale.push(isConstant ? 1 : sigmaData / s);
    if (isConstant) constant.push(k);
  }
  if (constant.length === count) throw new RangeError(`standardization: every ${sampleShape.length === 1 ? "coordinate" : "channel"} of the data is constant; there is nothing to learn`);
  return { shift, scale, std, constant };
}

// The transform's vectors as tensors broadcasting against a batch [B, ...sampleShape].
function broadcastable(v: readonly number[], rank: number, dtype: Tensor["dtype"]): Tensor {
  const shape = rank === 2 ? [1, v.length] : [1, v.length, ...new Array<number>(rank - 2).fill(1)];
  return c.array(Float64Array.from(v), shape, { dtype: dtype as "float32" | "float64" });
}

function checkRank(what: string, t: Standardization, x: Tensor): void {
  if (x.ndim < 2 || x.shape[1] !== t.shift.length || t.scale.length !== t.shift.length) {
    throw new RangeError(`${what}: a batch of shape [${x.shape.join(", ")}] does not match a transform of ${t.shift.length} coordinates or channels (axis 1)`);
  }
}

/** True when the transform does nothing (shift 0 and scale 1 everywhere). */
export function isIdentityStandardization(t: Standardization): boolean {
  return t.shift.every((v) => v === 0) && t.scale.every((v) => v === 1);
}

/** Data space → model space: (x − μ)·scale, for a batch [B, ...sampleShape]. */
export function standardize(t: Standardization, x: Tensor): Tensor {
  if (isIdentityStandardization(t)) return x;
  checkRank("standardize", t, x);
  return c.tidy(() => c.mul(c.sub(x, broadcastable(t.shift, x.ndim, x.dtype)), broadcastable(t.scale, x.ndim, x.dtype)));
}

/** Model space → data space: x/scale + μ, the inverse of `standardize`. */
export function unstandardize(t: Standardization, x: Tensor): Tensor {
  if (isIdentityStandardization(t)) return x;
  checkRank("unstandardize", t, x);
  return c.tidy(() => c.add(c.div(x, broadcastable(t.scale, x.ndim, x.dtype)), broadcastable(t.shift, x.ndim, x.dtype)));
}
