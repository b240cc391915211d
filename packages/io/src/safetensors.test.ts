// safetensors writer and reader: round trips of every engine dtype (through engine tensors too), the
// Rust implementation's own byte-level test vectors, the writer's layout rules (dtype-then-name order,
// space padding to 8 bytes, metadata first), and clear `IoError`s for tensors that cannot be written. The
// file functions return Promises, so the old pitfall of a TaskEither — `await saveTensors(f, { x })` with the
// call `()` forgotten wrote nothing and type-checked — is gone: awaiting writes, and an extra `()` is a type error.
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { array, type DataArray, type DType } from "@scm-ts/core";
import { fcParams, settle, attempt } from "@scm-ts/testing";
import type { HostTensor } from "./host-tensor.js";
import { parseSafetensors } from "./safetensors-read.js";
import { serializeSafetensors } from "./safetensors-write.js";
import { loadTensors, readSafetensors, saveTensors, writeSafetensors } from "./safetensors-file.js";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { IoError } from "./io-error.js";

const leftMessage = (e: E.Either<{ message: string }, unknown>): string => {
  if (E.isRight(e)) throw new Error("expected a Left");
  return e.left.message;
};
const f32bytes = (values: number[]): number[] => [...new Uint8Array(Float32Array.from(values).buffer)];
const ascii = (s: string): number[] => [...Buffer.from(s, "utf8")];

