// A minimal PNG decoder for tests (8-bit gray/RGB/RGBA, non-interlaced): it checks the signature and
// every chunk's CRC, inflates the IDAT stream with zlib and undoes the five scanline filters, so the
// encoder's output can be compared pixel for pixel with what was encoded. Independent of the encoder
// except for the CRC table, which it checks against the standard check value in the tests.
import { inflateSync } from "node:zlib";
import { crc32 } from "./crc32.js";
import type { RasterImage } from "./raster-image.js";

/** Decodes PNG bytes (also reporting which scanline filters were used); throws on anything unexpected. */
export function decodePng(bytes: Uint8Array): RasterImage & { readonly filterTypes: ReadonlySet<number> } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error("bad PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8, width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  for (;;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const payload = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`bad CRC in ${type}`);
    types.push(type);
    if (type === "IHDR") {
      const h = new DataView(payload.buffer, payload.byteOffset, 13);
      width = h.getUint32(0);
      height = h.getUint32(4);
      if (payload[8] !== 8 || payload[10] !== 0 || payload[11] !== 0 || payload[12] !== 0) throw new Error("unsupported IHDR");
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[payload[9]!] ?? 0;
      if (channels === 0) throw new Error(`colour type ${payload[9]}`);
    } else if (type === "IDAT") idat.push(payload);
    at += 12 + length;
    if (type === "IEND") break;
  }
  if (at !== bytes.length) throw new Error("bytes after IEND");
  if (types[0] !== "IHDR") throw new Error("IHDR is not first");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`inflated ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const out = new Uint8Array(height * stride);
  const filterTypes = new Set<number>();
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    filterTypes.add(type);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][type];
      if (predictor === undefined) throw new Error(`filter type ${type}`);
      out[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + predictor) & 0xff;
    }
  }
  return { width, height, channels: channels as 1 | 3 | 4, data: out, filterTypes };
}
