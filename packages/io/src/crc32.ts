// CRC-32 (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 reflected), the checksum of every PNG chunk
// (PNG specification §5.5), computed with the usual 256-entry table.

const table = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  table[n] = c >>> 0;
}

/** Continues a CRC-32 over `bytes` from a previous value (start from 0); returns the new value. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
