// Shared by the WebGPU test files: whether the global setup found an adapter, a `describe` that
// skips quietly without one (the global setup already printed the one line saying so), and the
// active backend as a WebGpuBackend.
import { describe, inject } from "vitest";
import { getBackend, setBackend } from "@scm-ts/core";
import "../index.js";
import type { WebGpuBackend } from "../runtime/backend.js";

/** Whether WebGPU runs here, and on what. */
export const webgpu = inject("webgpu");

/** `describe` for tests that need a device. */
export function describeWebGpu(name: string, body: () => void): void {
  describe.skipIf(!webgpu.available)(name, body);
}

/** Selects the WebGPU backend and returns it. */
export async function useWebGpu(): Promise<WebGpuBackend> {
  await setBackend("webgpu");
  return getBackend() as WebGpuBackend;
}
