// A small PNG encoder (PNG specification, 2nd edition): 8-bit gray, RGB or RGBA, non-interlaced; each
// scanline gets the filter (None, Sub, Up, Average, Paeth) with the least sum of absolute residuals, the
// usual heuristic (§12.8); the filtered bytes are compressed with Node's zlib and every chunk carries its
// CRC-32. Writing a PNG replaces the file atomically. Node only (zlib).
import { deflateSync } from "node:zlib";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
import { ioError } from "./io-error.js";
import { paeth, pngChunk, pngSignature } from "./png-chunks.js";
import type { RasterImage } from "./raster-image.js";

const colorTypes = { 1: 0, 3: 2, 4: 6 } as const;

/** Filters one scanline with filter `type` into `out` (without the type byte). */
function filterRow(type: number, row: Uint8Array, prior: Uint8Array, bpp: number, out: Uint8Array): void {
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0, b = prior[i]!, c = i >= bpp ? prior[i - bpp]! : 0;
    const predicted = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
    out[i] = (row[i]! - predicted) & 0xff;
  }
}

function residualCost(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]! < 128 ? bytes[i]! : 256 - bytes[i]!;
  return sum;
}

/** Checks an image's size and data length; returns a problem or null. */
function checkImage(image: RasterImage): string | null {
  const { width, height, channels, data } = image;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    return `size ${width}×${height} is not a positive integer size`;
  }
  if (!(channels in colorTypes)) return `${channels} channels; PNG images here have 1 (gray), 3 (RGB) or 4 (RGBA)`;
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    return `${data?.length} bytes for ${width}×${height}×${channels}; they must match`;
  }
  return null;
}

/** Encodes an 8-bit image as PNG bytes; throws a RangeError for an inconsistent image. */
export function encodePng(image: RasterImage): Uint8Array {
  const problem = checkImage(image);
  if (problem) throw new RangeError(`encodePng: ${problem}`);
  const { width, height, channels, data } = image;
  const stride = width * channels;
  const filtered = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  let prior: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    let bestType = 0, bestCost = Infinity;
    for (let type = 0; type < 5; type++) {
      filterRow(type, row, prior, channels, candidate);
      const cost = residualCost(candidate);
      if (cost < bestCost) (bestCost = cost), (bestType = type);
    }
    const at = y * (stride + 1);
    filtered[at] = bestType;
    filterRow(bestType, row, prior, channels, filtered.subarray(at + 1, at + 1 + stride));
    prior = row;
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, colorTypes[channels], 0, 0, 0], 8);
  const parts = [pngSignature, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(filtered, { level: 9 })), pngChunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Encodes `image` and writes it to `file` atomically; rejects with an `IoError`. */
export async function writePng(file: string, image: RasterImage, options: AtomicWriteOptions = {}): Promise<void> {
  const problem = checkImage(image);
  if (problem) throw ioError("invalid-argument", file, `cannot write the image: ${problem}`);
  await writeFileAtomic(file, [encodePng(image)], options);
}
