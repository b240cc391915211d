// A heap for the CPU backend's float32 buffers inside the kernels' shared WebAssembly memory, so that
// the SIMD kernels read their operands and write their results in place instead of copying them in and
// out (a product 512³ copied 3 MB per call, a convolution 16×64×32² → 64 channels 8 MB; an elementwise
// kernel, all of its operands). The memory is laid out as [control | scratch of one call, up to
// `heapStart` | heap, up to the reserved maximum]. Blocks are whole cache lines, recycled by exact
// size (a training loop allocates the same sizes over and over) and never returned to the system; when
// the heap is full, new buffers are plain typed arrays again and the kernels copy them as before. Only
// a shared memory gets a heap: growing a memory that is not shared detaches its buffer, and with it
// every view into it.
import type { DataArray } from "../dtype.js";
import type { Instance } from "./wasm-gemm.js";
import { maxSharedPages } from "./wasm-kernels.js";

/** Where the heap begins (bytes): a call's scratch (operand copies, packed panels, tiles) stays below. */
export const heapStart = 256 * 2 ** 20;
let heapEnd = maxSharedPages * 65536;

/** For tests: makes the heap end `bytes` after its start (so that it fills up), or restores its size. */
export function setHeapSizeForTests(bytes?: number): void {
  heapEnd = bytes === undefined ? maxSharedPages * 65536 : heapStart + bytes;
}

interface Heap {
  /** The first byte never handed out. */
  top: number;
  /** Freed blocks by size (bytes). */
  readonly free: Map<number, number[]>;
  /** The memory's buffers (a grown shared memory hands out a new SharedArrayBuffer object for the same bytes). */
  readonly buffers: WeakSet<ArrayBuffer>;
}

const heaps = new WeakMap<Instance, Heap>();
const stats = { blocks: 0, bytes: 0, full: 0 };

/** Blocks handed out and their bytes (live now), and requests refused because the heap was full (for tests). */
export function heapStats(): { blocks: number; bytes: number; full: number } {
  return { ...stats };
}

const blockBytes = (size: number): number => Math.ceil((size * 4) / 64) * 64;

/** A float32 array of `size` elements in the heap of `w`'s memory, or null (no shared memory, or the heap is full). */
export function heapAllocF32(w: Instance, size: number): Float32Array | null {
  if (!w.shared || size <= 0) return null;
  let h = heaps.get(w);
  if (!h) heaps.set(w, (h = { top: heapStart, free: new Map(), buffers: new WeakSet() }));
  const bytes = blockBytes(size);
  let at = h.free.get(bytes)?.pop();
  if (at === undefined) {
    const have = w.memory.buffer.byteLength, top = h.top + bytes;
    try {
      if (top > heapEnd) throw new RangeError("the heap is full");
      if (top > have) w.memory.grow(Math.ceil((top - have) / 65536));
    } catch {
      // full, or the runtime would not grow the memory: this buffer is a plain array
      stats.full++;
      return null;
    }
    at = h.top;
    h.top = top;
  }
  stats.blocks++;
  stats.bytes += bytes;
  const buffer = w.memory.buffer;
  h.buffers.add(buffer);
  return new Float32Array(buffer, at, size);
}

/** The byte address of `x` in `w`'s memory when it is a heap block (or part of one), else −1. */
export function heapAddress(w: Instance, x: DataArray): number {
  const h = heaps.get(w);
  return h && h.buffers.has(x.buffer as ArrayBuffer) ? x.byteOffset : -1;
}

/** Returns a block from `heapAllocF32` to the heap; false (doing nothing) when `x` is not one. */
export function heapFree(w: Instance, x: Float32Array): boolean {
  const h = heaps.get(w);
  if (!h || !h.buffers.has(x.buffer as ArrayBuffer)) return false;
  const bytes = blockBytes(x.length);
  const list = h.free.get(bytes) ?? [];
  list.push(x.byteOffset);
  h.free.set(bytes, list);
  stats.blocks--;
  stats.bytes -= bytes;
  return true;
}
