// Compiled pipelines, cached twice: by the program's structural key (so the engine's programs are
// generated once) and by the generated shader's cache key (so programs that generate the same
// shader share one pipeline). Layouts are explicit, one storage binding per input (read-only) and
// the output (read-write). Compilation errors are caught by an error scope and reported with the
// kernel's WGSL, so the next engine call throws a message that shows what failed to compile.
import { programKey, type Program } from "@scm-ts/core";
import { programShader } from "../codegen/program.js";
import type { DeviceLimits, ShaderSpec } from "../codegen/shader.js";

/** A program ready to dispatch. */
export interface CompiledProgram {
  readonly spec: ShaderSpec;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const COMPUTE_STAGE = 0x4;

/** The pipeline cache of one device. */
export class PipelineCache {
  private readonly byProgram = new Map<string, CompiledProgram>();
  private readonly byShader = new Map<string, CompiledProgram>();

  constructor(
    private readonly device: GPUDevice,
    private readonly limits: DeviceLimits,
    private readonly report: (message: string) => void,
  ) {}

  /** Number of distinct pipelines compiled. */
  get size(): number {
    return this.byShader.size;
  }

  /** The compiled form of a program (generated and compiled on first use). */
  get(program: Program): CompiledProgram {
    const key = programKey(program);
    let hit = this.byProgram.get(key);
    if (hit) return hit;
    const spec = programShader(program, this.limits);
    hit = this.byShader.get(spec.cacheKey) ?? this.compile(spec);
    this.byShader.set(spec.cacheKey, hit);
    this.byProgram.set(key, hit);
    return hit;
  }

  private compile(spec: ShaderSpec): CompiledProgram {
    const label = spec.cacheKey.length > 120 ? `${spec.cacheKey.slice(0, 117)}...` : spec.cacheKey;
    this.device.pushErrorScope("validation");
    const layout = this.device.createBindGroupLayout({
      label,
      entries: spec.bindings.map((b, i) => ({ binding: i, visibility: COMPUTE_STAGE, buffer: { type: b.access === "read" ? "read-only-storage" : "storage" } })),
    });
    const module = this.device.createShaderModule({ label, code: spec.code });
    const pipeline = this.device.createComputePipeline({
      label,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    void this.device.popErrorScope().then((err) => {
      if (err) this.report(`compiling a kernel failed: ${err.message}\n--- WGSL (${label}) ---\n${spec.code}`);
    });
    return { spec, pipeline, layout };
  }
}
