// PNG encoding and decoding with the one encoder and decoder: CRC-32 has the standard check value; the
// decoder undoes each of the five row filters on hand-computed scanlines (an answer independent of the
// encoder); gray, RGB and RGBA images of odd sizes, random and structured so that every filter gets
// chosen, survive encode → decode exactly; inconsistent images are refused by the writer.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { fcParams, settle } from "@scm-ts/testing";
import { crc32 } from "./crc32.js";
import { pngChunk, pngSignature } from "./png-chunks.js";
import { decodePng } from "./png-decode.js";
import { encodePng, writePng } from "./png-encode.js";
import type { Channels, RasterImage } from "./raster-image.js";
import { IoError } from "./io-error.js";

const decoded = (bytes: Uint8Array): RasterImage => decodePng(bytes, "test.png");

/** The filter type of each row of an encoded image (encodePng writes one IDAT right after IHDR). */
function filterTypes(png: Uint8Array, image: RasterImage): number[] {
  const length = new DataView(png.buffer, png.byteOffset).getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  const stride = image.width * image.channels + 1;
  return Array.from({ length: image.height }, (_, y) => raw[y * stride]!);
}

describe("PNG", () => {
  it("CRC-32 gives the standard check value of \"123456789\"", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode("6789"), crc32(new TextEncoder().encode("12345")))).toBe(0xcbf43926);
  });

  it("the decoder undoes each row filter on hand-computed scanlines", () => {
    // A 3×5 grey image: row 0 None, then Sub, Up, Average, Paeth (§9.2–9.4), filtered bytes chosen by hand.
    // Row 0 (None):    10 20 30
    // Row 1 (Sub):     5, 3+5=8, 250+8=258→2                (each byte adds its left neighbour a)
    // Row 2 (Up):      5+5=10, 1+8=9, 0+2=2                 (each byte adds the byte above b)
    // Row 3 (Average): 4+⌊(0+10)/2⌋=9, 1+⌊(9+9)/2⌋=10, 2+⌊(10+2)/2⌋=8
    // Row 4 (Paeth, p = a + b − c):
    //   x=0: a=0, b=9, c=0   → p=9,  |p−a|=9, |p−b|=0, |p−c|=9 → b: 1+9=10
    //   x=1: a=10, b=10, c=9 → p=11, |p−a|=1, |p−b|=1, |p−c|=2 → a (ties go to a): 2+10=12
    //   x=2: a=12, b=8, c=10 → p=10, |p−a|=2, |p−b|=2, |p−c|=0 → c: 3+10=13
    const raw = Uint8Array.of(0, 10, 20, 30, 1, 5, 3, 250, 2, 5, 1, 0, 3, 4, 1, 2, 4, 1, 2, 3);
    const ihdr = new Uint8Array(13);
    new DataView(ihdr.buffer).setUint32(0, 3);
    new DataView(ihdr.buffer).setUint32(4, 5);
    ihdr.set([8, 0, 0, 0, 0], 8);
    const png = Buffer.concat([pngSignature, pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", new Uint8Array(0))]);
    const image = decoded(png);
    expect([image.width, image.height, image.channels]).toEqual([3, 5, 1]);
    expect([...image.data]).toEqual([10, 20, 30, 5, 8, 2, 10, 9, 2, 9, 10, 8, 10, 12, 13]);
  });

  it("random images of every channel count survive encode → decode exactly, using every filter", () => {
    const imageArb = fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 13 }), fc.constantFrom<Channels>(1, 3, 4)).chain(([w, h, c]) =>
      fc.oneof(
        fc.uint8Array({ minLength: w * h * c, maxLength: w * h * c }),
        // Smooth gradients and flat areas favour the Sub, Up, Average and Paeth filters.
        fc.integer({ min: 0, max: 255 }).map((s) => Uint8Array.from({ length: w * h * c }, (_, i) => (s + 3 * (i % (w * c)) + 5 * Math.floor(i / (w * c))) & 0xff)),
      ).map((data): RasterImage => ({ width: w, height: h, channels: c, data })),
    );
    const used = new Set<number>();
    fc.assert(
      fc.property(imageArb, (image) => {
        const png = encodePng(image);
        filterTypes(png, image).forEach((t) => used.add(t));
        const back = decoded(png);
        expect([back.width, back.height, back.channels]).toEqual([image.width, image.height, image.channels]);
        expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
      }),
      fcParams(80),
    );
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("writes files atomically and refuses inconsistent images", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-png-")), "a.png");
    const image: RasterImage = { width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 0, 255) };
    await writePng(file, image);
    expect([...decoded(new Uint8Array(readFileSync(file))).data]).toEqual([255, 0, 0, 0, 0, 255]);
    const bad = await settle(writePng(file, { ...image, data: new Uint8Array(5) }), IoError);
    expect(E.isLeft(bad) && bad.left.message).toMatch(/a\.png: cannot write the image: 5 bytes for 2×1×3/);
    expect(() => encodePng({ width: 1, height: 1, channels: 2 as Channels, data: new Uint8Array(2) })).toThrow(/2 channels/);
  });
});
