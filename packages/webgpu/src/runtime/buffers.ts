// GPU memory: tensor buffers and readback staging buffers, both pooled. Fresh memory is expensive
// (on the project's VMs a new 16 MiB buffer costs ~60 ms of first-touch), so released buffers go
// back to a pool keyed by size class (eight classes per power of two, at most 12.5 % slack) and are
// reused. Buffers released while recorded commands may still use them are destroyed only after the
// next submit. Reused tensor buffers are marked dirty: the backend clears them before anything
// reads them unless a kernel or a write has filled them first (the Backend contract is zeroed memory).
import type { BufferHandle, DType } from "@scm-ts/core";

/** Buffer usage and map-mode flags (numeric, so no WebGPU globals are needed in Node). */
export const Usage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 } as const;
export const MapRead = 0x1;

/** The storage bytes of `size` elements of `dtype` (every WebGPU dtype is 4 bytes; bool is a u32). */
export const bytesOf = (size: number): number => Math.max(4, size * 4);

/** Rounds a byte count up to its size class. */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  return Math.ceil(bytes / step) * step;
}

/** A tensor's buffer: `size` elements of `dtype` in (a prefix of) a pooled GPU buffer. */
export class GpuTensorBuffer implements BufferHandle {
  /** Contents are left over from an earlier use; cleared before the first read unless overwritten. */
  dirty: boolean;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    public gpu: GPUBuffer | null,
    dirty: boolean,
  ) {
    this.dirty = dirty;
  }
}

/** A pool of GPU buffers of one usage, by size class. */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly doomed: GPUBuffer[] = [];
  private pooledBytes = 0;
  /** Bytes of GPU buffers created by this pool and not destroyed. */
  allocatedBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
    private readonly maxPooledBytes: number,
  ) {}

  /** A buffer of at least `bytes`, and whether it is fresh (zeroed). */
  acquire(bytes: number): { buffer: GPUBuffer; fresh: boolean } {
    const cls = sizeClass(bytes);
    const reuse = this.free.get(cls)?.pop();
    if (reuse) {
      this.pooledBytes -= cls;
      return { buffer: reuse, fresh: false };
    }
    this.allocatedBytes += cls;
    return { buffer: this.device.createBuffer({ size: cls, usage: this.usage, label: `${this.label} ${cls} B` }), fresh: true };
  }

  /** Returns a buffer; past the pool's budget it is destroyed (after the next submit if `pending`). */
  release(buffer: GPUBuffer, pending: boolean): void {
    const cls = buffer.size;
    if (this.pooledBytes + cls > this.maxPooledBytes) {
      this.allocatedBytes -= cls;
      if (pending) this.doomed.push(buffer);
      else buffer.destroy();
      return;
    }
    const list = this.free.get(cls) ?? [];
    list.push(buffer);
    this.free.set(cls, list);
    this.pooledBytes += cls;
  }

  /** Destroys what waited for a submit. */
  afterSubmit(): void {
    for (const b of this.doomed.splice(0)) b.destroy();
  }

  /** Destroys every pooled buffer. */
  drain(): void {
    this.afterSubmit();
    for (const list of this.free.values()) for (const b of list) (this.allocatedBytes -= b.size), b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}

/** Host data as the typed array a buffer of `dtype` stores (bool → u32 0/1). */
export function toStorageArray(dtype: DType, data: ArrayLike<number>): Float32Array | Int32Array | Uint32Array {
  switch (dtype) {
    case "float32":
      return data instanceof Float32Array ? data : Float32Array.from(data);
    case "int32":
      return data instanceof Int32Array ? data : Int32Array.from(data);
    case "uint32":
      return data instanceof Uint32Array ? data : Uint32Array.from(data);
    case "bool":
      return Uint32Array.from(data, (v) => (v ? 1 : 0));
    case "float64":
      throw new TypeError("WebGPU has no float64");
  }
}

/** Storage bytes read back, as the engine's typed array of `dtype` (a copy). */
export function fromStorageBytes(dtype: DType, bytes: ArrayBuffer, size: number): Float32Array | Int32Array | Uint32Array | Uint8Array {
  switch (dtype) {
    case "float32":
      return new Float32Array(bytes, 0, size).slice();
    case "int32":
      return new Int32Array(bytes, 0, size).slice();
    case "uint32":
      return new Uint32Array(bytes, 0, size).slice();
    case "bool":
      return Uint8Array.from(new Uint32Array(bytes, 0, size), (v) => (v ? 1 : 0));
    case "float64":
      throw new TypeError("WebGPU has no float64");
  }
}
