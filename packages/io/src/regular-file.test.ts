// Reading user-named files: reads are split into chunks (never one read past 2³¹ − 1 bytes, checked on a
// 3 GiB request without allocating it), short reads and early ends are handled, safetensors files read
// with tiny chunks give the same tensors, a 3 GiB sparse file with a lying header is refused from its
// header alone, and a folder, /dev/zero or a FIFO is refused at once with one clear line — never read
// without bound, never waited on.
import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { maxReadBytes, readFully, readRegularFile, type PositionalReader } from "./regular-file.js";
import { readSafetensors, readSafetensorsFrom } from "./safetensors-file.js";
import { serializeSafetensors } from "./safetensors-write.js";
import { settle } from "@scm-ts/testing";
import { IoError } from "./io-error.js";

const dir = mkdtempSync(path.join(tmpdir(), "scm-io-regular-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A reader over `bytes` that records each requested length and returns at most `short` bytes per call. */
function recordingReader(bytes: Uint8Array, short = Infinity): PositionalReader & { lengths: number[] } {
  const lengths: number[] = [];
  return {
    lengths,
    read: async (buffer, offset, length, position) => {
      lengths.push(length);
      const n = Math.max(0, Math.min(length, short, bytes.length - position));
      buffer.set(bytes.subarray(position, position + n), offset);
      return { bytesRead: n };
    },
  };
}

const file = serializeSafetensors({
  w: { dtype: "float32", shape: [5, 3], data: Float32Array.from({ length: 15 }, (_, i) => i / 7) },
  b: { dtype: "float64", shape: [3], data: Float64Array.of(-1, 0.5, 2) },
  n: { dtype: "int32", shape: [2], data: Int32Array.of(-7, 9) },
}, { note: "chunks" });

describe("chunked reads", () => {
  it("fill the target in reads of at most the chunk size, through short reads, stopping at the end", async () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
    const reader = recordingReader(bytes, 5);
    const target = new Uint8Array(60);
    expect(await readFully(reader, target, 30, 7)).toBe(60);
    expect(reader.lengths.every((n) => n <= 7)).toBe(true);
    expect([...target]).toEqual([...bytes.subarray(30, 90)]);
    expect(await readFully(recordingReader(bytes), new Uint8Array(60), 70, 16)).toBe(30);
  });

  it("never ask for more than 2³¹ − 1 bytes at once, even for a 3 GiB target", async () => {
    const lengths: number[] = [];
    const reader: PositionalReader = { read: async (_b, _o, length) => (lengths.push(length), { bytesRead: length }) };
    // A stand-in for a 3 GiB array: only its length is used, nothing is written into it.
    const huge = { length: 3 * 2 ** 30 } as Uint8Array;
    expect(await readFully(reader, huge, 0, Infinity)).toBe(3 * 2 ** 30);
    expect(Math.max(...lengths)).toBe(maxReadBytes);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(3 * 2 ** 30);
    lengths.length = 0;
    await readFully(reader, huge, 0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(maxReadBytes);
  });

  it("a safetensors file read in 7-byte chunks gives the same tensors", async () => {
    const reader = recordingReader(file);
    const small = await readSafetensorsFrom(reader, file.length, "mem.safetensors", { chunkBytes: 7 });
    expect(Math.max(...reader.lengths)).toBeLessThanOrEqual(7);
    const onDisk = path.join(dir, "chunks.safetensors");
    writeFileSync(onDisk, file);
    const whole = await readSafetensors(onDisk);
    expect([...small.tensors.entries()]).toEqual([...whole.tensors.entries()]);
    expect(small.metadata).toEqual({ note: "chunks" });
    const truncated = await settle(readSafetensorsFrom(recordingReader(file.subarray(0, file.length - 4)), file.length, "shrunk.safetensors", { chunkBytes: 7 }), IoError);
    expect(E.isLeft(truncated) && truncated.left.message).toMatch(/shrunk\.safetensors: the file ended 4 bytes early while reading tensor "n"/);
  });

  it("a 3 GiB (sparse) file whose header does not cover it is refused from the header alone", async () => {
    const big = path.join(dir, "sparse.safetensors");
    const header = Buffer.from('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
    const fd = openSync(big, "w");
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    writeSync(fd, Buffer.concat([prefix, header]));
    ftruncateSync(fd, 3 * 2 ** 30);
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    const r = await settle(readSafetensors(big), IoError);
    expect(E.isLeft(r) && r.left.message).toMatch(`the tensors cover 4 data bytes but the file holds ${3 * 2 ** 30 - 8 - header.length} after its header`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
    rmSync(big);
  });
});

describe("only regular files are read", () => {
  const fifo = path.join(dir, "pipe.safetensors");
  execFileSync("mkfifo", [fifo]);

  it.each([
    ["a folder", dir, /is a folder, not a regular file/],
    ["/dev/zero", "/dev/zero", /is a character device \(like \/dev\/zero\), not a regular file/],
    ["a FIFO", fifo, /is a FIFO \(named pipe\), not a regular file/],
  ])("%s is refused at once with one line", async (_what, target, message) => {
    for (const r of [await settle(readSafetensors(target), IoError), await settle(readRegularFile(target), IoError)]) {
      expect(E.isLeft(r) && r.left.kind).toBe("filesystem");
      expect(E.isLeft(r) && r.left.message).toMatch(message);
      expect(E.isLeft(r) && r.left.message.startsWith(`${target}: `)).toBe(true);
      expect(E.isLeft(r) && r.left.message).not.toMatch(/\n/);
    }
  }, 5000);

  it("readRegularFile reads a file in chunks and refuses one over its size limit", async () => {
    const onDisk = path.join(dir, "bytes.bin");
    writeFileSync(onDisk, file);
    const r = await settle(readRegularFile(onDisk, { chunkBytes: 5 }), IoError);
    expect(E.isRight(r) && Buffer.from(r.right).equals(Buffer.from(file))).toBe(true);
    const capped = await settle(readRegularFile(onDisk, { maxBytes: 10 }), IoError);
    expect(E.isLeft(capped) && capped.left.message).toMatch(new RegExp(`bytes\\.bin: has ${file.length} bytes, more than the 10 this reader accepts`));
    const missing = await settle(readRegularFile(path.join(dir, "nope")), IoError);
    expect(E.isLeft(missing) && missing.left.kind).toBe("not-found");
  });
});
