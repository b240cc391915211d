// PNG images for datasets (Node only: zlib), decoded by `@scm-ts/io` — the one PNG decoder, which checks
// every chunk and bounds inflation by the size the image declares — and presented as this package's
// `DecodedImage` (pixels row-major with interleaved channels), with io's errors thrown as `DataError`s of
// the same message ("unsupported" for palette, 16-bit or interlaced images, "format" for corrupt ones).
import type { RasterImage } from "@scm-ts/io";
import { decodePng as decodeWithIo } from "@scm-ts/io/node";
import { carryIoError } from "./data-error.js";
import type { DecodedImage } from "./decoded-image.js";

/** Decodes an 8-bit greyscale/RGB/RGBA non-interlaced PNG; throws a `DataError` whose message starts with `source`. */
export function decodePng(bytes: Uint8Array, source: string): DecodedImage {
  let image: RasterImage;
  try {
    image = decodeWithIo(bytes, source);
  } catch (e) {
    throw carryIoError(e);
  }
  const { width, height, channels, data } = image;
  return { width, height, channels, pixels: data };
}
