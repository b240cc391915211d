// The CPU backend: buffers are typed arrays, kernels are compiled to JavaScript functions (cached by
// structural key), routines run in JS, with float32 matrix products and convolutions on the
// WebAssembly SIMD kernels (on worker threads), float32 elementwise and reduction kernels compiled
// to WebAssembly SIMD where their ops allow (wasm-map.ts), and float32 tanh by a float32-accurate approximation,
// unless `simd: false` ('cpu-js', the pure-JS reference). On that path, large float32 buffers live in
// the kernels' shared memory (wasm-heap.ts), so the kernels use them where they are. Every dtype is
// supported, float64 included. Reads are synchronous.
import { allocArray, type DataArray, type DType } from "../dtype.js";
import type { Backend, BufferHandle, Executable } from "../backend.js";
import { programKey, type Program } from "../ir/kernel.js";
import { compileKernel } from "./codegen.js";
import { runRoutine } from "./routines.js";
import { wasmGemm } from "./wasm-gemm.js";
import { heapAllocF32, heapFree } from "./wasm-heap.js";
import { compileMapKernelWasm } from "./wasm-map.js";

class CpuBuffer implements BufferHandle {
  constructor(
    readonly dtype: DType,
    readonly size: number,
    public data: DataArray | null,
  ) {}
}

interface CpuExecutable extends Executable {
  run(out: DataArray, inputs: DataArray[]): void;
}

/** Options of the CPU backend. */
export interface CpuOptions {
  /**
   * The fast path (default true): float32 products, convolutions, elementwise and reduction kernels
   * on WebAssembly SIMD where the runtime has it, and float32 tanh to float32 accuracy
   * instead of Math.tanh.
   */
  readonly simd?: boolean;
  /** The backend's name ('cpu', or 'cpu-js' for the pure-JS reference). */
  readonly name?: string;
  /**
   * With the fast path: float32 buffers of 1024+ elements live in the SIMD kernels' shared memory
   * (wasm-heap.ts), so the kernels need not copy them in and out (default true; SCM_WASM_HEAP=0
   * turns it off).
   */
  readonly heap?: boolean;
}

/** Creates a CPU backend. */
export function createCpuBackend(options: CpuOptions = {}): Backend {
  const fast = options.simd ?? true;
  const simd = fast && wasmGemm() !== null;
  const w = simd ? wasmGemm() : null;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const heap = w && (options.heap ?? env?.SCM_WASM_HEAP !== "0") ? w : null;
  let live = 0;
  const cache = new Map<string, CpuExecutable>();
  const arr = (b: BufferHandle): DataArray => {
    const d = (b as CpuBuffer).data;
    if (!d) throw new Error("cpu backend: use of a freed buffer (a tensor was used after it was disposed)");
    return d;
  };
  // Freed arrays of 1024+ elements are kept for reuse (a fresh large array costs page faults on
  // first touch), up to `maxPooledBytes` in all.
  const pool = new Map<string, DataArray[]>();
  let pooledBytes = 0;
  const maxPooledBytes = 256 * 2 ** 20;
  return {
    name: options.name ?? "cpu",
    alloc(dtype, size) {
      live++;
      const inHeap = heap && dtype === "float32" && size >= 1024 ? heapAllocF32(heap, size) : null;
      if (inHeap) return new CpuBuffer(dtype, size, inHeap);
      const reused = size >= 1024 ? pool.get(`${dtype}:${size}`)?.pop() : undefined;
      if (reused) pooledBytes -= reused.byteLength;
      return new CpuBuffer(dtype, size, reused ?? allocArray(dtype, size));
    },
    free(buf) {
      const b = buf as CpuBuffer;
      if (b.data) {
        const toHeap = heap !== null && b.data instanceof Float32Array && heapFree(heap, b.data);
        if (!toHeap && b.size >= 1024 && pooledBytes + b.data.byteLength <= maxPooledBytes) {
          const key = `${b.dtype}:${b.size}`;
          const list = pool.get(key) ?? [];
          list.push(b.data);
          pool.set(key, list);
          pooledBytes += b.data.byteLength;
        }
        b.data = null;
        live--;
      }
    },
    write(buf, data) {
      arr(buf).set(data as never);
    },
    async read(buf) {
      return arr(buf).slice();
    },
    readSync(buf) {
      return arr(buf).slice();
    },
    prepare(program: Program): Executable {
      const key = programKey(program);
      let exe = cache.get(key);
      if (!exe) {
        if (program.kind === "routine") {
          const spec = program.spec;
          exe = { program, run: (out, inputs) => runRoutine(spec, out, inputs, { simd }) };
        } else {
          const fn = (w && compileMapKernelWasm(program, w)) || compileKernel(program, fast);
          exe = { program, run: (out, inputs) => fn(out, ...inputs) };
        }
        cache.set(key, exe);
      }
      return exe;
    },
    dispatch(exe, inputs, output) {
      (exe as CpuExecutable).run(arr(output), inputs.map(arr));
    },
    liveBuffers: () => live,
    supports: () => true,
  };
}
