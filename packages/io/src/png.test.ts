// The PNG encoder: its CRC-32 matches the standard check value, and gray, RGB and RGBA images of odd
// sizes (random and structured pixels, so every scanline filter gets chosen) decode back exactly with an
// independent decoder; inconsistent images are refused.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { fcParams } from "@scm-ts/testing";
import { crc32 } from "./crc32.js";
import { encodePng, writePng } from "./png-encode.js";
import { decodePng } from "./png-decode.test-support.js";
import type { Channels, RasterImage } from "./raster-image.js";

describe("PNG encoding", () => {
  it("CRC-32 gives the standard check value of \"123456789\"", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode("6789"), crc32(new TextEncoder().encode("12345")))).toBe(0xcbf43926);
  });

  it("random images of every channel count decode back exactly", () => {
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
        const back = decodePng(encodePng(image));
        back.filterTypes.forEach((t) => used.add(t));
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
    expect(E.isRight(await writePng(file, image)())).toBe(true);
    expect([...decodePng(new Uint8Array(readFileSync(file))).data]).toEqual([255, 0, 0, 0, 0, 255]);
    const bad = await writePng(file, { ...image, data: new Uint8Array(5) })();
    expect(E.isLeft(bad) && bad.left.message).toMatch(/a\.png: cannot write the image: 5 bytes for 2×1×3/);
    expect(() => encodePng({ width: 1, height: 1, channels: 2 as Channels, data: new Uint8Array(2) })).toThrow(/2 channels/);
  });
});
