// Adapter and device acquisition. Browsers (and Deno) use navigator.gpu. Node uses Dawn's `webgpu`
// package: core feature level on the platform's default backend (Vulkan, Metal, D3D12) first, then
// on Linux the compatibility level on OpenGL ES, which is how Mesa's llvmpipe runs kernels on
// machines without a GPU (EGL_PLATFORM=surfaceless must be in the real process environment; it is
// set here when missing on the main thread). The object from create() is kept referenced for the
// device's whole life: Dawn crashes if it is collected first. The device gets the adapter's limits,
// not the low defaults; uncaptured errors are captured (Dawn prints them otherwise) and a lost
// device is recorded, and `check()` turns either into a thrown error at the next engine call. Dawn's
// two "artificially reduced" warnings, printed natively on every adapter request, are filtered out
// (dawn-stderr.ts).
import { baselineLimits, type DeviceLimits } from "../codegen/shader.js";
import { filterDawnWarnings } from "./dawn-stderr.js";

/** A device ready for the backend. */
export interface GpuContext {
  /** The device every buffer, pipeline and dispatch of the backend uses. */
  readonly device: GPUDevice;
  /** The adapter, as a person reads it (e.g. "llvmpipe … via opengles, compatibility"). */
  readonly description: string;
  /** The WebGPU feature level granted: "core" (Vulkan, Metal, D3D12) or "compatibility" (OpenGL ES). */
  readonly featureLevel: "core" | "compatibility";
  /** The limits the device was created with (the adapter's, not the defaults). */
  readonly limits: DeviceLimits & {
    /** Largest byte size of one storage binding. */
    readonly maxStorageBufferBindingSize: number;
    /** Largest byte size of one buffer. */
    readonly maxBufferSize: number;
  };
  /** Dawn's GPU object (Node): held so it lives as long as the device. */
  readonly keepAlive: unknown;
  /** Throws the first uncaptured error since the last check, or the device loss. */
  check(): void;
  /** Records an error found asynchronously (e.g. by an error scope); `check` throws it. */
  report(message: string): void;
}

type Attempt = { readonly backend: string; readonly featureLevel: "core" | "compatibility" };

const isNode = (): boolean => typeof process !== "undefined" && typeof process.versions?.node === "string";

/** Dawn flags per backend name ('default' lets Dawn pick). */
const flagsOf = (backend: string): string[] => (backend === "default" ? [] : [`backend=${backend}`]);

/** Whether a Vulkan loader is installed (Dawn prints a warning when probing Vulkan without one). */
async function hasVulkanLoader(): Promise<boolean> {
  try {
    const fs = await import("node:fs");
    const dirs = (process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean);
    if (dirs.some((d) => fs.existsSync(`${d}/libvulkan.so.1`))) return true;
    return fs.readFileSync("/etc/ld.so.cache").includes("libvulkan.so.1");
  } catch {
    return true;
  }
}

async function nodeAttempts(): Promise<Attempt[]> {
  const forced = process.env.SCM_WEBGPU_BACKEND;
  if (forced) return [{ backend: forced, featureLevel: forced.startsWith("opengl") ? "compatibility" : "core" }];
  if (process.platform !== "linux") return [{ backend: "default", featureLevel: "core" }];
  const gl: Attempt = { backend: "opengles", featureLevel: "compatibility" };
  return (await hasVulkanLoader()) ? [{ backend: "default", featureLevel: "core" }, gl] : [gl];
}

async function setEglPlatform(): Promise<void> {
  if (process.platform !== "linux" || process.env.EGL_PLATFORM) return;
  const { isMainThread } = await import("node:worker_threads");
  // A worker's process.env is a copy that Dawn never sees; only the main thread can set it.
  if (isMainThread) process.env.EGL_PLATFORM = "surfaceless";
}

const HELP =
  "On Linux without a GPU: apt-get install -y --no-install-recommends libegl-dev libegl-mesa0 libgl1-mesa-dri, and start the process with EGL_PLATFORM=surfaceless (Mesa's llvmpipe then runs WebGPU through OpenGL ES). With an NVIDIA GPU, install the Vulkan loader (libvulkan1). SCM_WEBGPU_BACKEND=vulkan|opengles|opengl|metal|d3d12 forces a backend.";

