// What codegen produces and what it needs from the device: a ShaderSpec (WGSL source, its
// bindings, workgroup size, dispatch grid and structural cache key), the adapter limits that
// shape it (passed in, never assumed), and the WGSL builder every kernel and routine shares: it
// declares the bindings from the input list, emits only the helpers used, and lays out the grid.
import type { DType } from "@scm-ts/core";
import { helperCode, storageType, type HelperName } from "./quirks.js";

/** The adapter limits codegen depends on. */
export interface DeviceLimits {
  /** Largest product of a workgroup's three sizes (caps threads per workgroup). */
  readonly maxComputeInvocationsPerWorkgroup: number;
  /** Largest workgroup size along x. */
  readonly maxComputeWorkgroupSizeX: number;
  /** Largest workgroup size along y. */
  readonly maxComputeWorkgroupSizeY: number;
  /** Largest number of workgroups per dispatch dimension; a larger linear grid is split over x and y (`grid`). */
  readonly maxComputeWorkgroupsPerDimension: number;
  /** Bytes of workgroup (shared) memory one workgroup may declare; bounds the GEMM and reduction tiles. */
  readonly maxComputeWorkgroupStorageSize: number;
  /** Storage buffers one shader may bind; a kernel with more inputs packs them into one buffer (`needsPacking`). */
  readonly maxStorageBuffersPerShaderStage: number;
  /** The adapter is a CPU implementation (llvmpipe, SwiftShader): workgroup memory and barriers cost more than they save. */
  readonly cpuAdapter?: boolean;
}

/** WebGPU's compatibility-mode defaults: what every adapter grants. */
export const baselineLimits: DeviceLimits = {
  maxComputeInvocationsPerWorkgroup: 128,
  maxComputeWorkgroupSizeX: 128,
  maxComputeWorkgroupSizeY: 128,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 4,
};

/** WebGPU's core-mode defaults (what a Vulkan, Metal or D3D12 adapter grants at least). */
export const coreLimits: DeviceLimits = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
};

/** One storage binding, in binding order: the inputs (read), then the output (read_write). */
export interface Binding {
  /** The WGSL variable name of the buffer. */
  readonly name: string;
  /** Element type of the buffer as the engine sees it (stored as its WGSL storage type). */
  readonly dtype: DType;
  /** "read" for inputs, "read_write" for the output. */
  readonly access: "read" | "read_write";
}

/** A compiled-to-WGSL program, ready for a pipeline. */
export interface ShaderSpec {
  /** The WGSL source of the compute shader (entry point `main`). */
  readonly code: string;
  /** The storage bindings of group 0, in binding order. */
  readonly bindings: readonly Binding[];
  /** The `@workgroup_size` of the entry point (x, y, z). */
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroups per dimension; [0, 0, 0] means there is nothing to run. */
  readonly dispatch: readonly [number, number, number];
  /** Equal keys mean equal shaders (structural: the program's key plus the choices made here). */
  readonly cacheKey: string;
  /**
   * Set when the program has more inputs than the adapter binds: they are then read from one u32
   * buffer (binding 0) that the runtime fills with a header of each input's word offset, followed by
   * the inputs' words, in order. The value is the number of inputs.
   */
  readonly packedInputs?: number;
}

/** Bindings of a program reading `inputs` and writing `output` (names in0…, out). */
export function bindingsOf(inputs: readonly DType[], output: DType): Binding[] {
  return [...inputs.map((dtype, i) => ({ name: `in${i}`, dtype, access: "read" as const })), { name: "out", dtype: output, access: "read_write" }];
}

/** Whether `inputs` inputs and one output exceed the adapter's storage buffers per kernel. */
export function needsPacking(inputs: number, limits: DeviceLimits): boolean {
  return inputs + 1 > limits.maxStorageBuffersPerShaderStage;
}

/** Checks that a program's bindings fit the adapter's storage-buffer limit. */
export function checkBindings(what: string, bindings: readonly Binding[], limits: DeviceLimits): void {
  if (bindings.length > limits.maxStorageBuffersPerShaderStage) {
    throw new Error(
      `${what} reads ${bindings.length - 1} buffers and writes 1, but this adapter allows ${limits.maxStorageBuffersPerShaderStage} storage buffers per kernel; split the computation (fewer distinct tensors per fused expression)`,
    );
  }
}

/** Splits `count` workgroups over x and y within the per-dimension limit; the kernel recovers the linear index as y·x + x. */
export function grid(count: number, limits: DeviceLimits, z = 1): [number, number, number] {
  if (count <= 0 || z <= 0) return [0, 0, 0];
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (z > max) throw new Error(`WebGPU dispatch: ${z} batches exceed the adapter's ${max} workgroups per dimension`);
  if (count <= max) return [count, 1, z];
  const y = Math.ceil(count / max);
  if (y > max) throw new Error(`WebGPU dispatch: ${count} workgroups exceed the adapter's ${max}² grid`);
  return [Math.ceil(count / y), y, z];
}

/** The largest power of two ≤ n. */
export function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)));
}

/** Collects WGSL: bindings, module-scope declarations, helpers on demand, and the entry point. */
export class WgslBuilder {
  private readonly used = new Set<HelperName>();
  private readonly decls: string[] = [];
  private readonly body: string[] = [];
  private depth = 1;

  constructor(private readonly bindings: readonly Binding[]) {}

  /** Marks a helper as used (the table and routines call this). */
  readonly use = (h: HelperName): void => {
    this.used.add(h);
  };

  /** A module-scope declaration (const, var<workgroup>, fn). */
  decl(code: string): this {
    this.decls.push(code);
    return this;
  }

  /** A line of the entry point's body at the current indentation. */
  line(code: string): this {
    this.body.push("  ".repeat(this.depth) + code);
    return this;
  }

  /** Opens a block (`for (…) {`), runs `inner`, closes it. */
  block(head: string, inner: () => void): this {
    this.line(`${head} {`);
    this.depth++;
    inner();
    this.depth--;
    return this.line("}");
  }

  /** The whole module. `builtins` are the entry point's parameters. */
  build(workgroupSize: readonly [number, number, number], builtins: string): string {
    const binds = this.bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${storageType(b.dtype)}>;`);
    return [
      ...binds,
      ...this.decls,
      ...helperCode(this.used),
      `@compute @workgroup_size(${workgroupSize.join(", ")})`,
      `fn main(${builtins}) {`,
      ...this.body,
      "}",
      "",
    ].join("\n");
  }
}
