// The adaptive-weighting head w_φ(t) of sCM (docs/guide/trigflow-scm.md, "The loss, with adaptive weighting")
// in EDM2's form: a sinusoidal embedding of c_noise(t) = t followed by a linear map to one number per sample.
// It starts at zero (zero weights), so the weighted loss e^{w}·err − w equals the plain error at init. It is
// separate from the backbone: its parameters are a sibling subtree, and the stop-gradient student never reads
// them.
import type { Tensor } from "@scm-ts/core";
import * as c from "@scm-ts/core";
import { checkEven, linear, positionalEmbedding, type FloatDType } from "@scm-ts/nn";

/** Configuration of the logvar head. */
export interface LogvarConfig {
  /** Width of the time features (even; default 128, EDM2's). */
  readonly features?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters φ of the logvar head. */
export interface LogvarParams {
  /** Features → 1, zero at init. */
  readonly linear: linear.LinearParams; // [features, 1]
}

/** w_φ = 0 at init. */
export function initLogvar(key: Tensor, config: LogvarConfig = {}): LogvarParams {
  const features = checkEven("logvarHead", "features", config.features ?? 128);
  return { linear: linear.init(key, { inFeatures: features, outFeatures: 1, initScale: 0, dtype: config.dtype ?? "float32" }) };
}

// w_φ(t) = W·pos(t) + b   (EDM2's logvar_fourier → logvar_linear, with the positional embedding)
/** w_φ(t): t [B] → [B]. */
export function applyLogvar(params: LogvarParams, t: Tensor): Tensor {
  const features = params.linear.weight.shape[0]!;
  const emb = positionalEmbedding(c.astype(t, params.linear.weight.dtype), { dim: features }); // [B, F]
  return c.reshape(linear.apply(params.linear, emb), [-1]); // [B]
}
