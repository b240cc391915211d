// --backend: 'cpu', 'webgpu' (loads @scm-ts/webgpu, which in Node runs on Dawn, the optional peer
// package 'webgpu', about 130 MB) or 'auto' (the CPU unless WebGPU was asked for: a software adapter
// such as llvmpipe would be slower than the CPU). Asking for WebGPU without Dawn installed fails at
// once with the command that installs it, before any work starts. On the CPU, the float32
// convolutions and products run on the native oneDNN addon (@scm-ts/native-cpu) when it was built
// at install and SCM_CPU_NATIVE is not 0, else on the WebAssembly kernels; the line selectBackend
// returns says which.
import * as c from "@scm-ts/core";
import { useNativeCpu } from "@scm-ts/native-cpu";

/** The message when `--backend webgpu` is asked for and Dawn (the `webgpu` package) cannot be found. */
export const dawnMissing =
  "--backend webgpu needs Dawn, the optional package 'webgpu' (about 130 MB), which is not installed: " +
  "run npm install webgpu, or use --backend cpu";

/**
 * Throws an Error with {@link dawnMissing} when `resolve` cannot find the `webgpu` package (Dawn for
 * Node); `resolve` defaults to this module's `import.meta.resolve`, so the lookup starts where the CLI
 * is installed.
 */
export function requireDawn(resolve: (specifier: string) => string = (s) => import.meta.resolve(s)): void {
  try {
    resolve("webgpu");
  } catch (cause) {
    throw new Error(dawnMissing, { cause });
  }
}

/**
 * Selects the backend a command asked for; returns one line naming it and, on the CPU, the path
 * its convolutions take (native oneDNN, or WebAssembly and why).
 */
export async function selectBackend(name: string): Promise<string> {
  if (name === "webgpu") {
    requireDawn();
    await import("@scm-ts/webgpu");
  }
  const b = await c.setBackend(name === "auto" ? "cpu" : name);
  return b.name === "cpu" ? `backend: cpu; ${useNativeCpu()}` : `backend: ${b.name}`;
}
