// Up- and down-sampling of NCHW feature maps by an integer factor, as EDM2's `resample` with the box
// filter [1, 1]: nearest-neighbour upsampling and average pooling (its adjoint up to the factor²).
// Both are compositions of reshape, broadcast and mean, so they fuse under jit and differentiate.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

function checkInput(where: string, x: Tensor, factor: number): void {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`${where}: factor must be a positive integer, got ${factor}`);
  if (x.ndim !== 4) throw new Error(`${where}: input must be [N, C, H, W], got [${x.shape.join(",")}]`);
}

/** Nearest-neighbour upsampling: [N, C, H, W] → [N, C, H·f, W·f]. */
export function upsample2d(x: Tensor, factor = 2): Tensor {
  checkInput("upsample2d", x, factor);
  return factor === 1 ? x : c.upsampleNearest(x, factor);
}

/** Average pooling over f×f windows: [N, C, H, W] → [N, C, H/f, W/f] (H, W divisible by f). */
export function downsample2d(x: Tensor, factor = 2): Tensor {
  checkInput("downsample2d", x, factor);
  const [, , h, w] = x.shape as [number, number, number, number];
  if (h % factor !== 0 || w % factor !== 0) throw new Error(`downsample2d: spatial size ${h}×${w} is not divisible by the factor ${factor}`);
  return factor === 1 ? x : c.avgPool2d(x, factor);
}
