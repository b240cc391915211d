// Bad input for the safetensors reader, fuzzed with fast-check: truncated files, wrong header lengths,
// headers longer than the file, garbage or non-object JSON, keys repeated anywhere in the header,
// unknown dtypes, offsets out of range, overlapping or leaving gaps, shapes that disagree with their byte ranges or overflow, and random
// bytes. Every case must give a Left whose message names the source — never a throw — and hostile size
// claims must be refused before anything is allocated for them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { fcParams, attempt, settle } from "@scm-ts/testing";
import { parseSafetensors } from "./safetensors-read.js";
import { serializeSafetensors } from "./safetensors-write.js";
import { readSafetensors } from "./safetensors-file.js";
import type { HostTensor } from "./host-tensor.js";
import { IoError } from "./io-error.js";

const source = "fuzz.safetensors";

/** A file from a header string and data bytes; `claimed` overrides the header length field. */
function rawFile(header: string, data: Uint8Array = new Uint8Array(0), claimed?: bigint): Uint8Array {
  const json = Buffer.from(header, "utf8");
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, claimed ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Parses and requires an `IoError` (no other exception) naming the source; returns its message. */
function expectLeft(bytes: Uint8Array): string {
  const result = attempt(() => parseSafetensors(bytes, source), IoError);
  if (E.isRight(result)) throw new Error(`accepted a bad file: ${Buffer.from(bytes.subarray(0, 200)).toString("latin1")}`);
  expect(result.left.message.startsWith(`${source}: `)).toBe(true);
  expect(result.left.kind).toBe("format");
  return result.left.message;
}

const validFileArb: fc.Arbitrary<Uint8Array> = fc
  .array(fc.tuple(fc.constantFrom<HostTensor["dtype"]>("float32", "float64", "int32", "bool"), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 })), { minLength: 1, maxLength: 4 })
  .map((specs) => {
    const tensors: Record<string, HostTensor> = {};
    specs.forEach(([dtype, shape], i) => {
      const n = shape.reduce((a, d) => a * d, 1);
      const data = dtype === "float32" ? new Float32Array(n).fill(1.5) : dtype === "float64" ? new Float64Array(n).fill(-2) : dtype === "int32" ? new Int32Array(n).fill(3) : new Uint8Array(n).fill(1);
      tensors[`t${i}`] = { dtype, shape, data };
    });
    return serializeSafetensors(tensors, { k: "v" });
  });

const headerOf = (bytes: Uint8Array): { n: number; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8")) };
};

