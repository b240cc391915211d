// Decoded images and their stacking into a dataset: images of one size and channel count become
// [N, C, H, W] float32 in [−1, 1] (x = p/127.5 − 1, the EDM/paper image convention, for which σ_d ≈ 0.5 is
// the usual choice; the measured value is `datasetStatistics(…).std`). Decoding PNG files is
// png-decoder.ts and reading a folder png-folder.ts (both Node only).
import { arrayDataset, type ArrayDataset } from "./array-dataset.js";
import { dataError } from "./data-error.js";

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

/** Options of `loadPngFolder`. */
export interface PngFolderOptions {
  /** Drop the alpha channel of RGBA images (default false: RGBA gives 4 channels). */
  readonly dropAlpha?: boolean;
  /** The shape [C, H, W] every image must have after decoding (any shared shape when omitted). */
  readonly exampleShape?: readonly [number, number, number];
}

/** The [C, H, W] of a decoded image after the alpha option. */
function shapeOf(image: DecodedImage, dropAlpha: boolean): [number, number, number] {
  return [dropAlpha && image.channels === 4 ? 3 : image.channels, image.height, image.width];
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Stacks decoded images (all of one shape) as [N, C, H, W] values in [−1, 1]; throws a `DataError` ("shape") naming an image that differs. */
export function stackImages(images: readonly { readonly file: string; readonly image: DecodedImage }[], options: PngFolderOptions = {}): ArrayDataset {
  const dropAlpha = options.dropAlpha ?? false;
  const first = images[0];
  if (first === undefined) throw dataError("argument", "stackImages", "no images to stack");
  const shape = options.exampleShape ?? shapeOf(first.image, dropAlpha);
  const [C, H, W] = shape;
  for (const { file, image } of images) {
    const found = shapeOf(image, dropAlpha);
    if (found.some((n, i) => n !== shape[i])) {
      const why = options.exampleShape === undefined ? `the first image, ${first.file}, is ${fmt(shape)}; all images must share one size and channel count` : `the expected shape is ${fmt(shape)}`;
      throw dataError("shape", file, `decodes to [C, H, W] = ${fmt(found)} but ${why}`);
    }
  }
  const values = new Float32Array(images.length * C * H * W);
  images.forEach(({ image }, n) => {
    const stride = image.channels;
    for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) {
      values[((n * C + c) * H * W) + p] = image.pixels[p * stride + c]! / 127.5 - 1;
    }
  });
  return arrayDataset(values, [images.length, C, H, W]);
}

