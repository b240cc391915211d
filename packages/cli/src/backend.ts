// --backend: 'cpu', 'webgpu' (loads @scm-ts/webgpu, which in Node runs on Dawn, the optional peer
// package 'webgpu', about 130 MB) or 'auto', which means what `setBackend("auto")` means in the
// library — core's one decision: WebGPU on a hardware adapter, else the CPU (a software adapter such as
// llvmpipe is slower than the CPU, and is skipped with one line saying so). 'auto' loads WebGPU only
// when Dawn is installed. Asking for WebGPU by name without Dawn fails at once with the command that
// installs it, before any work starts.
// On the CPU, the float32 convolutions and products run on the native oneDNN addon
// (@scm-ts/native-cpu) when it was built at install and SCM_CPU_NATIVE is not 0, else on the
// WebAssembly kernels; the line selectBackend returns says which.
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
  if (!dawnInstalled(resolve)) throw new Error(dawnMissing);
}

/** Whether `resolve` finds the `webgpu` package (Dawn for Node). */
function dawnInstalled(resolve: (specifier: string) => string = (s) => import.meta.resolve(s)): boolean {
  try {
    resolve("webgpu");
    return true;
  } catch {
    return false;
  }
}

/**
 * Selects the backend a command asked for ('auto': core's choice, with WebGPU loaded when Dawn is
 * installed); returns one line naming it and, on the CPU, the path its convolutions and products take
 * (native oneDNN, or WebAssembly and why).
 */
export async function selectBackend(name: string): Promise<string> {
  if (name === "webgpu") requireDawn();
  if (name === "webgpu" || (name === "auto" && dawnInstalled())) await import("@scm-ts/webgpu");
  const b = await c.setBackend(name);
  return b.name === "cpu" ? `backend: cpu; ${useNativeCpu()}` : `backend: ${b.name}`;
}
