// @scm-ts/webgpu: the WebGPU backend of the engine. Importing it registers the backend as 'webgpu',
// so `setBackend('webgpu')` and `setBackend('auto')` find it. `codegen/` turns the engine's programs
// (kernel IR and routine specs) into WGSL without a device; `runtime/` acquires a device (Dawn's
// `webgpu` package in Node, navigator.gpu in browsers) and runs them. This file is the package's
// whole public surface.
import { registerBackend } from "@scm-ts/core";
import { acquireDevice } from "./runtime/acquire.js";
import { createWebGpuBackend } from "./runtime/backend.js";

registerBackend("webgpu", async () => createWebGpuBackend(await acquireDevice()));

export { acquireDevice, type GpuContext } from "./runtime/acquire.js";
export { filterDawnWarningsFrom, withoutDawnWarnings, DAWN_LIMIT_WARNING } from "./runtime/dawn-stderr.js";
export { createWebGpuBackend, webgpuOptionalRoutines, type WebGpuBackend, type WebGpuBackendOptions, type WebGpuStats } from "./runtime/backend.js";
export { programShader } from "./codegen/program.js";
export { kernelShader, reduceStrategy, type ReduceStrategy } from "./codegen/kernel.js";
export { gemmTiling, type GemmTiling } from "./codegen/routines/gemm.js";
export { wgslOps } from "./codegen/ops.js";
export { baselineLimits, coreLimits, type DeviceLimits, type ShaderSpec, type Binding } from "./codegen/shader.js";
export { createCompileOnlyBackend, type CompileOnlyBackend } from "./codegen/compile-only.js";
export { webgpuGate, type WebGpuGate } from "./test-support/gate.js";
