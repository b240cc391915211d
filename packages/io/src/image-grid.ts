// Image grids: a batch of images [N, C, H, W] (C = 1 gray, 3 RGB, 4 RGBA) with values in a known range
// — [−1, 1] for model samples, [0, 1] for data — tiled row by row into one 8-bit image with a padding
// border between tiles (torchvision's make_grid layout), ready for the PNG encoder.
import type { Tensor } from "@scm-ts/core";
import { toHost, type HostTensor } from "./host-tensor.js";
import { rasterImage, type Channels, type RasterImage } from "./raster-image.js";

/** Options of `imageGrid`. */
export interface ImageGridOptions {
  /** The value range mapped to 0…255 (values outside are clipped); default [−1, 1]. */
  readonly valueRange?: readonly [low: number, high: number];
  /** Tiles per row; default ⌈√N⌉. */
  readonly columns?: number;
  /** Border pixels around and between tiles; default 2. */
  readonly padding?: number;
  /** The border's 8-bit value (every channel); default 0 (black). */
  readonly padValue?: number;
}

/** Tiles host images [N, C, H, W] into one image; throws a RangeError naming a bad shape or option. */
export function imageGridFromHost(images: HostTensor, options: ImageGridOptions = {}): RasterImage {
  if (images.shape.length !== 4) throw new RangeError(`imageGrid: images have shape [${images.shape.join(", ")}]; pass [N, C, H, W]`);
  const [n, c, h, w] = images.shape as [number, number, number, number];
  if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`imageGrid: ${c} channels in shape [${images.shape.join(", ")}]; images need 1, 3 or 4`);
  if (n === 0 || h === 0 || w === 0) throw new RangeError(`imageGrid: shape [${images.shape.join(", ")}] holds no pixels`);
  const [low, high] = options.valueRange ?? [-1, 1];
  if (!(high > low)) throw new RangeError(`imageGrid: valueRange [${low}, ${high}] must have high > low`);
  const columns = options.columns ?? Math.ceil(Math.sqrt(n));
  const padding = options.padding ?? 2;
  if (!Number.isSafeInteger(columns) || columns < 1) throw new RangeError(`imageGrid: columns ${columns} must be a positive integer`);
  if (!Number.isSafeInteger(padding) || padding < 0) throw new RangeError(`imageGrid: padding ${padding} must be a non-negative integer`);
  const rows = Math.ceil(n / columns);
  const cols = Math.min(columns, n);
  const width = cols * (w + padding) + padding, height = rows * (h + padding) + padding;
  const grid = rasterImage(width, height, c as Channels, [options.padValue ?? 0]);
  const scale = 255 / (high - low);
  const src = images.data;
  for (let k = 0; k < n; k++) {
    const x0 = padding + (k % columns) * (w + padding), y0 = padding + Math.floor(k / columns) * (h + padding);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = src[((k * c + ch) * h + y) * w + x]!;
          // NaN shows as 0; values are clipped to the range.
          const byte = Number.isNaN(v) ? 0 : Math.round(Math.min(255, Math.max(0, (v - low) * scale)));
          grid.data[((y0 + y) * width + x0 + x) * c + ch] = byte;
        }
      }
    }
  }
  return grid;
}

/** Tiles an engine tensor of images [N, C, H, W] into one image (see `imageGridFromHost`). */
export async function imageGrid(images: Tensor, options: ImageGridOptions = {}): Promise<RasterImage> {
  return imageGridFromHost(await toHost(images), options);
}
