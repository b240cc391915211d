// A user's own image dataset from a folder of PNG files: every *.png directly inside the folder, in name
// order, read and decoded by `@scm-ts/io` (regular files only; 8-bit grey/RGB/RGBA), checked to share one
// size and channel count, and stacked as [N, C, H, W] float32 in [−1, 1] (x = p/127.5 − 1, the EDM/paper
// image convention, for which σ_d ≈ 0.5 is the usual choice; the measured value is
// `datasetStatistics(…).std`). Every failure is a `DataError` that names the offending file.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { arrayDataset, type ArrayDataset } from "./array-dataset.js";
import { readRegularFile } from "@scm-ts/io";
import { DataError, dataError, fromIoError, ioError } from "./data-error.js";
import { decodePng, type DecodedImage } from "./png-decoder.js";

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

/** Stacks decoded images (all of one shape) as [N, C, H, W] values in [−1, 1]; the pure part of `loadPngFolder`. */
export function stackImages(images: readonly { readonly file: string; readonly image: DecodedImage }[], options: PngFolderOptions = {}): E.Either<DataError, ArrayDataset> {
  const dropAlpha = options.dropAlpha ?? false;
  const first = images[0];
  if (first === undefined) return E.left(dataError("argument", "stackImages", "no images to stack"));
  const shape = options.exampleShape ?? shapeOf(first.image, dropAlpha);
  const [C, H, W] = shape;
  for (const { file, image } of images) {
    const found = shapeOf(image, dropAlpha);
    if (found.some((n, i) => n !== shape[i])) {
      const why = options.exampleShape === undefined ? `the first image, ${first.file}, is ${fmt(shape)}; all images must share one size and channel count` : `the expected shape is ${fmt(shape)}`;
      return E.left(dataError("shape", file, `decodes to [C, H, W] = ${fmt(found)} but ${why}`));
    }
  }
  const values = new Float32Array(images.length * C * H * W);
  images.forEach(({ image }, n) => {
    const stride = image.channels;
    for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) {
      values[((n * C + c) * H * W) + p] = image.pixels[p * stride + c]! / 127.5 - 1;
    }
  });
  return E.right(arrayDataset(values, [images.length, C, H, W]));
}

async function load(folder: string, options: PngFolderOptions): Promise<ArrayDataset> {
  let names: string[];
  try {
    names = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile() && /\.png$/i.test(e.name)).map((e) => e.name);
  } catch (cause) {
    throw ioError(folder, cause);
  }
  names.sort();
  if (names.length === 0) throw dataError("io", folder, "contains no .png files; put the images directly in this folder");
  const images = await Promise.all(
    names.map(async (name) => {
      const file = join(folder, name);
      const bytes = await readRegularFile(file)();
      if (E.isLeft(bytes)) throw fromIoError(bytes.left);
      const image = decodePng(bytes.right, file);
      if (E.isLeft(image)) throw image.left;
      return { file, image: image.right };
    }),
  );
  const stacked = stackImages(images, options);
  if (E.isLeft(stacked)) throw stacked.left;
  return stacked.right;
}

/** Loads every PNG directly inside `folder` (name order) as an [N, C, H, W] dataset in [−1, 1]. */
export function loadPngFolder(folder: string, options: PngFolderOptions = {}): TE.TaskEither<DataError, ArrayDataset> {
  return TE.tryCatch(
    () => load(folder, options),
    (cause) => (cause instanceof DataError ? cause : dataError("io", folder, String(cause))),
  );
}
