// Pixel normalisation (Karras et al. 2017, "Progressive growing of GANs", Eq. in §4.2): a vector is
// divided by its root mean square over one axis, v / sqrt(mean(v²) + ε). sCM applies it to the scale
// and shift vectors of adaptive normalisation (docs/guide/math.md, "Network changes"), which bounds their magnitude.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** Options of `pixelNorm`. */
export interface PixelNormOptions {
  /** Axis to normalise over (default −1, the feature axis of [B, C] vectors). */
  readonly axis?: number;
  /** Floor ε under the mean square (default 1e-8). */
  readonly eps?: number;
}

// pnorm(v) = v / sqrt(mean_axis(v²) + ε)
/** Divides `v` by its RMS along `axis`. */
export function pixelNorm(v: Tensor, options: PixelNormOptions = {}): Tensor {
  const axis = options.axis ?? -1;
  return c.mul(v, c.rsqrt(c.add(c.mean(c.square(v), axis, true), options.eps ?? 1e-8)));
}
