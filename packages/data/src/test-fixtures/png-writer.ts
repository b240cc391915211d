// A tiny PNG encoder for tests (not part of the public surface): the signature, IHDR, one or more IDAT
// chunks of zlib-deflated rows, IEND, each chunk with its CRC. Each row is filtered with a chosen filter type
// (cycling through all five by default) so that decoding exercises every unfiltering rule. The IHDR fields
// can be set freely (bit depth, colour type, interlace) to build files the decoder must refuse.
import { deflateSync } from "node:zlib";
import { crc32 } from "../crc32.js";

/** What to encode. `pixels` holds height rows of width·bytesPerPixel bytes (8-bit samples). */
export interface PngToWrite {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colourType: number;
  /** Row bytes, top to bottom. */
  readonly pixels: Uint8Array;
  /** Bytes per pixel used for filtering (default from the colour type at 8 bits). */
  readonly bytesPerPixel?: number;
  /** IHDR bit depth (default 8). */
  readonly bitDepth?: number;
  /** IHDR interlace method (default 0). */
  readonly interlace?: number;
  /** The filter type of row y is filters[y % filters.length] (default [0, 1, 2, 3, 4]). */
  readonly filters?: readonly number[];
  /** Split the compressed data into this many IDAT chunks (default 2). */
  readonly idatChunks?: number;
}

const defaultBpp: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The bytes of a PNG file for `image`. */
export function writePng(image: PngToWrite): Uint8Array {
  const bpp = image.bytesPerPixel ?? defaultBpp[image.colourType] ?? 1;
  const stride = image.width * bpp;
  const filters = image.filters ?? [0, 1, 2, 3, 4];
  const raw = new Uint8Array(image.height * (stride + 1));
  for (let y = 0; y < image.height; y++) {
    const filter = filters[y % filters.length]!;
    raw[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const x = image.pixels[y * stride + i]!;
      const a = i >= bpp ? image.pixels[y * stride + i - bpp]! : 0;
      const b = y > 0 ? image.pixels[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? image.pixels[(y - 1) * stride + i - bpp]! : 0;
      const predicted = filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
      raw[y * (stride + 1) + 1 + i] = (x - predicted) & 0xff;
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, image.width);
  view.setUint32(4, image.height);
  header.set([image.bitDepth ?? 8, image.colourType, 0, 0, image.interlace ?? 0], 8);
  const compressed = deflateSync(raw);
  const parts = Math.max(1, Math.min(image.idatChunks ?? 2, compressed.length));
  const size = Math.ceil(compressed.length / parts);
  const idats: Uint8Array[] = [];
  for (let at = 0; at < compressed.length; at += size) idats.push(chunk("IDAT", compressed.subarray(at, at + size)));
  const pieces = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk("IHDR", header), ...idats, chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
