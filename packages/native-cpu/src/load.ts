// Loads the oneDNN addon (built at install by scripts/install.mjs) and wraps it as core's NativeCpu:
// a ConvSpec becomes the addon's 14 integers, a MatmulSpec its 6, a StandardizeSpec a kind and its sizes. Loading happens once; the result is the library or
// the one-line reason it is absent: turned off (SCM_CPU_NATIVE=0), not built at install (the
// install's own reason), or built but unloadable (say, libdnnl missing at run time). oneDNN's
// OpenMP threads spin a bounded while before they sleep (GOMP_SPINCOUNT, unless it or
// OMP_WAIT_POLICY is set): a primitive such as the weight gradient passes several barriers per
// call, and a thread that sleeps at each (OMP_WAIT_POLICY=passive) is woken through the scheduler
// every time, which on a VM cost more than the convolution; spinning without bound (the active
// policy) would take the core the WebAssembly kernels' threads need between convolutions.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ConvSpec, NativeCpu } from "@scm-ts/core";

/** The addon's functions (src/dnnl.cc). */
interface Addon {
  conv(kind: number, geometry: number[], a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  matmul(geometry: number[], a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  standardize(kind: number, rows: number, len: number, eps: number, x: Float32Array, t: Float32Array | null, out: Float32Array): boolean;
  setThreads(threads: number): void;
  version(): string;
}

/** What `loadNative` found: the native library, or the one-line reason there is none. */
export type NativeLoad = { readonly native: NativeCpu; readonly reason?: undefined } | { readonly native?: undefined; readonly reason: string };

const kinds = { conv2d: 0, conv2dInputGrad: 1, conv2dWeightGrad: 2 } as const;
const standardizeKinds = { standardize: 0, standardizeTangent: 1, standardizeJvp: 2 } as const;

/** The addon's geometry of `s`: [n, cin, h, w, cout, kh, kw, oh, ow, sh, sw, ph, pw, groups]. */
export function geometry(s: ConvSpec): number[] {
  return [s.n, s.cin, s.h, s.w, s.cout, s.kh, s.kw, s.oh, s.ow, s.stride[0], s.stride[1], s.padding[0], s.padding[1], s.groups];
}

function wrap(addon: Addon): NativeCpu {
  return {
    name: `oneDNN ${addon.version()}`,
    conv: (s, a, b, out) => addon.conv(kinds[s.name], geometry(s), a, b, out),
    matmul: (s, a, b, out) => addon.matmul([s.batch, s.m, s.k, s.n, Number(s.transposeA), Number(s.transposeB)], a, b, out),
    standardize: (s, x, t, out) => addon.standardize(standardizeKinds[s.name], s.rows, s.len, s.eps, x, t, out),
    setThreads: (t) => addon.setThreads(t),
  };
}

/** Spins of an idle OpenMP thread before it sleeps (libgomp's default is 300000; 0 is the passive policy). */
const spinCount = 100_000;

let loaded: NativeLoad | undefined;

/** Loads the addon once: the native library, or why it is absent (one line). */
export function loadNative(): NativeLoad {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = new URL("../build/Release/scm_dnnl.node", import.meta.url);
  const reasonFile = new URL("../build/not-built.txt", import.meta.url);
  if (process.env.SCM_CPU_NATIVE === "0") loaded = { reason: "SCM_CPU_NATIVE=0 turned it off" };
  else if (!existsSync(file)) {
    const why = existsSync(reasonFile) ? readFileSync(reasonFile, "utf8").trim() : "the install script did not run";
    loaded = { reason: `the oneDNN addon was not built at install (${why}); run npm run build:native -w @scm-ts/native-cpu` };
  } else {
    if (process.env.OMP_WAIT_POLICY === undefined) process.env.GOMP_SPINCOUNT ??= String(spinCount);
    try {
      loaded = { native: wrap(require(file.pathname) as Addon) };
    } catch (err) {
      loaded = { reason: `the oneDNN addon failed to load: ${String((err as Error).message).split("\n")[0]}` };
    }
  }
  return loaded;
}