describe("safetensors reader under bad input", () => {
  it("truncated files", () => {
    fc.assert(
      fc.property(validFileArb, fc.nat(), (bytes, cut) => {
        expectLeft(bytes.subarray(0, cut % bytes.length));
      }),
      fcParams(100),
    );
  });

  it("a wrong header length field", () => {
    fc.assert(
      fc.property(validFileArb, fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 600n })), (bytes, claimed) => {
        const { n } = headerOf(bytes);
        fc.pre(claimed !== BigInt(n));
        const copy = bytes.slice();
        new DataView(copy.buffer).setBigUint64(0, claimed, true);
        const message = expectLeft(copy);
        if (claimed > 100_000_000n) expect(message).toMatch(/more than the 100000000-byte limit/);
        else if (Number(claimed) + 8 > bytes.length) expect(message).toMatch(/only \d+ follow it/);
      }),
      fcParams(100),
    );
  });

  it("garbage, non-UTF-8 or non-object JSON headers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 32 }), (header, data) => {
        const text = Buffer.from(header).toString("latin1");
        let valid = false;
        try {
          const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(header));
          valid = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length === 0 && data.length === 0;
        } catch {
          valid = false;
        }
        fc.pre(!valid && text.length >= 0);
        const file = new Uint8Array(8 + header.length + data.length);
        new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
        file.set(header, 8);
        file.set(data, 8 + header.length);
        expectLeft(file);
      }),
      fcParams(200),
    );
    expect(expectLeft(rawFile("[1,2]"))).toMatch(/not an object/);
    expect(expectLeft(rawFile('{"a":'))).toMatch(/not valid JSON/);
    expect(expectLeft(rawFile('{"__metadata__":{"a":1}}'))).toMatch(/metadata "a" is 1, not a string/);
  });

  it("unknown dtypes", () => {
    fc.assert(
      fc.property(validFileArb, fc.string({ maxLength: 10 }), (bytes, dtype) => {
        fc.pre(!["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"].includes(dtype));
        const { n, header } = headerOf(bytes);
        header.t0!.dtype = dtype;
        expect(expectLeft(rawFile(JSON.stringify(header), bytes.subarray(8 + n)))).toMatch(/tensor "t0": unknown dtype/);
      }),
      fcParams(60),
    );
  });

  it("offsets out of range, overlapping, leaving gaps, or disagreeing with the shape", () => {
    fc.assert(
      fc.property(validFileArb, fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0), fc.boolean(), fc.nat(), (bytes, delta, moveEnd, which) => {
        const { n, header } = headerOf(bytes);
        const names = Object.keys(header).filter((k) => k !== "__metadata__");
        const entry = header[names[which % names.length]!]!;
        entry.data_offsets[moveEnd ? 1 : 0] += delta;
        expectLeft(rawFile(JSON.stringify(header), bytes.subarray(8 + n)));
      }),
      fcParams(150),
    );
    const data = new Uint8Array(8);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', data))).toMatch(/overlap/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', data))).toMatch(/leave a gap after byte 0/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', data))).toMatch(/cover 4 data bytes but the file holds 8/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}', data))).toMatch(/reach past the 8 data bytes/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', data))).toMatch(/needs 12 bytes but data_offsets \[0, 8\] hold 8/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', data))).toMatch(/end before they begin/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}', data))).toMatch(/not a list of non-negative integers/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}', data))).toMatch(/not a pair/);
    expect(expectLeft(rawFile('{"a":[1]}', data))).toMatch(/must be an object with dtype/);
    expect(expectLeft(rawFile('{"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}', data))).toMatch(/not supported; convert them in PyTorch/);
  });

  it("a key repeated anywhere in the header (JSON.parse would keep the last)", () => {
    const data = new Uint8Array(8);
    const entry = (a: number, b: number): string => `{"dtype":"F32","shape":[1],"data_offsets":[${a},${b}]}`;
    expect(expectLeft(rawFile(`{"a":${entry(0, 4)},"b":${entry(4, 8)},"a":${entry(0, 4)}}`, data))).toMatch(/the header repeats the key "a" at its top level/);
    expect(expectLeft(rawFile(`{"a":{"dtype":"F32","shape":[2],"dtype":"I32","data_offsets":[0,8]}}`, data))).toMatch(/repeats the key "dtype" in "a"; readers would disagree/);
    expect(expectLeft(rawFile(`{"__metadata__":{"k":"1","k":"2"},"a":${entry(0, 8).replace("[1]", "[2]")}}`, data))).toMatch(/repeats the key "k" in "__metadata__"/);
    expect(expectLeft(rawFile(`{"a":${entry(0, 8).replace("[1]", "[2]")},"\u0061":${entry(0, 8).replace("[1]", "[2]")}}`, data))).toMatch(/repeats the key "a"/);
    // Any valid file with one of its entries written a second time (same or another range) is refused.
    fc.assert(
      fc.property(validFileArb, fc.nat(), (bytes, which) => {
        const { n, header } = headerOf(bytes);
        const text = Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8").trimEnd();
        const names = Object.keys(header);
        const name = names[which % names.length]!;
        const doubled = `${text.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(header[name])}}`;
        expect(expectLeft(rawFile(doubled, bytes.subarray(8 + n)))).toContain(`repeats the key ${JSON.stringify(name)}`);
      }),
      fcParams(60),
    );
  });

  it("shapes that overflow, refused without allocating", () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = 2 ** 52;
    expect(expectLeft(rawFile(`{"a":{"dtype":"F64","shape":[${huge},${huge},${huge}],"data_offsets":[0,8]}}`, new Uint8Array(8)))).toMatch(/needs \d{40,} bytes/);
    expect(expectLeft(rawFile(`{"a":{"dtype":"F64","shape":[${huge}],"data_offsets":[0,${2 ** 50}]}}`, new Uint8Array(8)))).toMatch(/reach past/);
    expect(expectLeft(rawFile("{}", new Uint8Array(0), 2n ** 63n))).toMatch(/limit/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
    // A zero dimension makes any other dimension harmless.
    const zero = parseSafetensors(rawFile(`{"a":{"dtype":"F64","shape":[${huge},0],"data_offsets":[0,0]}}`), source);
    expect(zero.tensors.get("a")!.data.length).toBe(0);
  });

  it("an I64 value outside int32 is refused with the tensor and element named", () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 2n ** 40n, true);
    expect(expectLeft(rawFile('{"big":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', data))).toMatch(/tensor "big" \(I64\): element 1 is 1099511627776, outside the int32 range/);
  });

  it("random bytes never crash the reader: they parse or throw an IoError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        attempt(() => parseSafetensors(bytes, source), IoError);
      }),
      fcParams(300),
    );
  });

  it("files on disk: a header longer than the file is refused before the rest is read", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "scm-io-fuzz-"));
    const file = path.join(dir, "lying.safetensors");
    writeFileSync(file, rawFile("{}", new Uint8Array(0), 1_000_000n));
    const r = await settle(readSafetensors(file), IoError);
    expect(E.isLeft(r) && r.left.message).toMatch(/lying\.safetensors: the header length field says 1000000 bytes but only 2 follow it/);
    writeFileSync(file, new Uint8Array(3));
    const short = await settle(readSafetensors(file), IoError);
    expect(E.isLeft(short) && short.left.message).toMatch(/has 3 bytes, fewer than the 8-byte header length/);
  });
});
