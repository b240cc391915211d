// A user's own image dataset from a folder of PNG files (Node only): every *.png directly inside the
// folder, in name order, read and decoded by `@scm-ts/io` (regular files only; 8-bit grey/RGB/RGBA),
// checked to share one size and channel count, and stacked as [N, C, H, W] float32 in [−1, 1]
// (decoded-image.ts). Every failure is a `DataError` that names the offending file.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readRegularFile } from "@scm-ts/io/node";
import type { ArrayDataset } from "./array-dataset.js";
import { carryIoError, dataError, ioError } from "./data-error.js";
import { stackImages, type PngFolderOptions } from "./decoded-image.js";
import { decodePng } from "./png-decoder.js";

/** Loads every PNG directly inside `folder` (name order) as an [N, C, H, W] dataset in [−1, 1]; rejects with a `DataError`. */
export async function loadPngFolder(folder: string, options: PngFolderOptions = {}): Promise<ArrayDataset> {
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
      let bytes: Uint8Array;
      try {
        bytes = await readRegularFile(file);
      } catch (e) {
        throw carryIoError(e);
      }
      return { file, image: decodePng(bytes, file) };
    }),
  );
  return stackImages(images, options);
}
