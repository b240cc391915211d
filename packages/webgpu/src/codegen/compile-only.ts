// A compile-only backend (tinygrad's null device): it runs every program on the CPU backend, and
// also compiles each one to WGSL on first sight, keeping the shaders. Tests run whole models
// through it to check that every program the engine produces has a WGSL form, without a device.
import { createCpuBackend, programKey, type Backend } from "@scm-ts/core";
import { programShader } from "./program.js";
import { coreLimits, type DeviceLimits, type ShaderSpec } from "./shader.js";

/** A CPU-executing backend that also records the WGSL of every program it prepares. */
export interface CompileOnlyBackend extends Backend {
  /** Shaders by program key, in the order first prepared. */
  readonly shaders: Map<string, ShaderSpec>;
}

/** Creates a compile-only backend named `name` (default 'webgpu-compile'). */
export function createCompileOnlyBackend(limits: DeviceLimits = coreLimits, name = "webgpu-compile"): CompileOnlyBackend {
  const cpu = createCpuBackend();
  const shaders = new Map<string, ShaderSpec>();
  return {
    ...cpu,
    name,
    shaders,
    // float64 has no WGSL form, as on the real backend.
    supports: (dtype) => dtype !== "float64",
    prepare(program) {
      const key = programKey(program);
      if (!shaders.has(key)) shaders.set(key, programShader(program, limits));
      return cpu.prepare(program);
    },
  };
}
