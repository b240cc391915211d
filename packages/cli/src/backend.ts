// --backend: 'cpu', 'webgpu' (loads @scm-ts/webgpu, which brings Dawn in Node) or 'auto' (the CPU
// unless WebGPU was asked for: a software adapter such as llvmpipe would be slower than the CPU).
import * as c from "@scm-ts/core";

/** Selects the backend a command asked for. */
export async function selectBackend(name: string): Promise<void> {
  if (name === "webgpu") await import("@scm-ts/webgpu");
  await c.setBackend(name === "auto" ? "cpu" : name);
}
