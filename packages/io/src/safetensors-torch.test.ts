// The independent check: files written on the PyTorch side by fixtures/make_torch_vectors.py (torch
// 1.13 tensors laid out by the rules of the Rust safetensors core; Debian has no python3-safetensors).
// The reader must load them with exact values — including F16, BF16, I64, U8, I8 and I16, converted —
// and the writer must reproduce torch-native.safetensors byte for byte from the same tensors, built here
// from the formulas the script uses.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { HostTensor } from "./host-tensor.js";
import { parseSafetensors, type SafetensorsContents } from "./safetensors-read.js";
import { serializeSafetensors } from "./safetensors-write.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))));
const load = (name: string): SafetensorsContents => {
  const r = parseSafetensors(fixture(name), name);
  return r;
};
const values = (c: SafetensorsContents, name: string): number[] => [...c.tensors.get(name)!.data];

/** The tensors of `native()` in make_torch_vectors.py. */
function nativeTensors(): Record<string, HostTensor> {
  return {
    "w.f64": { dtype: "float64", shape: [2, 3], data: Float64Array.from({ length: 6 }, (_, i) => (i + 1) / 7) },
    "layer.w": { dtype: "float32", shape: [2, 2], data: Float32Array.from({ length: 4 }, (_, i) => (i + 1) / 3) },
    "layer.b": { dtype: "float32", shape: [4], data: Float32Array.of(0, -0, 1.5, -2.25) },
    special: { dtype: "float32", shape: [5], data: Float32Array.of(Infinity, -Infinity, NaN, 1e-40, 3.4028234663852886e38) },
    idx: { dtype: "int32", shape: [3], data: Int32Array.of(-2147483648, 0, 2147483647) },
    bits: { dtype: "uint32", shape: [2, 2], data: Uint32Array.of(0, 1, 0x80000000, 0xffffffff) },
    mask: { dtype: "bool", shape: [3], data: Uint8Array.of(1, 0, 1) },
    empty: { dtype: "float32", shape: [0, 3], data: new Float32Array(0) },
    scalar: { dtype: "float64", shape: [], data: Float64Array.of(3.5) },
  };
}

describe("PyTorch-written safetensors (fixtures/make_torch_vectors.py)", () => {
  it("our writer reproduces torch-native.safetensors byte for byte", () => {
    const ours = serializeSafetensors(nativeTensors(), { format: "pt" });
    expect(Buffer.from(ours).equals(Buffer.from(fixture("torch-native.safetensors")))).toBe(true);
  });

  it("our reader loads torch-native.safetensors with exact values, shapes and dtypes", () => {
    const c = load("torch-native.safetensors");
    expect(c.metadata).toEqual({ format: "pt" });
    for (const [name, t] of Object.entries(nativeTensors())) {
      const r = c.tensors.get(name)!;
      expect([name, r.dtype, r.shape]).toEqual([name, t.dtype, t.shape]);
      expect(Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)).toEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    expect(Object.is(values(c, "layer.b")[1], -0)).toBe(true);
  });

  it("our reader converts every other dtype torch writes, exactly", () => {
    const c = load("torch-all-dtypes.safetensors");
    const stored = Object.fromEntries([...c.tensors].map(([k, t]) => [k, `${t.storedDtype}->${t.dtype}`]));
    expect(stored).toEqual({
      f16: "F16->float32", bf16: "BF16->float32", i64: "I64->int32", u8: "U8->int32", i8: "I8->int32", i16: "I16->int32",
      f32: "F32->float32", f64: "F64->float64", i32: "I32->int32", u32: "U32->uint32", bool: "BOOL->bool",
    });
    const f16 = values(c, "f16");
    expect(f16.slice(0, 7)).toEqual([0, -0, 1, -2.5, 65504, 2 ** -24, Infinity]);
    expect(Object.is(f16[1], -0)).toBe(true);
    expect(Number.isNaN(f16[7])).toBe(true);
    expect(values(c, "bf16")).toEqual([1, -3.140625, 2 ** 100, -(2 ** -100)]);
    expect(values(c, "i64")).toEqual([-2147483648, 0, 2147483647]);
    expect(values(c, "u8")).toEqual([0, 1, 128, 255]);
    expect(c.tensors.get("u8")!.shape).toEqual([2, 2]);
    expect(values(c, "i8")).toEqual([-128, 0, 127]);
    expect(values(c, "i16")).toEqual([-32768, 0, 32767]);
    expect(values(c, "f32")).toEqual([1.5, -0.5]);
    expect(values(c, "f64")).toEqual([0.1, -1e300]);
    expect(values(c, "i32")).toEqual([7, -7]);
    expect(values(c, "u32")).toEqual([4294967295, 5]);
    expect(values(c, "bool")).toEqual([0, 1]);
    expect(c.tensors.get("bool")!.shape).toEqual([1, 2]);
  });
});
