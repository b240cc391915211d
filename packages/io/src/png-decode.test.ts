// The PNG decoder under bad input, each file built here from chunks: bytes that are not PNG, a corrupt
// chunk, truncation anywhere, corrupt compressed data, an unknown row filter, the unsupported kinds
// (palette, grey+alpha, 16-bit, interlaced) with how to convert them, and the size bounds — an image whose
// IHDR claims more than the limit is refused before inflating, and a small file whose data inflates far
// past what its IHDR implies (a "zip bomb") is stopped at that size, not inflated to the end.
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { pngChunk, pngSignature } from "./png-chunks.js";
import { decodePng } from "./png-decode.js";
import { encodePng } from "./png-encode.js";
import { attempt } from "@scm-ts/testing";
import { IoError } from "./io-error.js";

interface Ihdr {
  readonly width: number;
  readonly height: number;
  readonly bitDepth?: number;
  readonly colourType: number;
  readonly interlace?: number;
}

/** A PNG of the given IHDR fields whose IDAT holds `raw` (filter bytes and samples) deflated. */
function png(h: Ihdr, raw: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, h.width);
  view.setUint32(4, h.height);
  ihdr.set([h.bitDepth ?? 8, h.colourType, 0, 0, h.interlace ?? 0], 8);
  return Buffer.concat([pngSignature, pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(raw)), pngChunk("IEND", new Uint8Array(0))]);
}

function refusal(bytes: Uint8Array): IoError {
  const image = attempt(() => decodePng(bytes, "bad.png"), IoError);
  if (E.isRight(image)) throw new Error("expected the PNG to be refused");
  return image.left;
}

const good = encodePng({ width: 4, height: 3, channels: 3, data: Uint8Array.from({ length: 36 }, (_, i) => (i * 37) & 0xff) });

describe("decodePng refuses", () => {
  it("non-PNG bytes, a corrupt chunk and truncation anywhere", () => {
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

  it("corrupt compressed data, an unknown row filter, a zero size, a missing IHDR or IDAT", () => {
    const tampered = good.slice();
    const length = new DataView(tampered.buffer).getUint32(33);
    tampered.fill(0x55, 41, 41 + length);
    new DataView(tampered.buffer).setUint32(41 + length, new DataView(pngChunk("IDAT", tampered.subarray(41, 41 + length)).buffer).getUint32(8 + length));
    expect(refusal(tampered).message).toMatch(/the compressed image data is corrupt \(zlib: /);
    expect(refusal(png({ width: 3, height: 2, colourType: 0 }, Uint8Array.of(0, 1, 2, 3, 9, 1, 2, 3))).message).toMatch(/row 1 has filter type 9; PNG defines 0–4/);
    expect(refusal(png({ width: 0, height: 2, colourType: 0 }, Uint8Array.of(0, 0))).message).toMatch(/declares a 0×2 image/);
    expect(refusal(Buffer.concat([pngSignature, pngChunk("IEND", new Uint8Array(0))])).message).toMatch(/the first chunk is IEND, not IHDR/);
    const noData = Buffer.concat([good.subarray(0, 33), pngChunk("IEND", new Uint8Array(0))]);
    expect(refusal(noData).message).toMatch(/has no IDAT chunk/);
    expect(refusal(png({ width: 3, height: 2, colourType: 0 }, Uint8Array.of(0, 1, 2, 3))).message).toMatch(/inflates to 4 bytes but a 3×2 greyscale image needs 8/);
  });

  it("palette, grey+alpha, 16-bit and interlaced images, saying how to convert", () => {
    const palette = refusal(png({ width: 2, height: 2, colourType: 3 }, new Uint8Array(6)));
    expect(palette.kind).toBe("unsupported");
    expect(palette.message).toMatch(/is a palette \(indexed\) PNG; only 8-bit greyscale, RGB and RGBA are supported/);
    expect(refusal(png({ width: 2, height: 2, colourType: 4 }, new Uint8Array(10))).message).toMatch(/greyscale with alpha PNG/);
    expect(refusal(png({ width: 2, height: 2, colourType: 2, bitDepth: 16 }, new Uint8Array(26))).message).toMatch(/bit depth 16; only 8-bit/);
    expect(refusal(png({ width: 2, height: 2, colourType: 2, interlace: 1 }, new Uint8Array(14))).message).toMatch(/is interlaced \(Adam7\)/);
  });

  it("an image larger than the limit, before inflating anything", () => {
    // 100 000 × 100 000 RGBA is 4·10¹⁰ bytes; the IDAT here is a few bytes of nothing.
    const huge = refusal(png({ width: 100_000, height: 100_000, colourType: 6 }, new Uint8Array(1)));
    expect(huge.kind).toBe("unsupported");
    expect(huge.message).toMatch(/declares a 100000×100000 RGBA image \(40000100000 bytes of image data\), more than the 134217728-byte limit/);
    const small = attempt(() => decodePng(png({ width: 4, height: 4, colourType: 0 }, new Uint8Array(20)), "small.png", { maxImageBytes: 19 }), IoError);
    expect(E.isLeft(small) && small.left.message).toMatch(/more than the 19-byte limit/);
  });

  it("data that inflates far past what IHDR implies, stopping at that size", () => {
    // 28×28 grey needs 28·29 = 812 bytes; this IDAT inflates to 32 MiB (it compresses ~1000:1).
    const bomb = png({ width: 28, height: 28, colourType: 0 }, new Uint8Array(32 * 2 ** 20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const error = refusal(bomb);
    expect(error.kind).toBe("format");
    expect(error.message).toBe("bad.png: the image data inflates to more than the 812 bytes a 28×28 greyscale image needs; the file is corrupt or hostile");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 2 ** 20);
  });
});
