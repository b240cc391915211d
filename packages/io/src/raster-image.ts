// Raster images in host memory: 8-bit gray, RGB or RGBA pixels, row-major with interleaved channels,
// the common currency of the PNG encoder, the image grids and the plots.

/** Channels per pixel: 1 gray, 3 RGB, 4 RGBA. */
export type Channels = 1 | 3 | 4;

/** An 8-bit image: pixel (x, y) channel c is data[(y·width + x)·channels + c]. */
export interface RasterImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** Channels per pixel. */
  readonly channels: Channels;
  /** The pixels, width·height·channels bytes. */
  readonly data: Uint8Array;
}

/** A new image filled with one value per channel (e.g. [255, 255, 255] for white RGB). */
export function rasterImage(width: number, height: number, channels: Channels, fill: readonly number[] = [0]): RasterImage {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`rasterImage: size ${width}×${height} must be positive integers`);
  }
  const data = new Uint8Array(width * height * channels);
  if (fill.some((v) => v !== 0)) {
    for (let i = 0; i < data.length; i++) data[i] = fill[(i % channels) % fill.length]!;
  }
  return { width, height, channels, data };
}
