// @scm-ts/native-cpu: the optional native CPU path for Node. `useNativeCpu` loads the oneDNN addon
// (built at install when a compiler and libdnnl-dev are present) and registers it with core's CPU
// backend, which then runs its float32 convolutions, products and standardisations (group norm)
// there; without it, the WebAssembly kernels run, and the line it returns says why.
import { registerNativeCpu } from "@scm-ts/core";
import { loadNative } from "./load.js";

export { loadNative, geometry, type NativeLoad } from "./load.js";

/**
 * Registers the native convolutions and products with the CPU backend when the addon loads, and
 * returns one line saying which path the CPU backend's convolutions take and, for WebAssembly, why.
 */
export function useNativeCpu(): string {
  const { native, reason } = loadNative();
  if (!native) return `cpu convolutions: WebAssembly (native path unavailable: ${reason})`;
  registerNativeCpu(native);
  return `cpu convolutions: native (${native.name})`;
}