async function nodeAdapter(): Promise<{ adapter: GPUAdapter; keepAlive: unknown; via: string; featureLevel: Attempt["featureLevel"] }> {
  await setEglPlatform();
  const specifier = "webgpu";
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (e) {
    throw new Error(`the 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}. Install it with npm install webgpu`);
  }
  const tried: string[] = [];
  const attempts = await nodeAttempts();
  // Dawn's native side prints two "artificially reduced" warnings on every adapter request.
  const found = await filterDawnWarnings(async () => {
    for (const a of attempts) {
      const gpu = mod.create(flagsOf(a.backend));
      const adapter = await gpu.requestAdapter({ featureLevel: a.featureLevel, powerPreference: "high-performance" });
      if (adapter) return { adapter, keepAlive: gpu, via: `${a.backend}, ${a.featureLevel}`, featureLevel: a.featureLevel };
      tried.push(`${a.backend} (${a.featureLevel})`);
    }
    return undefined;
  });
  if (found) return found;
  const egl = process.platform === "linux" && !process.env.EGL_PLATFORM ? " EGL_PLATFORM is not set." : "";
  throw new Error(`no WebGPU adapter: tried ${tried.join(", ")}.${egl} ${HELP}`);
}

async function browserAdapter(gpu: GPU): Promise<{ adapter: GPUAdapter; keepAlive: unknown; via: string; featureLevel: Attempt["featureLevel"] }> {
  const core = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (core) return { adapter: core, keepAlive: gpu, via: "navigator.gpu, core", featureLevel: "core" };
  const compat = await gpu.requestAdapter({ featureLevel: "compatibility" });
  if (compat) return { adapter: compat, keepAlive: gpu, via: "navigator.gpu, compatibility", featureLevel: "compatibility" };
  throw new Error("no WebGPU adapter: navigator.gpu.requestAdapter() returned null (WebGPU disabled or unsupported here)");
}

/** The adapter's limits, every one requested (the defaults are far lower than most adapters). */
function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (const k in limits) if (typeof limits[k] === "number") out[k] = limits[k];
  return out;
}

/** Acquires an adapter and a device, or explains what is missing. */
export async function acquireDevice(): Promise<GpuContext> {
  const navGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!navGpu && !isNode()) throw new Error("no WebGPU here: neither navigator.gpu nor Node");
  const { adapter, keepAlive, via, featureLevel } = navGpu ? await browserAdapter(navGpu) : await nodeAdapter();
  const requiredLimits = adapterLimits(adapter);
  const device = await adapter.requestDevice({ requiredLimits });
  const info = adapter.info;
  const name = [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(" ") || "unnamed adapter";
  const description = `${name} (${via})`;
  const errors: string[] = [];
  let lost: GPUDeviceLostInfo | undefined;
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    ev.preventDefault();
    errors.push(ev.error.message);
  };
  void device.lost.then((info: GPUDeviceLostInfo) => {
    lost = info;
  });
  const num = (k: string, fallback: number): number => requiredLimits[k] ?? fallback;
  const limits = {
    maxComputeInvocationsPerWorkgroup: num("maxComputeInvocationsPerWorkgroup", baselineLimits.maxComputeInvocationsPerWorkgroup),
    maxComputeWorkgroupSizeX: num("maxComputeWorkgroupSizeX", baselineLimits.maxComputeWorkgroupSizeX),
    maxComputeWorkgroupSizeY: num("maxComputeWorkgroupSizeY", baselineLimits.maxComputeWorkgroupSizeY),
    maxComputeWorkgroupsPerDimension: num("maxComputeWorkgroupsPerDimension", baselineLimits.maxComputeWorkgroupsPerDimension),
    maxComputeWorkgroupStorageSize: num("maxComputeWorkgroupStorageSize", baselineLimits.maxComputeWorkgroupStorageSize),
    maxStorageBuffersPerShaderStage: num("maxStorageBuffersPerShaderStage", baselineLimits.maxStorageBuffersPerShaderStage),
    maxStorageBufferBindingSize: num("maxStorageBufferBindingSize", 134217728),
    maxBufferSize: num("maxBufferSize", 268435456),
    cpuAdapter: (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|softpipe/i.test(name),
  };
  return {
    device,
    description,
    featureLevel,
    limits,
    keepAlive,
    report: (message) => void errors.push(message),
    check() {
      if (lost) {
        throw new Error(
          `the WebGPU device on ${description} was lost (${lost.reason}: ${lost.message || "no message"}); every tensor and compiled kernel on it is gone. Restart the process, or setBackend('cpu')`,
        );
      }
      const e = errors.shift();
      if (e !== undefined) {
        errors.length = 0;
        throw new Error(`WebGPU error on ${description}: ${e}`);
      }
    },
  };
}
