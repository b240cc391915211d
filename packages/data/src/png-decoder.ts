// A PNG decoder for what datasets need: 8-bit greyscale, RGB and RGBA, non-interlaced (PNG spec §11–§12).
// It checks the signature, every chunk's length and CRC, the IHDR fields, and that IEND ends the file;
// concatenates the IDAT chunks, inflates them with Node's zlib, and undoes the five per-row filters (None,
// Sub, Up, Average, Paeth). Anything else — palette or grey+alpha images, 1/2/4/16-bit depths, Adam7
// interlacing — is refused with an `unsupported` error that says what was found and how to convert it.
import { inflateSync } from "node:zlib";
import * as E from "fp-ts/lib/Either.js";
import { crc32 } from "./crc32.js";
import { dataError, type DataError } from "./data-error.js";

/** A decoded image: rows top to bottom, pixels left to right, channels interleaved. */
export interface DecodedImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: 1 | 3 | 4;
  /** height·width·channels bytes, row-major HWC. */
  readonly pixels: Uint8Array;
}

/** The eight bytes every PNG file starts with. */
export const pngSignature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const channelsOfColourType: Readonly<Record<number, 1 | 3 | 4>> = { 0: 1, 2: 3, 6: 4 };
const colourTypeNames: Readonly<Record<number, string>> = { 0: "greyscale", 2: "RGB", 3: "palette (indexed)", 4: "greyscale with alpha", 6: "RGBA" };

// PNG spec §9.4: the Paeth predictor.
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// PNG spec §9.2: each row is a filter byte then the filtered bytes; bpp = bytes per pixel.
function unfilter(source: string, data: Uint8Array, width: number, height: number, bpp: number): E.Either<DataError, Uint8Array> {
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
      else return E.left(dataError("format", source, `row ${y} has filter type ${filter}; PNG defines 0–4, so the image data is corrupt`));
      out[at + i] = (row[i]! + predicted) & 0xff;
    }
  }
  return E.right(out);
}

/** Decodes an 8-bit greyscale/RGB/RGBA non-interlaced PNG; `source` names the bytes in errors. */
export function decodePng(bytes: Uint8Array, source: string): E.Either<DataError, DecodedImage> {
  const format = (detail: string): E.Either<DataError, DecodedImage> => E.left(dataError("format", source, detail));
  if (bytes.length < 8 || pngSignature.some((b, i) => bytes[i] !== b)) return format("does not start with the PNG signature; it is not a PNG file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) return format(`a chunk header at byte ${offset} is cut off; the file is truncated`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length) return format(`chunk ${type} at byte ${offset} declares ${length} data bytes but the file ends first; it is truncated`);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const stored = view.getUint32(offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== stored) return format(`chunk ${type} at byte ${offset} fails its CRC check; the file is corrupt`);
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
      ended = true;
      break;
    }
  }
  if (header === undefined) return format("ends after the signature, with no IHDR chunk; the file is truncated");
  if (!ended) return format("has no IEND chunk; the file is truncated");
  const { width, height, bitDepth, colourType, interlace } = header;
  if (width === 0 || height === 0) return format(`IHDR declares a ${width}×${height} image; both sides must be positive`);
  const channels = channelsOfColourType[colourType];
  const unsupported = (detail: string): E.Either<DataError, DecodedImage> => E.left(dataError("unsupported", source, detail));
  if (channels === undefined) {
    const name = colourTypeNames[colourType] ?? `unknown colour type ${colourType}`;
    return unsupported(`is a ${name} PNG; only 8-bit greyscale, RGB and RGBA are supported (convert it, e.g. \`convert in.png -type TrueColor out.png\`)`);
  }
  if (bitDepth !== 8) return unsupported(`has bit depth ${bitDepth}; only 8-bit images are supported (convert it, e.g. \`convert in.png -depth 8 out.png\`)`);
  if (interlace !== 0) return unsupported("is interlaced (Adam7); only non-interlaced images are supported (convert it, e.g. `convert in.png -interlace none out.png`)");
  if (idat.length === 0) return format("has no IDAT chunk (no image data)");
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(Buffer.concat(idat));
  } catch (cause) {
    return format(`the compressed image data is corrupt (zlib: ${cause instanceof Error ? cause.message : String(cause)})`);
  }
  const expected = height * (1 + width * channels);
  if (inflated.length !== expected) return format(`the image data inflates to ${inflated.length} bytes but a ${width}×${height} ${colourTypeNames[colourType]} image needs ${expected}`);
  const pixels = unfilter(source, inflated, width, height, channels);
  return E.isLeft(pixels) ? pixels : E.right({ width, height, channels, pixels: pixels.right });
}
