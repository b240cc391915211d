// A PNG decoder for what datasets need: 8-bit greyscale, RGB and RGBA, non-interlaced (PNG specification
// §11–§12). It checks the signature, every chunk's length and CRC, the IHDR fields, and that IEND ends the
// file; concatenates the IDAT chunks, inflates them with Node's zlib, and undoes the five row filters
// (None, Sub, Up, Average, Paeth). The size IHDR declares bounds everything: the image must fit
// `maxImageBytes`, and inflation stops as soon as it passes height·(1 + width·channels) bytes — so a
// small file whose data inflates to gigabytes (a "zip bomb") is refused having allocated no more than
// the image it claims to be. Palette or grey+alpha images, 1/2/4/16-bit depths and Adam7 interlacing are
// refused as "unsupported", saying how to convert them. Node only (zlib).
import { inflateSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { crc32 } from "./crc32.js";
import { ioError, orThrow, type IoError } from "./io-error.js";
import { paeth, pngSignature } from "./png-chunks.js";
import type { Channels, RasterImage } from "./raster-image.js";

/** The default cap on a decoded image's filtered bytes (128 MiB, e.g. 8192 × 4096 RGBA). */
export const defaultMaxImageBytes = 2 ** 27;

/** Options of `decodePng`. */
export interface PngDecodeOptions {
  /** Refuse images whose IHDR implies more than this many bytes of image data (default `defaultMaxImageBytes`). */
  readonly maxImageBytes?: number;
}

const channelsOfColourType: Readonly<Record<number, Channels>> = { 0: 1, 2: 3, 6: 4 };
const colourTypeNames: Readonly<Record<number, string>> = { 0: "greyscale", 2: "RGB", 3: "palette (indexed)", 4: "greyscale with alpha", 6: "RGBA" };

interface Header {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  readonly interlace: number;
}

// §9.2: each row is a filter byte then the filtered bytes; bpp = bytes per pixel.
function unfilter(source: string, data: Uint8Array, width: number, height: number, bpp: number): E.Either<IoError, Uint8Array> {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)]!;
    const row = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const at = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[at + i - bpp]! : 0;
      const b = y > 0 ? out[at - stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[at - stride + i - bpp]! : 0;
      let predicted: number;
      if (filter === 0) predicted = 0;
      else if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) predicted = paeth(a, b, c);
      else return E.left(ioError("format", source, `row ${y} has filter type ${filter}; PNG defines 0–4, so the image data is corrupt`));
      out[at + i] = (row[i]! + predicted) & 0xff;
    }
  }
  return E.right(out);
}

/** Walks the chunks: IHDR first, the IDAT payloads, and IEND, each length and CRC checked. */
function readChunks(bytes: Uint8Array, source: string): E.Either<IoError, { header: Header; idat: Uint8Array[] }> {
  const format = (detail: string): E.Either<IoError, never> => E.left(ioError("format", source, detail));
  if (bytes.length < 8 || pngSignature.some((b, i) => bytes[i] !== b)) return format("does not start with the PNG signature; it is not a PNG file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let header: Header | undefined;
  const idat: Uint8Array[] = [];
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) return format(`a chunk header at byte ${offset} is cut off; the file is truncated`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length) return format(`chunk ${type} at byte ${offset} declares ${length} data bytes but the file ends first; it is truncated`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) return format(`chunk ${type} at byte ${offset} fails its CRC check; the file is corrupt`);
    offset += 12 + length;
    if (header === undefined && type !== "IHDR") return format(`the first chunk is ${type}, not IHDR`);
    if (type === "IHDR") {
      if (length !== 13) return format(`IHDR has ${length} bytes instead of 13`);
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      header = { width: d.getUint32(0), height: d.getUint32(4), bitDepth: data[8]!, colourType: data[9]!, interlace: data[12]! };
      if (data[10] !== 0 || data[11] !== 0) return format(`IHDR has compression method ${data[10]} and filter method ${data[11]}; PNG defines only 0`);
    } else if (type === "IDAT") {
      idat.push(data);
    } else if (type === "IEND") {
      return E.right({ header: header!, idat });
    }
  }
  return format(header === undefined ? "ends after the signature, with no IHDR chunk; the file is truncated" : "has no IEND chunk; the file is truncated");
}

/** Decodes an 8-bit greyscale/RGB/RGBA non-interlaced PNG; throws an `IoError` whose message starts with `source`. */
export function decodePng(bytes: Uint8Array, source: string, options: PngDecodeOptions = {}): RasterImage {
  return orThrow(decodeEither(bytes, source, options));
}

function decodeEither(bytes: Uint8Array, source: string, options: PngDecodeOptions): E.Either<IoError, RasterImage> {
  const format = (detail: string): E.Either<IoError, never> => E.left(ioError("format", source, detail));
  const unsupported = (detail: string): E.Either<IoError, never> => E.left(ioError("unsupported", source, detail));
  const chunks = readChunks(bytes, source);
  if (E.isLeft(chunks)) return chunks;
  const { header, idat } = chunks.right;
  const { width, height, bitDepth, colourType, interlace } = header;
  if (width === 0 || height === 0) return format(`IHDR declares a ${width}×${height} image; both sides must be positive`);
  const channels = channelsOfColourType[colourType];
  if (channels === undefined) {
    const name = colourTypeNames[colourType] ?? `unknown colour type ${colourType}`;
    return unsupported(`is a ${name} PNG; only 8-bit greyscale, RGB and RGBA are supported (convert it, e.g. \`convert in.png -type TrueColor out.png\`)`);
  }
  if (bitDepth !== 8) return unsupported(`has bit depth ${bitDepth}; only 8-bit images are supported (convert it, e.g. \`convert in.png -depth 8 out.png\`)`);
  if (interlace !== 0) return unsupported("is interlaced (Adam7); only non-interlaced images are supported (convert it, e.g. `convert in.png -interlace none out.png`)");
  if (idat.length === 0) return format("has no IDAT chunk (no image data)");
  // Each row is one filter byte and width·channels samples (§7.2); exact in doubles below 2⁵³.
  const expected = height * (1 + width * channels);
  const limit = options.maxImageBytes ?? defaultMaxImageBytes;
  if (expected > limit) {
    return unsupported(`IHDR declares a ${width}×${height} ${colourTypeNames[colourType]} image (${expected} bytes of image data), more than the ${limit}-byte limit; scale it down`);
  }
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (cause) {
    if ((cause as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      return format(`the image data inflates to more than the ${expected} bytes a ${width}×${height} ${colourTypeNames[colourType]} image needs; the file is corrupt or hostile`);
    }
    return format(`the compressed image data is corrupt (zlib: ${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (inflated.length !== expected) return format(`the image data inflates to ${inflated.length} bytes but a ${width}×${height} ${colourTypeNames[colourType]} image needs ${expected}`);
  const pixels = unfilter(source, inflated, width, height, channels);
  return E.isLeft(pixels) ? pixels : E.right({ width, height, channels, data: pixels.right });
}
