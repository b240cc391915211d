// PNG datasets: `decodePng` hands back @scm-ts/io's decoding (which owns the format and its tests) as a
// `DecodedImage`, with io's refusals as `DataError`s of the right kind and the same message, including
// the bound on inflation; a folder loads as [N, C, H, W] in [−1, 1] in name order; and bad input — not a
// PNG, mixed sizes, an unexpected shape, an empty or missing folder — is refused with the file named.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pngChunk, pngSignature } from "@scm-ts/io";
import { encodePng } from "@scm-ts/io/node";
import type { ArrayDataset } from "./array-dataset.js";
import { decodePng } from "./png-decoder.js";
import type { PngFolderOptions } from "./decoded-image.js";
import { loadPngFolder } from "./png-folder.js";
import { attempt, settle } from "@scm-ts/testing";
import { DataError } from "./data-error.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "scm-data-png-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 37 + seed * 101 + ((i * i) >> 3)) & 0xff);
}

/** The PNG of an 8-bit image of `channels` (1, 3 or 4) whose pixels are `data`. */
function writePng(width: number, height: number, channels: 1 | 3 | 4, data: Uint8Array): Uint8Array {
  return encodePng({ width, height, channels, data });
}

/** A PNG whose IHDR says `colourType` and whose IDAT inflates to `raw`. */
function rawPng(width: number, height: number, colourType: number, raw: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([pngSignature, pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", new Uint8Array(0))]);
}

function refusal(bytes: Uint8Array): DataError {
  const image = attempt(() => decodePng(bytes, "bad.png"), DataError);
  if (E.isRight(image)) throw new Error("expected the PNG to be refused");
  return image.left;
}

describe("decodePng", () => {
  test("gives grey, RGB and RGBA pixels back as a DecodedImage", () => {
    for (const channels of [1, 3, 4] as const) {
      const pixels = pattern(7 * 5 * channels, channels);
      const image = decodePng(writePng(7, 5, channels, pixels), "test.png");
      expect([image.width, image.height, image.channels]).toEqual([7, 5, channels]);
      expect(image.pixels).toEqual(pixels);
    }
  });

  test("refusals keep io's message and map to data's kinds", () => {
    const notPng = refusal(new TextEncoder().encode("GIF89a......"));
    expect([notPng.kind, notPng.source, notPng.message]).toEqual(["format", "bad.png", "bad.png: does not start with the PNG signature; it is not a PNG file"]);
    expect(notPng).toBeInstanceOf(Error);
    const palette = refusal(rawPng(2, 2, 3, new Uint8Array(6)));
    expect(palette.kind).toBe("unsupported");
    expect(palette.message).toMatch(/^bad\.png: is a palette \(indexed\) PNG; only 8-bit greyscale, RGB and RGBA are supported/);
  });

  test("a small file that inflates far past its declared 28×28 is refused at that size", () => {
    const bomb = refusal(rawPng(28, 28, 0, new Uint8Array(16 * 2 ** 20)));
    expect(bomb.kind).toBe("format");
    expect(bomb.message).toBe("bad.png: the image data inflates to more than the 812 bytes a 28×28 greyscale image needs; the file is corrupt or hostile");
  });
});

function loadFolder(folder: string, options: PngFolderOptions = {}): Promise<E.Either<DataError, ArrayDataset>> {
  return settle(loadPngFolder(folder, options), DataError);
}

describe("loadPngFolder", () => {
  test("stacks the PNGs of a folder in name order as [N, C, H, W] in [−1, 1], ignoring other files", async () => {
    const folder = join(root, "rgb");
    await mkdir(folder);
    const pictures = [pattern(4 * 3 * 3, 1), pattern(4 * 3 * 3, 2)];
    await writeFile(join(folder, "b.png"), writePng(4, 3, 3, pictures[1]!));
    await writeFile(join(folder, "a.PNG"), writePng(4, 3, 3, pictures[0]!));
    await writeFile(join(folder, "notes.txt"), "not an image");
    const result = await loadFolder(folder);
    if (E.isLeft(result)) throw result.left;
    expect(result.right.shape).toEqual([2, 3, 3, 4]);
    pictures.forEach((pixels, n) => {
      for (let c = 0; c < 3; c++) for (let p = 0; p < 12; p++) {
        expect(result.right.values[(n * 3 + c) * 12 + p]).toBeCloseTo(pixels[p * 3 + c]! / 127.5 - 1, 6);
      }
    });
    expect(Math.min(...result.right.values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...result.right.values)).toBeLessThanOrEqual(1);
  });

  test("grey images give one channel; RGBA gives four, or three with dropAlpha", async () => {
    const folder = join(root, "rgba");
    await mkdir(folder);
    await writeFile(join(folder, "x.png"), writePng(2, 2, 4, pattern(16, 3)));
    const four = await loadFolder(folder);
    expect(E.isRight(four) && four.right.shape).toEqual([1, 4, 2, 2]);
    const three = await loadFolder(folder, { dropAlpha: true });
    if (E.isLeft(three)) throw three.left;
    expect(three.right.shape).toEqual([1, 3, 2, 2]);
    expect(three.right.values[0]).toBeCloseTo(pattern(16, 3)[0]! / 127.5 - 1, 6);
    const grey = join(root, "grey");
    await mkdir(grey);
    await writeFile(join(grey, "g.png"), writePng(5, 1, 1, Uint8Array.of(0, 255, 128, 1, 2)));
    const g = await loadFolder(grey);
    if (E.isLeft(g)) throw g.left;
    expect(g.right.shape).toEqual([1, 1, 1, 5]);
    expect(Array.from(g.right.values.slice(0, 2))).toEqual([-1, 1]);
  });

  test("refuses mixed sizes or channels, an unexpected shape, a bad PNG, an empty or missing folder — naming the file", async () => {
    const folder = join(root, "mixed");
    await mkdir(folder);
    await writeFile(join(folder, "1.png"), writePng(4, 4, 1, pattern(16, 0)));
    await writeFile(join(folder, "2.png"), writePng(4, 5, 1, pattern(20, 0)));
    const mixed = await loadFolder(folder);
    expect(E.isLeft(mixed) && mixed.left.message).toBe(
      `${join(folder, "2.png")}: decodes to [C, H, W] = [1, 5, 4] but the first image, ${join(folder, "1.png")}, is [1, 4, 4]; all images must share one size and channel count`,
    );
    const single = join(root, "single");
    await mkdir(single);
    await writeFile(join(single, "1.png"), writePng(4, 4, 1, pattern(16, 0)));
    const shape = await loadFolder(single, { exampleShape: [3, 4, 4] });
    expect(E.isLeft(shape) && shape.left.message).toBe(`${join(single, "1.png")}: decodes to [C, H, W] = [1, 4, 4] but the expected shape is [3, 4, 4]`);
    await writeFile(join(single, "2.png"), "definitely not a png");
    const bad = await loadFolder(single);
    expect(E.isLeft(bad) && bad.left.message).toBe(`${join(single, "2.png")}: does not start with the PNG signature; it is not a PNG file`);
    const empty = join(root, "empty");
    await mkdir(empty);
    const none = await loadFolder(empty);
    expect(E.isLeft(none) && none.left.message).toBe(`${empty}: contains no .png files; put the images directly in this folder`);
    const missing = await loadFolder(join(root, "missing"));
    expect(E.isLeft(missing) && missing.left.kind).toBe("io");
    expect(E.isLeft(missing) && missing.left.message).toMatch(/missing: no such file or folder/);
  });
});
