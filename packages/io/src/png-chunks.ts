// The PNG container (PNG specification, 2nd edition, §5): the 8-byte signature, then chunks of a 4-byte
// big-endian length, a 4-byte type, the data and the CRC-32 of type and data; and the Paeth predictor
// (§9.4) that the encoder's and the decoder's row filters share. Built once here for both directions.
import { crc32 } from "./crc32.js";

/** The eight bytes every PNG file starts with. */
export const pngSignature: Uint8Array = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One chunk: length, the 4-letter `type`, `payload`, and the CRC-32 of type and payload. */
export function pngChunk(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(4, 8 + payload.length)));
  return out;
}

/** The Paeth predictor (§9.4): whichever of left a, up b, up-left c is closest to a + b − c (ties: a, then b). */
export function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
