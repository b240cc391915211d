// The relaxed-SIMD variant of the kernels (f32x4.relaxed_madd): Node 20 validates relaxed SIMD only
// behind a V8 flag, which this file turns on for its own process before compiling the module; the
// products and convolutions must match the JS reference as the mul+add variant does.
import { getBuiltinModule } from "node:process";
import { describe, expect, it } from "vitest";
import type { ConvSpec, MatmulSpec } from "../ir/kernel.js";
import { runRoutine } from "./routines.js";
import { resetWasmGemmForTests, wasmGemm } from "./wasm-gemm.js";

(getBuiltinModule("node:v8") as { setFlagsFromString(f: string): void }).setFlagsFromString("--experimental-wasm-relaxed-simd");
resetWasmGemmForTests();

const data = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed));

function expectParity(spec: MatmulSpec | ConvSpec, size: number, inputs: Float32Array[]): void {
  const ref = new Float32Array(size), got = new Float32Array(size);
  runRoutine(spec, ref, inputs, { simd: false });
  runRoutine(spec, got, inputs, { simd: true });
  for (let i = 0; i < size; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(ref[i]!));
}

describe("relaxed SIMD kernels", () => {
  it("compile with relaxed_madd when the runtime validates it", () => {
    expect(wasmGemm()?.fma).toBe(true);
  });
  it("match the JS reference on matmul and conv2d", () => {
    expectParity({ name: "matmul", dtype: "float32", batch: 2, m: 67, k: 300, n: 45, transposeA: true, transposeB: false }, 2 * 67 * 45, [data(2 * 67 * 300, 1), data(2 * 300 * 45, 2)]);
    const s: ConvSpec = { name: "conv2d", dtype: "float32", n: 2, cin: 5, h: 9, w: 13, cout: 7, kh: 3, kw: 3, oh: 9, ow: 13, stride: [1, 1], padding: [1, 1], groups: 1 };
    expectParity(s, 2 * 7 * 9 * 13, [data(2 * 5 * 9 * 13, 3), data(7 * 5 * 9, 4)]);
  });
});
