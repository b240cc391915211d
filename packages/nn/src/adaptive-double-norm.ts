// Adaptive double normalisation (sCM, Lu & Song 2024, §4.2 / docs/guide/math.md, "Network changes"): AdaGN's
// y = norm(x)·s(emb) + b(emb) becomes y = norm(x)·pnorm(s(emb)) + pnorm(b(emb)), where s and b are
// linear maps of the conditioning embedding and pnorm divides each modulation vector by its RMS over
// channels, so the modulation cannot grow without bound during consistency training. The caller
// supplies norm(x) (group norm for images, layer norm for tokens). s starts at 1 + small noise
// (bias 1), so pnorm(s) ≈ 1 at init; where the paper is silent on a "+1" offset we follow AdaGN.
import type { Tensor } from "@scm-ts/core";
import * as c from "@scm-ts/core";
import { checkPositiveInt } from "./config-check.js";
import type { FloatDType } from "./initializers.js";
import * as linear from "./linear.js";
import { pixelNorm } from "./pixel-norm.js";

/** Configuration of the adaptive double normalisation. */
export interface AdaptiveDoubleNormConfig {
  /** Width of the conditioning embedding. */
  readonly embDim: number;
  /** Channels C of the modulated activations. */
  readonly channels: number;
  /** Learn the shift b(emb) (default true; false gives scale-only modulation as in sCM-mnist). */
  readonly shift?: boolean;
  /** Multiplier of the modulation weights' init std (default 1). */
  readonly initScale?: number;
  /** pnorm's ε (default 1e-8). */
  readonly eps?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters: the two modulation maps. */
export interface AdaptiveDoubleNormParams {
  /** s(emb) = emb·W_s + b_s, b_s = 1 at init. */
  readonly scale: linear.LinearParams;
  /** b(emb) = emb·W_b + b_b (absent when `shift: false`). */
  readonly shift?: linear.LinearParams;
}

/** Draws the modulation maps. */
export function init(key: Tensor, config: AdaptiveDoubleNormConfig): AdaptiveDoubleNormParams {
  checkPositiveInt("adaptiveDoubleNorm.init", "embDim", config.embDim);
  checkPositiveInt("adaptiveDoubleNorm.init", "channels", config.channels);
  const [ks, kb] = c.random.split(key);
  const base = { inFeatures: config.embDim, outFeatures: config.channels, initScale: config.initScale ?? 1, dtype: config.dtype ?? "float32" } as const;
  const scale = linear.init(ks!, { ...base, biasInit: 1 });
  if (config.shift === false) return { scale };
  return { scale, shift: linear.init(kb!, base) };
}

// Broadcast a [B, C] modulation over h: [B, C, H, W] (NCHW), [B, N, C] (tokens) or [B, C].
function alongChannels(v: Tensor, h: Tensor): Tensor {
  const [b, ch] = v.shape as [number, number];
  if (h.ndim === 4) return c.reshape(v, [b, ch, 1, 1]); // [B, C, 1, 1]
  if (h.ndim === 3) return c.reshape(v, [b, 1, ch]); // [B, 1, C]
  return v; // [B, C]
}

// y = norm(x) ⊙ pnorm(s(emb)) + pnorm(b(emb))   (sCM §4.2)
/** Modulates already-normalised activations `normed` by the embedding `emb` [B, embDim]. */
export function apply(params: AdaptiveDoubleNormParams, normed: Tensor, emb: Tensor, config: Partial<AdaptiveDoubleNormConfig> = {}): Tensor {
  const opts = { axis: -1, eps: config.eps ?? 1e-8 };
  const s = pixelNorm(linear.apply(params.scale, emb), opts); // [B, C]
  const y = c.mul(normed, alongChannels(s, normed));
  if (!params.shift) return y;
  const b = pixelNorm(linear.apply(params.shift, emb), opts); // [B, C]
  return c.add(y, alongChannels(b, normed));
}
