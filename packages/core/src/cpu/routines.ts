// CPU routines: batched matmul and the three bilinear maps of a grouped, strided, padded 2-D
// convolution (NCHW input, OIHW weights), by im2col and gemm (the JS gemm is the reference; float32
// products may run on the WebAssembly SIMD kernel; float32 convolutions, products and standardisations on a registered native library first, native.ts). They are the reference for the WebGPU routines. Convolution math: y[n,o,i,j] = Σ_{c,u,v} w[o,c,u,v]·x[n, g·Cg+c, s·i+u−p, s·j+v−p].
import type { DataArray } from "../dtype.js";
import type { ConvSpec, MatmulSpec, RoutineSpec } from "../ir/kernel.js";
import { gemm as gemmJs, type MatView } from "./gemm.js";
import { convF32Wasm, convWeightGradF32Wasm } from "./wasm-conv.js";
import { gemmF32Wasm, matmulF32Wasm, wasmGemm } from "./wasm-gemm.js";
import { runAttention } from "./attention.js";
import { runStandardize } from "./standardize.js";
import { nativeConv, nativeMatmul, nativeStandardize } from "./native.js";

/** How routines run: `simd` uses the WebAssembly SIMD kernel for float32 products when available. */
export interface RoutineOptions {
  readonly simd: boolean;
}

let useSimd = false;
// float32 outputs go to the SIMD kernel when enabled (accumulating in float32); the rest to JS.
function gemm(m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): void {
  const w = useSimd && c instanceof Float32Array && k > 0 && m * n * k > 2048 ? wasmGemm() : null;
  if (!w || !gemmF32Wasm(w, m, n, k, a, b, c, cOff, accumulate)) gemmJs(m, n, k, a, b, c, cOff, accumulate);
}

function matmul(s: MatmulSpec, out: DataArray, [a, b]: DataArray[]): void {
  if (useSimd && out instanceof Float32Array && nativeMatmul(s, a as Float32Array, b as Float32Array, out)) return;
  const { m, k, n } = s;
  // tiny products (≤ 2048 multiply-adds) cost less in JS than the copies into wasm memory
  const w = useSimd && out instanceof Float32Array && k > 0 && s.batch * m * n * k > 2048 ? wasmGemm() : null;
  if (w) {
    // all batch items in one call, so threads can split across them
    const av = s.transposeA ? { data: a!, off: 0, rs: 1, cs: m, bs: m * k } : { data: a!, off: 0, rs: k, cs: 1, bs: m * k };
    const bv = s.transposeB ? { data: b!, off: 0, rs: 1, cs: k, bs: k * n } : { data: b!, off: 0, rs: n, cs: 1, bs: k * n };
    if (matmulF32Wasm(w, s.batch, m, n, k, av, bv, out, 0, false)) return;
  }
  for (let i = 0; i < s.batch; i++) {
    const av = s.transposeA ? { data: a!, off: i * m * k, rs: 1, cs: m } : { data: a!, off: i * m * k, rs: k, cs: 1 };
    const bv = s.transposeB ? { data: b!, off: i * k * n, rs: 1, cs: k } : { data: b!, off: i * k * n, rs: n, cs: 1 };
    gemm(m, n, k, av, bv, out, i * m * n, false);
  }
}

// cols[(c·kh + u)·kw + v, i·ow + j] = x[n, c0 + c, s·i + u − p, s·j + v − p] (0 outside)
function im2col(s: ConvSpec, x: DataArray, n: number, c0: number, cg: number, cols: DataArray): void {
  const { h, w, kh, kw, oh, ow } = s;
  const [sh, sw] = s.stride, [ph, pw] = s.padding;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const xo = (n * s.cin + c0 + c) * h * w;
    for (let u = 0; u < kh; u++) {
      for (let v = 0; v < kw; v++, r++) {
        const ro = r * oh * ow;
        for (let i = 0; i < oh; i++) {
          const y = sh * i + u - ph;
          for (let j = 0; j < ow; j++) {
            const xx = sw * j + v - pw;
            cols[ro + i * ow + j] = y >= 0 && y < h && xx >= 0 && xx < w ? x[xo + y * w + xx]! : 0;
          }
        }
      }
    }
  }
}

// The adjoint of im2col: adds cols back into x.
function col2im(s: ConvSpec, cols: DataArray, n: number, c0: number, cg: number, x: DataArray): void {
  const { h, w, kh, kw, oh, ow } = s;
  const [sh, sw] = s.stride, [ph, pw] = s.padding;
  let r = 0;
  for (let c = 0; c < cg; c++) {
    const xo = (n * s.cin + c0 + c) * h * w;
    for (let u = 0; u < kh; u++) {
      for (let v = 0; v < kw; v++, r++) {
        const ro = r * oh * ow;
        for (let i = 0; i < oh; i++) {
          const y = sh * i + u - ph;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < ow; j++) {
            const xx = sw * j + v - pw;
            if (xx >= 0 && xx < w) x[xo + y * w + xx]! += cols[ro + i * ow + j]!;
          }
        }
      }
    }
  }
}

