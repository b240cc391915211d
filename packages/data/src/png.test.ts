// PNG decoding and PNG-folder datasets: grey, RGB and RGBA images written with every row filter round-trip
// exactly (the test encoder was cross-checked once against an independent decoder); CRC-32 has its check
// value; a folder loads as [N, C, H, W] in [−1, 1] in name order; and bad input — not a PNG, a corrupt
// chunk, a truncated file, palette/16-bit/interlaced images, mixed sizes, an empty or missing folder — is
// refused with the file named and what was found.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ArrayDataset } from "./array-dataset.js";
import { crc32 } from "./crc32.js";
import type { DataError } from "./data-error.js";
import { decodePng, type DecodedImage } from "./png-decoder.js";
import { loadPngFolder, type PngFolderOptions } from "./png-folder.js";
import { writePng } from "./test-fixtures/png-writer.js";

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

function decoded(bytes: Uint8Array): DecodedImage {
  const image = decodePng(bytes, "test.png");
  if (E.isLeft(image)) throw image.left;
  return image.right;
}

function refusal(bytes: Uint8Array): DataError {
  const image = decodePng(bytes, "bad.png");
  if (E.isRight(image)) throw new Error("expected the PNG to be refused");
  return image.left;
}

describe("decodePng", () => {
  test("CRC-32 has the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  test.each([
    [0, 1],
    [2, 3],
    [6, 4],
  ] as const)("colour type %i round-trips exactly through all five row filters", (colourType, channels) => {
    for (const [width, height] of [[1, 1], [7, 5], [16, 9]] as const) {
      const pixels = pattern(width * height * channels, colourType + width);
      const image = decoded(writePng({ width, height, colourType, pixels, idatChunks: 3 }));
      expect([image.width, image.height, image.channels]).toEqual([width, height, channels]);
      expect(image.pixels).toEqual(pixels);
    }
  });

  test("refuses non-PNG bytes, corrupt chunks and truncation", () => {
    const good = writePng({ width: 4, height: 3, colourType: 2, pixels: pattern(36, 1) });
    expect(refusal(new TextEncoder().encode("GIF89a......")).message).toBe("bad.png: does not start with the PNG signature; it is not a PNG file");
    const flipped = good.slice();
    flipped[20] = flipped[20]! ^ 0xff; // inside IHDR's data
    expect(refusal(flipped).message).toMatch(/chunk IHDR at byte 8 fails its CRC check; the file is corrupt/);
    for (const cut of [8, 20, 40, good.length - 12, good.length - 1]) {
      const error = refusal(good.subarray(0, cut));
      expect(error.kind).toBe("format");
      expect(error.message).toMatch(/truncated/);
    }
  });

  test("refuses corrupt compressed data and a bad filter byte", () => {
    const width = 3, height = 2;
    // Replace the IDAT payload with bytes that are not zlib: rebuild via the writer with a tampered IDAT.
    const good = writePng({ width, height, colourType: 0, pixels: pattern(6, 2), idatChunks: 1 });
    const tampered = good.slice();
    const idatAt = 8 + 25; // signature, then IHDR (12 + 13 bytes)
    const length = new DataView(tampered.buffer).getUint32(idatAt);
    tampered.fill(0x55, idatAt + 8, idatAt + 8 + length);
    new DataView(tampered.buffer).setUint32(idatAt + 8 + length, crc32(tampered.subarray(idatAt + 4, idatAt + 8 + length)));
    expect(refusal(tampered).message).toMatch(/the compressed image data is corrupt \(zlib: /);
    expect(refusal(writePng({ width, height, colourType: 0, pixels: pattern(6, 2), filters: [0, 9] })).message).toMatch(/row 1 has filter type 9; PNG defines 0–4/);
  });

  test("refuses palette, grey+alpha, 16-bit and interlaced images, saying how to convert", () => {
    const palette = refusal(writePng({ width: 2, height: 2, colourType: 3, pixels: pattern(4, 0) }));
    expect(palette.kind).toBe("unsupported");
    expect(palette.message).toMatch(/is a palette \(indexed\) PNG; only 8-bit greyscale, RGB and RGBA are supported/);
    expect(refusal(writePng({ width: 2, height: 2, colourType: 4, pixels: pattern(8, 0) })).message).toMatch(/greyscale with alpha PNG/);
    expect(refusal(writePng({ width: 2, height: 2, colourType: 2, bitDepth: 16, bytesPerPixel: 6, pixels: pattern(24, 0) })).message).toMatch(/bit depth 16; only 8-bit/);
    expect(refusal(writePng({ width: 2, height: 2, colourType: 2, interlace: 1, pixels: pattern(12, 0) })).message).toMatch(/is interlaced \(Adam7\)/);
  });
});

async function loadFolder(folder: string, options: PngFolderOptions = {}): Promise<E.Either<DataError, ArrayDataset>> {
  return loadPngFolder(folder, options)();
}

describe("loadPngFolder", () => {
  test("stacks the PNGs of a folder in name order as [N, C, H, W] in [−1, 1], ignoring other files", async () => {
    const folder = join(root, "rgb");
    await mkdir(folder);
    const pictures = [pattern(4 * 3 * 3, 1), pattern(4 * 3 * 3, 2)];
    await writeFile(join(folder, "b.png"), writePng({ width: 4, height: 3, colourType: 2, pixels: pictures[1]! }));
    await writeFile(join(folder, "a.PNG"), writePng({ width: 4, height: 3, colourType: 2, pixels: pictures[0]! }));
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
    await writeFile(join(folder, "x.png"), writePng({ width: 2, height: 2, colourType: 6, pixels: pattern(16, 3) }));
    const four = await loadFolder(folder);
    expect(E.isRight(four) && four.right.shape).toEqual([1, 4, 2, 2]);
    const three = await loadFolder(folder, { dropAlpha: true });
    if (E.isLeft(three)) throw three.left;
    expect(three.right.shape).toEqual([1, 3, 2, 2]);
    expect(three.right.values[0]).toBeCloseTo(pattern(16, 3)[0]! / 127.5 - 1, 6);
    const grey = join(root, "grey");
    await mkdir(grey);
    await writeFile(join(grey, "g.png"), writePng({ width: 5, height: 1, colourType: 0, pixels: Uint8Array.of(0, 255, 128, 1, 2) }));
    const g = await loadFolder(grey);
    if (E.isLeft(g)) throw g.left;
    expect(g.right.shape).toEqual([1, 1, 1, 5]);
    expect(Array.from(g.right.values.slice(0, 2))).toEqual([-1, 1]);
  });

  test("refuses mixed sizes or channels, an unexpected shape, a bad PNG, an empty or missing folder — naming the file", async () => {
    const folder = join(root, "mixed");
    await mkdir(folder);
    await writeFile(join(folder, "1.png"), writePng({ width: 4, height: 4, colourType: 0, pixels: pattern(16, 0) }));
    await writeFile(join(folder, "2.png"), writePng({ width: 4, height: 5, colourType: 0, pixels: pattern(20, 0) }));
    const mixed = await loadFolder(folder);
    expect(E.isLeft(mixed) && mixed.left.message).toBe(
      `${join(folder, "2.png")}: decodes to [C, H, W] = [1, 5, 4] but the first image, ${join(folder, "1.png")}, is [1, 4, 4]; all images must share one size and channel count`,
    );
    const single = join(root, "single");
    await mkdir(single);
    await writeFile(join(single, "1.png"), writePng({ width: 4, height: 4, colourType: 0, pixels: pattern(16, 0) }));
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
