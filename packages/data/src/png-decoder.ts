// PNG images for datasets, decoded by `@scm-ts/io` — the one PNG decoder, which checks every chunk and
// bounds inflation by the size the image declares — and presented as this package's `DecodedImage`
// (pixels row-major with interleaved channels), with io's errors as `DataError`s of the same message
// ("unsupported" for palette, 16-bit or interlaced images, "format" for corrupt ones).
import * as E from "fp-ts/lib/Either.js";
import { decodePng as decodeWithIo } from "@scm-ts/io";
import { fromIoError, type DataError } from "./data-error.js";

/** The eight bytes every PNG file starts with. */
export { pngSignature } from "@scm-ts/io";

/** A decoded image: rows top to bottom, pixels left to right, channels interleaved. */
export interface DecodedImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: 1 | 3 | 4;
  /** height·width·channels bytes, row-major HWC. */
  readonly pixels: Uint8Array;
}

/** Decodes an 8-bit greyscale/RGB/RGBA non-interlaced PNG; `source` names the bytes in errors. */
export function decodePng(bytes: Uint8Array, source: string): E.Either<DataError, DecodedImage> {
  const image = decodeWithIo(bytes, source);
  if (E.isLeft(image)) return E.left(fromIoError(image.left));
  const { width, height, channels, data } = image.right;
  return E.right({ width, height, channels, pixels: data });
}