describe("the Rust implementation's test vectors (safetensors/src/tensor.rs)", () => {
  it("test_serialization: one F32 [1, 2, 3] tensor named attn.0", () => {
    const out = serializeSafetensors({ "attn.0": { dtype: "float32", shape: [1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } });
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect([...out]).toEqual([64, 0, 0, 0, 0, 0, 0, 0, ...ascii(json), ...f32bytes([0, 1, 2, 3, 4, 5])]);
  });
  it("test_serialization_forced_alignement: the header is padded with spaces", () => {
    const out = serializeSafetensors({ attn0: { dtype: "float32", shape: [1, 1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } });
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect([...out]).toEqual([72, 0, 0, 0, 0, 0, 0, 0, ...ascii(json), 32, 32, 32, 32, 32, 32, 32, ...f32bytes([0, 1, 2, 3, 4, 5])]);
  });
  it("test_empty: no tensors, with and without metadata", () => {
    expect([...serializeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = serializeSafetensors({}, { framework: "pt" });
    expect([...withMeta]).toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...ascii('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32]);
    expect(parseSafetensors(withMeta).metadata).toEqual({ framework: "pt" });
  });
});

describe("writer layout", () => {
  it("orders tensors by descending dtype (Rust enum order), then by name bytes", () => {
    const t = (dtype: DType, data: DataArray): HostTensor => ({ dtype, shape: [data.length], data });
    const out = serializeSafetensors([
      ["b", t("bool", Uint8Array.of(1))],
      ["z", t("float32", Float32Array.of(1))],
      ["a", t("float32", Float32Array.of(2))],
      ["m", t("float64", Float64Array.of(3))],
      ["u", t("uint32", Uint32Array.of(4))],
      ["i", t("int32", Int32Array.of(5))],
      ["\u00e9", t("float32", Float32Array.of(6))],
      ["\ud83d\ude00", t("float32", Float32Array.of(7))],
    ]);
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(out.subarray(8, 8 + n)).toString("utf8")) as Record<string, unknown>;
    // UTF-8 byte order puts U+00E9 (C3 A9) before U+1F600 (F0 ...), unlike some UTF-16 orders.
    expect(Object.keys(header)).toEqual(["m", "a", "z", "\u00e9", "\ud83d\ude00", "u", "i", "b"]);
  });
  it("normalises bool bytes to 0/1 and reads them back", () => {
    const out = serializeSafetensors({ mask: { dtype: "bool", shape: [3], data: Uint8Array.of(0, 7, 1) } });
    expect([...parseSafetensors(out).tensors.get("mask")!.data]).toEqual([0, 1, 1]);
  });
  it("refuses what it cannot write, naming the tensor", () => {
    const bad = (tensors: Record<string, HostTensor>, meta?: Record<string, string>): string => leftMessage(attempt(() => serializeSafetensors(tensors, meta, "out.safetensors"), IoError));
    expect(bad({ w: { dtype: "float32", shape: [2, 2], data: new Float32Array(3) } })).toMatch(/out\.safetensors: tensor "w" has shape \[2, 2\] \(4 elements\) but 3 values/);
    expect(bad({ w: { dtype: "float32", shape: [2], data: new Float64Array(2) } })).toMatch(/tensor "w" is float32 but its data is a Float64Array/);
    expect(bad({ w: { dtype: "float32", shape: [-1], data: new Float32Array(0) } })).toMatch(/tensor "w" has shape \[-1\]/);
    expect(bad({ __metadata__: { dtype: "float32", shape: [0], data: new Float32Array(0) } })).toMatch(/reserved/);
    expect(bad({}, { n: 3 as unknown as string })).toMatch(/metadata "n" is a number/);
    expect(leftMessage(attempt(() => serializeSafetensors([["a", { dtype: "int32", shape: [0], data: new Int32Array(0) }], ["a", { dtype: "int32", shape: [0], data: new Int32Array(0) }]]), IoError))).toMatch(/given twice/);
  });
});

const dtypeArb: fc.Arbitrary<DType> = fc.constantFrom("float32", "float64", "int32", "uint32", "bool");
function valuesArb(dtype: DType, n: number): fc.Arbitrary<DataArray> {
  switch (dtype) {
    case "float32": return fc.array(fc.float({ noNaN: true }), { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));
    case "float64": return fc.array(fc.double({ noNaN: true }), { minLength: n, maxLength: n }).map((v) => Float64Array.from(v));
    case "int32": return fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }).map((v) => Int32Array.from(v));
    case "uint32": return fc.array(fc.nat({ max: 2 ** 32 - 1 }), { minLength: n, maxLength: n }).map((v) => Uint32Array.from(v));
    case "bool": return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((v) => Uint8Array.from(v, Number));
  }
}
const tensorArb: fc.Arbitrary<HostTensor> = fc
  .tuple(dtypeArb, fc.array(fc.nat({ max: 4 }), { maxLength: 3 }))
  .chain(([dtype, shape]) => valuesArb(dtype, shape.reduce((a, d) => a * d, 1)).map((data) => ({ dtype, shape, data })));

describe("round trips", () => {
  it("any named tensors of every dtype and shape (incl. 0-d and empty), with metadata, bit for bit", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== "__metadata__" && s !== "__proto__"), tensorArb, { maxKeys: 6 }), fc.dictionary(fc.string().filter((s) => s !== "__proto__"), fc.string(), { maxKeys: 3 }), (tensors, metadata) => {
        const bytes = serializeSafetensors(tensors, metadata);
        const back = parseSafetensors(bytes);
        expect(back.metadata).toEqual(metadata);
        expect(new Set(back.tensors.keys())).toEqual(new Set(Object.keys(tensors)));
        for (const [name, t] of Object.entries(tensors)) {
          const r = back.tensors.get(name)!;
          expect(r.dtype).toBe(t.dtype);
          expect(r.shape).toEqual(t.shape);
          expect(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)).toEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        }
        // Serialising what was read gives the same bytes.
        expect(Buffer.from(serializeSafetensors(back.tensors, back.metadata))).toEqual(Buffer.from(bytes));
      }),
      fcParams(60),
    );
  });

  it("awaiting saveTensors writes the file; calling its result is a type error, not a silent no-op", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-io-")), "await.safetensors");
    const pending = saveTensors(file, { x: array([1, 2], [2]) });
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(existsSync(file)).toBe(true);
    expect([...(await (await loadTensors(file)).get("x")!.data())]).toEqual([1, 2]);
    // @ts-expect-error A Promise is not callable: the TaskEither habit of a trailing `()` no longer compiles.
    await expect(async () => saveTensors(`${file}.called`, { x: array([3], [1]) })()).rejects.toThrow(TypeError);
    const missing = saveTensors(path.join(file, "under-a-file", "x.safetensors"), { x: array([1], [1]) });
    await expect(missing).rejects.toBeInstanceOf(IoError);
  });

  it("engine tensors through a file, including NaN, ±Inf and −0", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "scm-io-"));
    const file = path.join(dir, "t.safetensors");
    const tensors = {
      a: array([NaN, Infinity, -Infinity, -0, 1e-45, 3.5], [2, 3]),
      b: array([1 / 3, -2], [2], { dtype: "float64" }),
      c: array([-5, 7], [1, 2], { dtype: "int32" }),
      d: array([4294967295, 0], [2], { dtype: "uint32" }),
      e: array([1, 0, 1], [3], { dtype: "bool" }),
      s: array(2.5),
    };
    await saveTensors(file, tensors, { note: "x" });
    const loaded = await loadTensors(file);
    for (const [name, t] of Object.entries(tensors)) {
      const r = loaded.get(name)!;
      expect([r.dtype, r.shape]).toEqual([t.dtype, t.shape]);
      expect(Object.is((await r.data())[3], (await t.data())[3])).toBe(true);
      expect([...(await r.data())]).toEqual([...(await t.data())]);
    }
    expect((await readSafetensors(file)).metadata).toEqual({ note: "x" });
    const missing = await settle(readSafetensors(path.join(dir, "nope.safetensors")), IoError);
    expect(E.isLeft(missing) && missing.left.kind).toBe("not-found");
    expect(leftMessage(await settle(writeSafetensors(file, { w: { dtype: "float32", shape: [2], data: new Float32Array(1) } }), IoError))).toMatch(/t\.safetensors: tensor "w"/);
  });
});
