// The heap of float32 buffers in the kernels' shared memory: blocks are recycled by size and known
// by address; the SIMD matmul, convolution and map kernels give the reference results whether their
// operands and outputs are heap blocks (read and written in place) or plain arrays (copied), in every
// mix, and an output that overlaps an input is not written in place; a full heap hands out plain
// arrays, with which a backend still computes the same.
import { afterEach, describe, expect, it } from "vitest";
import * as ir from "../ir/expr.js";
import type { ConvSpec, Kernel, MatmulSpec } from "../ir/kernel.js";
import { createCpuBackend } from "./backend.js";
import { compileKernel } from "./codegen.js";
import { runRoutine } from "./routines.js";
import { wasmGemm } from "./wasm-gemm.js";
import { heapAddress, heapAllocF32, heapFree, heapStats, setHeapSizeForTests } from "./wasm-heap.js";
import { compileMapKernelWasm } from "./wasm-map.js";

const w = wasmGemm()!;
const fill = (x: Float32Array, seed: number): Float32Array => {
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37 + seed);
  return x;
};
const heapOr = (inHeap: boolean, size: number, seed: number): Float32Array => fill(inHeap ? heapAllocF32(w, size)! : new Float32Array(size), seed);
const worst = (got: Float32Array, want: Float32Array): number => got.reduce((m, g, i) => Math.max(m, Math.abs(g - want[i]!) / (1 + Math.abs(want[i]!))), 0);

afterEach(() => setHeapSizeForTests());

