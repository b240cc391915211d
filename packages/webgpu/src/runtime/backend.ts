// The WebGPU backend: the engine's Backend interface over one device. Dispatches are recorded
// into one open command encoder (consecutive dispatches share a compute pass) and submitted only
// when something must leave the GPU: a read, a write into a buffer that recorded work uses (a
// queue write lands before every later submit, so it would overtake that work), an explicit
// flush, or a long recording. Reads coalesce: every read issued in the same
// tick copies into a reused staging buffer and all are submitted together. float64 is not
// supported (supports('float64') is false, so core's fromData refuses it with a clear message).
import type { Backend, BufferHandle, DataArray, DType, Executable, Program } from "@scm-ts/core";
import type { GpuContext } from "./acquire.js";
import { BufferPool, bytesOf, fromStorageBytes, GpuTensorBuffer, MapRead, toStorageArray, Usage } from "./buffers.js";
import { PipelineCache, type CompiledProgram } from "./pipelines.js";

/** Counters for tests and benchmarks. */
export interface WebGpuStats {
  /** Compute dispatches recorded since the backend was created (tests and benchmarks may reset it to 0). */
  dispatches: number;
  /** Command buffers submitted to the queue since the backend was created (tests and benchmarks may reset it to 0). */
  submits: number;
  /** Compute pipelines compiled and cached so far. */
  readonly pipelines: number;
}

/** The WebGPU backend, with the extras its tests and benchmarks use. */
export interface WebGpuBackend extends Backend {
  /** The device, its limits and its error channel. */
  readonly context: GpuContext;
  /** Dispatch, submit and pipeline counters. */
  readonly stats: WebGpuStats;
  /** Submits the recorded work. */
  flush(): void;
  /** Waits until the GPU has finished everything submitted (flushing first). */
  sync(): Promise<void>;
}

interface GpuExecutable extends Executable {
  readonly compiled: CompiledProgram;
}

/** Submit after this many recorded dispatches even if nobody reads. */
const MAX_RECORDED = 1024;

/** The optional routines (core's Backend.optionalRoutines) this backend runs: attention's reverse passes. */
export const webgpuOptionalRoutines: readonly string[] = ["attentionBwdQ", "attentionBwdKV"];

/** Options of the backend. */
export interface WebGpuBackendOptions {
  /** The backend's name (default 'webgpu'); a second backend on the same device needs its own. */
  readonly name?: string;
  /** Bytes of freed tensor memory kept for reuse (default 512 MiB). */
  readonly maxPooledBytes?: number;
  /** Optional routines to offer (default all of webgpuOptionalRoutines; [] makes attention's reverse mode composed, for comparisons). */
  readonly optionalRoutines?: readonly string[];
}

