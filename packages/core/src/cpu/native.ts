// The hook through which a native CPU library (the optional @scm-ts/native-cpu addon over oneDNN,
// in Node) takes over the CPU backend's float32 convolutions, matrix products and standardisations
// (group and layer norm's core). Core stays free of Node: a host registers an implementation, and
// the 'cpu' backend's routines then offer it each float32 convolution, and each product or
// standardisation above a size where a call's fixed cost dominates, first,
// on the same arrays the WebAssembly kernels would use (wasm heap blocks included); it declines a
// call by returning false, and the WebAssembly path runs instead. The pure-JS reference backend
// ('cpu-js') never uses it.
import type { ConvSpec, MatmulSpec, StandardizeSpec } from "../ir/kernel.js";
import { wantedThreads } from "./gemm-threads.js";
import { recordNative } from "./kernel-stats.js";

/** A native implementation of the CPU backend's float32 convolutions and products (`registerNativeCpu`). */
export interface NativeCpu {
  /** What it is, for the one line a host prints (`"oneDNN 2.6.3"`). */
  readonly name: string;
  /**
   * Runs map `spec.name` in float32 into `out`: conv2d (a = x, b = w → y), conv2dInputGrad
   * (a = ct_y, b = w → ct_x) or conv2dWeightGrad (a = x, b = ct_y → ct_w), in the layouts of
   * {@link ConvSpec}. Returns false, having written nothing, when it has no kernel for the geometry.
   */
  conv(spec: ConvSpec, a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  /**
   * Optionally, the batched product out = op(a)·op(b) of {@link MatmulSpec} in float32; returns
   * false, having written nothing, when it has no kernel for it.
   */
  matmul?(spec: MatmulSpec, a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  /**
   * Optionally, the standardisation routine `spec.name` in float32 (ops/standardize.ts): x's rows
   * standardised, or their tangent along t, or both ([y; t_y] for standardizeJvp), into `out`, as
   * cpu/standardize.ts computes them; t is null for `standardize`. Returns false, having written
   * nothing, when it has no kernel for it.
   */
  standardize?(spec: StandardizeSpec, x: Float32Array, t: Float32Array | null, out: Float32Array): boolean;
  /** Sets how many threads its calls use from now on (the CPU backend's thread count). */
  setThreads(threads: number): void;
}

let native: NativeCpu | null = null;
let threads = 0;

/**
 * Registers `impl` as the CPU backend's native path for convolutions and products (null unregisters
 * it). Programs already compiled pick it up at their next run.
 */
export function registerNativeCpu(impl: NativeCpu | null): void {
  native = impl;
  threads = 0;
}

/** The registered native path, or null. */
export function nativeCpu(): NativeCpu | null {
  return native;
}

/** Products with fewer multiply-adds than this stay on the WebAssembly path (a native call's fixed cost dominates). */
export const minNativeMatmul = 1 << 15;

/** Standardisations of fewer elements than this stay on the JavaScript routine. */
export const minNativeStandardize = 1 << 12;

// The registered library with the backend's thread count set, or null.
function ready(): NativeCpu | null {
  const t = wantedThreads();
  if (native && t !== threads) native.setThreads((threads = t));
  return native;
}

/** Runs `spec` on the native path if one is registered and takes it; false otherwise. */
export function nativeConv(spec: ConvSpec, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  const n = spec.dtype === "float32" ? ready() : null;
  return n !== null && n.conv(spec, a, b, out) && recordNative();
}

/** Runs the product `spec` on the native path if one is registered, the product is large enough, and it takes it. */
export function nativeMatmul(spec: MatmulSpec, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
  const n = spec.dtype === "float32" && spec.batch * spec.m * spec.k * spec.n >= minNativeMatmul ? ready() : null;
  return n?.matmul !== undefined && n.matmul(spec, a, b, out) && recordNative();
}

/** Runs the standardisation `spec` on the native path if one is registered, the call is large enough, and it takes it. */
export function nativeStandardize(spec: StandardizeSpec, x: Float32Array, t: Float32Array | null, out: Float32Array): boolean {
  const n = spec.dtype === "float32" && spec.rows * spec.len >= minNativeStandardize ? ready() : null;
  return n?.standardize !== undefined && n.standardize(spec, x, t, out) && recordNative();
}