describe("the kernels' heap", () => {
  it("recycles blocks by size and knows them by address", () => {
    const a = heapAllocF32(w, 3000)!, plain = new Float32Array(3000);
    expect(heapAddress(w, a)).toBe(a.byteOffset);
    expect(heapAddress(w, plain)).toBe(-1);
    expect(heapFree(w, plain)).toBe(false);
    const at = a.byteOffset;
    expect(heapFree(w, a)).toBe(true);
    expect(heapAllocF32(w, 2995)!.byteOffset).toBe(at); // the same size in whole 64-byte lines
  });
  for (const [m, k, n] of [[64, 96, 128], [61, 50, 70]] as const) {
    it(`matmul ${m}×${k}·${k}×${n} with A, B and the output in the heap or not (every mix)`, () => {
      const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch: 2, m, k, n, transposeA: false, transposeB: true };
      const [a0, b0] = [fill(new Float32Array(2 * m * k), 1), fill(new Float32Array(2 * n * k), 2)];
      const want = new Float32Array(2 * m * n);
      runRoutine(spec, want, [a0, b0], { simd: false });
      for (let mix = 0; mix < 8; mix++) {
        const [a, b] = [heapOr(!!(mix & 1), a0.length, 1), heapOr(!!(mix & 2), b0.length, 2)];
        const out = mix & 4 ? heapAllocF32(w, want.length)! : new Float32Array(want.length);
        runRoutine(spec, out, [a, b], { simd: true });
        expect(worst(out, want), `mix ${mix}`).toBeLessThan(1e-5);
      }
    });
  }
  // [cin, cout, h, w, stride, padding, groups]: tiles exactly the output rows at stride 1 (written in
  // place when the output is a heap block), then padded tiles, stride 2 and two groups
  const convs = [[8, 16, 8, 8, 1, 1, 1], [6, 10, 7, 5, 2, 0, 2]] as const;
  for (const [cin, cout, h, wd, st, pad, groups] of convs) {
    for (const name of ["conv2d", "conv2dInputGrad", "conv2dWeightGrad"] as const) {
      it(`${name} ${cin}→${cout} ${h}×${wd}, stride ${st}, ${groups} group(s), with operands and output in the heap or not (every mix)`, () => {
        const oh = Math.floor((h + 2 * pad - 3) / st) + 1, ow = Math.floor((wd + 2 * pad - 3) / st) + 1;
        const spec: ConvSpec = { name, dtype: "float32", n: 3, cin, h, w: wd, cout, kh: 3, kw: 3, oh, ow, stride: [st, st], padding: [pad, pad], groups };
        const [x, y, wt] = [3 * cin * h * wd, 3 * cout * oh * ow, (cout * cin * 9) / groups];
        const [inSizes, outSize] = name === "conv2d" ? [[x, wt], y] : name === "conv2dInputGrad" ? [[y, wt], x] : [[x, y], wt];
        const ins = inSizes.map((size, j) => fill(new Float32Array(size), j + 1));
        const want = new Float32Array(outSize);
        runRoutine(spec, want, ins, { simd: false });
        for (let mix = 0; mix < 8; mix++) {
          const out = mix & 4 ? heapAllocF32(w, outSize)! : new Float32Array(outSize);
          runRoutine(spec, out, ins.map((v, j) => heapOr(!!(mix & (1 << j)), v.length, j + 1)), { simd: true });
          expect(worst(out, want), `mix ${mix}`).toBeLessThan(1e-5);
        }
      });
    }
  }
  it("conv2d whose heap output overlaps its input reads the input as it was", () => {
    // stride 2: the kernel reads x itself (no padded copy first) while it writes tiles of y
    const spec: ConvSpec = { name: "conv2d", dtype: "float32", n: 2, cin: 2, h: 8, w: 8, cout: 8, kh: 3, kw: 3, oh: 4, ow: 4, stride: [2, 2], padding: [1, 1], groups: 1 };
    const io = heapOr(true, 2 * 2 * 64, 1), wt = fill(new Float32Array(8 * 2 * 9), 2);
    const want = new Float32Array(io.length);
    runRoutine(spec, want, [io.slice(), wt], { simd: false });
    runRoutine(spec, io, [io, wt], { simd: true });
    expect(worst(io, want)).toBeLessThan(1e-5);
  });
  it("a map kernel with inputs and output in the heap or not (every mix)", () => {
    const g = ir.gidx(4096);
    const x = ir.load(0, "float32", g), y = ir.load(1, "float32", ir.binary("MOD", g, ir.idx(64))); // y: a broadcast row
    const kernel: Kernel = { kind: "map", size: 4096, dtype: "float32", expr: ir.binary("ADD", ir.unary("TANH", x), ir.binary("MUL", y, x)), inputs: ["float32", "float32"] };
    const run = compileMapKernelWasm(kernel, w)!;
    expect(run).not.toBeNull();
    const [x0, y0] = [fill(new Float32Array(4096), 3), fill(new Float32Array(64), 4)];
    const want = new Float32Array(4096);
    compileKernel(kernel, false)(want, x0, y0);
    for (let mix = 0; mix < 8; mix++) {
      const out = mix & 4 ? heapAllocF32(w, 4096)! : new Float32Array(4096);
      run(out, heapOr(!!(mix & 1), 4096, 3), heapOr(!!(mix & 2), 64, 4));
      expect(worst(out, want), `mix ${mix}`).toBeLessThan(1e-5);
    }
  });
  it("a map kernel whose output overlaps a broadcast input in the heap reads the input as it was", () => {
    const g = ir.gidx(4096);
    const x = ir.load(0, "float32", g), y = ir.load(1, "float32", ir.binary("MOD", g, ir.idx(64)));
    const kernel: Kernel = { kind: "map", size: 4096, dtype: "float32", expr: ir.binary("ADD", x, y), inputs: ["float32", "float32"] };
    const out = heapAllocF32(w, 4096)!, row = fill(out.subarray(0, 64), 7), xs = heapOr(true, 4096, 8);
    const want = new Float32Array(4096);
    compileKernel(kernel, false)(want, xs, row.slice());
    compileMapKernelWasm(kernel, w)!(out, xs, row);
    expect(worst(out, want)).toBeLessThan(1e-6);
  });
  it("when full, hands out plain arrays, and a backend still computes the same", () => {
    setHeapSizeForTests(0);
    const full = heapStats().full;
    expect(heapAllocF32(w, 5000)).toBeNull();
    expect(heapStats().full).toBe(full + 1);
    const spec: MatmulSpec = { name: "matmul", dtype: "float32", batch: 1, m: 40, k: 64, n: 48, transposeA: false, transposeB: false };
    const results = [true, false].map(() => {
      const backend = createCpuBackend();
      const [x, y, out] = [backend.alloc("float32", 40 * 64), backend.alloc("float32", 64 * 48), backend.alloc("float32", 40 * 48)];
      backend.write(x, fill(new Float32Array(40 * 64), 5));
      backend.write(y, fill(new Float32Array(64 * 48), 6));
      backend.dispatch(backend.prepare({ kind: "routine", spec }), [x, y], out);
      setHeapSizeForTests();
      return backend.readSync!(out) as Float32Array;
    });
    expect(worst(results[0]!, results[1]!)).toBeLessThan(1e-6);
  });
});