/** Creates the backend on an acquired device. */
export function createWebGpuBackend(ctx: GpuContext, options: WebGpuBackendOptions = {}): WebGpuBackend {
  const { device } = ctx;
  const pooled = options.maxPooledBytes ?? 512 * 2 ** 20;
  const tensors = new BufferPool(device, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, "tensor", pooled);
  const staging = new BufferPool(device, Usage.MAP_READ | Usage.COPY_DST, "staging", 64 * 2 ** 20);
  const pipelines = new PipelineCache(device, ctx.limits, ctx.report);
  let live = 0;
  let encoder: GPUCommandEncoder | null = null;
  let pass: GPUComputePassEncoder | null = null;
  let recorded = 0;
  /** GPU buffers that the unsubmitted commands use. */
  const inUse = new Set<GPUBuffer>();
  let flushPromise: Promise<void> | null = null;
  const stats = {
    dispatches: 0,
    submits: 0,
    get pipelines() {
      return pipelines.size;
    },
  };

  const gpuOf = (b: BufferHandle): GPUBuffer => {
    const g = (b as GpuTensorBuffer).gpu;
    if (!g) throw new Error("webgpu backend: use of a freed buffer (a tensor was used after it was disposed)");
    return g;
  };
  const enc = (): GPUCommandEncoder => (encoder ??= device.createCommandEncoder());
  const endPass = (): void => {
    pass?.end();
    pass = null;
  };
  // Reused memory must read as zeros unless something overwrote it first.
  const clean = (b: GpuTensorBuffer): void => {
    if (!b.dirty) return;
    endPass();
    enc().clearBuffer(gpuOf(b), 0, bytesOf(b.size));
    inUse.add(gpuOf(b));
    b.dirty = false;
  };

  const flush = (): void => {
    ctx.check();
    if (!encoder) return;
    endPass();
    device.queue.submit([encoder.finish()]);
    encoder = null;
    recorded = 0;
    inUse.clear();
    stats.submits++;
    tensors.afterSubmit();
    staging.afterSubmit();
  };
  // All reads issued in one tick share one submit.
  const flushSoon = (): Promise<void> =>
    (flushPromise ??= Promise.resolve().then(() => {
      flushPromise = null;
      flush();
    }));

  // More inputs than the adapter binds: copy them into one u32 buffer after a header of their word
  // offsets (the layout ShaderSpec.packedInputs describes); the kernel reads everything from it.
  const pack = (inputs: readonly BufferHandle[]): GpuTensorBuffer => {
    const header = new Uint32Array(inputs.length);
    let words = inputs.length;
    inputs.forEach((b, j) => {
      header[j] = words;
      words += b.size;
    });
    const packed = backend.alloc("uint32", words) as GpuTensorBuffer;
    const dst = gpuOf(packed);
    if (inUse.has(dst)) flush();
    device.queue.writeBuffer(dst, 0, header);
    endPass();
    inputs.forEach((b, j) => {
      if (b.size > 0) enc().copyBufferToBuffer(gpuOf(b), 0, dst, header[j]! * 4, b.size * 4);
      inUse.add(gpuOf(b));
    });
    inUse.add(dst);
    packed.dirty = false;
    return packed;
  };

  const backend: WebGpuBackend = {
    name: options.name ?? "webgpu",
    context: ctx,
    description: ctx.description,
    software: ctx.limits.cpuAdapter === true,
    stats,
    flush,
    async sync() {
      flush();
      await device.queue.onSubmittedWorkDone();
      ctx.check();
    },
    supports: (dtype: DType) => dtype !== "float64",
    optionalRoutines: new Set(options.optionalRoutines ?? webgpuOptionalRoutines),
    alloc(dtype, size) {
      ctx.check();
      if (dtype === "float64") throw new TypeError("the webgpu backend does not support float64; use float32, or setBackend('cpu') for float64");
      const bytes = bytesOf(size);
      if (bytes > ctx.limits.maxStorageBufferBindingSize) {
        throw new RangeError(`webgpu: a tensor of ${size} ${dtype} elements (${bytes} bytes) exceeds this adapter's ${ctx.limits.maxStorageBufferBindingSize}-byte storage binding limit`);
      }
      const { buffer, fresh } = tensors.acquire(bytes);
      live++;
      return new GpuTensorBuffer(dtype, size, buffer, !fresh);
    },
    free(buf) {
      const b = buf as GpuTensorBuffer;
      if (!b.gpu) return;
      tensors.release(b.gpu, inUse.has(b.gpu));
      b.gpu = null;
      live--;
    },
    write(buf, data) {
      const b = buf as GpuTensorBuffer;
      if (data.length !== b.size) throw new RangeError(`webgpu write: ${data.length} values for a buffer of ${b.size} elements`);
      if (inUse.has(gpuOf(b))) flush();
      const arr = toStorageArray(b.dtype, data);
      if (arr.byteLength > 0) device.queue.writeBuffer(gpuOf(b), 0, arr.buffer, arr.byteOffset, arr.byteLength);
      b.dirty = false;
    },
    async read(buf): Promise<DataArray> {
      const b = buf as GpuTensorBuffer;
      const src = gpuOf(b);
      if (b.size === 0) return fromStorageBytes(b.dtype, new ArrayBuffer(0), 0);
      clean(b);
      const bytes = bytesOf(b.size);
      const { buffer: stage } = staging.acquire(bytes);
      endPass();
      enc().copyBufferToBuffer(src, 0, stage, 0, bytes);
      inUse.add(src);
      try {
        await flushSoon();
        await stage.mapAsync(MapRead, 0, bytes);
        ctx.check();
        const out = fromStorageBytes(b.dtype, stage.getMappedRange(0, bytes), b.size);
        stage.unmap();
        staging.release(stage, false);
        return out;
      } catch (e) {
        if (stage.mapState === "mapped") stage.unmap();
        ctx.check();
        throw e;
      }
    },
    prepare(program: Program): Executable {
      ctx.check();
      const exe: GpuExecutable = { program, compiled: pipelines.get(program) };
      return exe;
    },
    dispatch(exe, inputs, output) {
      ctx.check();
      const { compiled } = exe as GpuExecutable;
      const { spec } = compiled;
      const arity = spec.packedInputs ?? spec.bindings.length - 1;
      if (inputs.length !== arity) throw new Error(`webgpu dispatch: the kernel takes ${arity} inputs, got ${inputs.length}`);
      for (const i of inputs) clean(i as GpuTensorBuffer);
      const out = output as GpuTensorBuffer;
      // Every kernel and routine writes each element of its output.
      out.dirty = false;
      const [x, y, z] = spec.dispatch;
      if (x * y * z === 0) return;
      const bound = spec.packedInputs === undefined ? [...inputs, output] : [pack(inputs), output];
      const entries = bound.map((b, i) => {
        const buffer = gpuOf(b);
        inUse.add(buffer);
        return { binding: i, resource: { buffer, offset: 0, size: bytesOf(b.size) } };
      });
      const group = device.createBindGroup({ layout: compiled.layout, entries });
      pass ??= enc().beginComputePass();
      pass.setPipeline(compiled.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y, z);
      stats.dispatches++;
      if (spec.packedInputs !== undefined) backend.free(bound[0]!);
      if (++recorded >= MAX_RECORDED) flush();
    },
    liveBuffers: () => live,
  };
  return backend;
}