// The input gradient of a stride-1 convolution is a convolution of ct with the flipped, transposed
// weights: dx[n, g·cg + c, y, x] = Σ_{o,u,v} W[g·og + o, c, u, v]·ct[n, g·og + o, y − u + p, x − v + p],
// i.e. weights W'[g·cg + c, o, kh−1−u, kw−1−v] = W[g·og + o, c, u, v] and padding kh−1−p (which may
// be negative: the kernel treats out-of-range rows as zero either way).
function convInputGradAsConv(s: ConvSpec, ct: DataArray, wts: DataArray): { spec: ConvSpec; w: Float32Array } {
  const cg = s.cin / s.groups, og = s.cout / s.groups, khw = s.kh * s.kw;
  const wt = new Float32Array(s.cin * og * khw);
  for (let g = 0; g < s.groups; g++)
    for (let o = 0; o < og; o++)
      for (let c = 0; c < cg; c++)
        for (let u = 0; u < s.kh; u++)
          for (let v = 0; v < s.kw; v++)
            wt[(((g * cg + c) * og + o) * s.kh + (s.kh - 1 - u)) * s.kw + (s.kw - 1 - v)] = wts[(((g * og + o) * cg + c) * s.kh + u) * s.kw + v]!;
  const spec: ConvSpec = {
    name: "conv2d", dtype: s.dtype, n: s.n, cin: s.cout, h: s.oh, w: s.ow, cout: s.cin, kh: s.kh, kw: s.kw, oh: s.h, ow: s.w,
    stride: [1, 1], padding: [s.kh - 1 - s.padding[0], s.kw - 1 - s.padding[1]], groups: s.groups,
  };
  return { spec, w: wt };
}

function conv(s: ConvSpec, out: DataArray, [p, q]: DataArray[]): void {
  if (useSimd && out instanceof Float32Array && nativeConv(s, p as Float32Array, q as Float32Array, out)) return;
  const w = useSimd && out instanceof Float32Array ? wasmGemm() : null;
  if (w && s.name === "conv2d" && convF32Wasm(w, s, p!, q!, out)) return;
  if (w && s.name === "conv2dInputGrad" && s.stride[0] === 1 && s.stride[1] === 1) {
    const t = convInputGradAsConv(s, p!, q!);
    if (convF32Wasm(w, t.spec, p!, t.w, out)) return;
  }
  if (w && s.name === "conv2dWeightGrad" && convWeightGradF32Wasm(w, s, p!, q!, out)) return;
  const cg = s.cin / s.groups, og = s.cout / s.groups, kk = cg * s.kh * s.kw, hw = s.oh * s.ow;
  const cols = s.dtype === "float32" ? new Float32Array(kk * hw) : new Float64Array(kk * hw);
  if (s.name === "conv2d") {
    // out = y; p = x, q = w
    for (let n = 0; n < s.n; n++) {
      for (let g = 0; g < s.groups; g++) {
        im2col(s, p!, n, g * cg, cg, cols);
        gemm(og, hw, kk, { data: q!, off: g * og * kk, rs: kk, cs: 1 }, { data: cols, off: 0, rs: hw, cs: 1 }, out, (n * s.cout + g * og) * hw, false);
      }
    }
  } else if (s.name === "conv2dInputGrad") {
    // out = dx; p = ct (shape of y), q = w:  dcols = W_gᵀ·ct_g, then col2im
    out.fill(0);
    for (let n = 0; n < s.n; n++) {
      for (let g = 0; g < s.groups; g++) {
        gemm(kk, hw, og, { data: q!, off: g * og * kk, rs: 1, cs: kk }, { data: p!, off: (n * s.cout + g * og) * hw, rs: hw, cs: 1 }, cols, 0, false);
        col2im(s, cols, n, g * cg, cg, out);
      }
    }
  } else {
    // out = dw; p = x, q = ct:  dW_g = Σ_n ct_g · colsᵀ
    out.fill(0);
    for (let n = 0; n < s.n; n++) {
      for (let g = 0; g < s.groups; g++) {
        im2col(s, p!, n, g * cg, cg, cols);
        gemm(og, kk, hw, { data: q!, off: (n * s.cout + g * og) * hw, rs: hw, cs: 1 }, { data: cols, off: 0, rs: 1, cs: hw }, out, g * og * kk, true);
      }
    }
  }
}

/** Runs a routine on host arrays. */
export function runRoutine(spec: RoutineSpec, out: DataArray, inputs: DataArray[], options: RoutineOptions = { simd: false }): void {
  useSimd = options.simd;
  if (spec.name === "matmul") matmul(spec, out, inputs);
  else if ("scale" in spec) runAttention(spec, out, inputs, matmul);
  else if ("eps" in spec) {
    const [x, t] = inputs;
    const native = useSimd && out instanceof Float32Array && x instanceof Float32Array && nativeStandardize(spec, x, t instanceof Float32Array ? t : null, out);
    if (!native) runStandardize(spec, out, inputs);
  }
  else conv(spec, out, inputs);
}
