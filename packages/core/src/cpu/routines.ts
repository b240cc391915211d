// CPU routines: batched matmul and the three bilinear maps of a grouped, strided, padded 2-D
// convolution (NCHW input, OIHW weights), by im2col and gemm (the JS gemm is the reference; float32
// products may run on the WebAssembly SIMD kernel). They are the reference for the WebGPU routines. Convolution math: y[n,o,i,j] = Σ_{c,u,v} w[o,c,u,v]·x[n, g·Cg+c, s·i+u−p, s·j+v−p].
import type { DataArray } from "../dtype.js";
import type { ConvSpec, MatmulSpec, RoutineSpec } from "../ir/kernel.js";
import { gemm as gemmJs, type MatView } from "./gemm.js";
import { gemmF32Wasm, wasmGemm } from "./wasm-gemm.js";
import { runAttention } from "./attention.js";

/** How routines run: `simd` uses the WebAssembly SIMD kernel for float32 products when available. */
export interface RoutineOptions {
  readonly simd: boolean;
}

let useSimd = false;
// float32 outputs go to the SIMD kernel when enabled (accumulating in float32); the rest to JS.
function gemm(m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): void {
  const w = useSimd && c instanceof Float32Array && k > 0 ? wasmGemm() : null;
  if (w) gemmF32Wasm(w, m, n, k, a, b, c, cOff, accumulate);
  else gemmJs(m, n, k, a, b, c, cOff, accumulate);
}

function matmul(s: MatmulSpec, out: DataArray, [a, b]: DataArray[]): void {
  const { m, k, n } = s;
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

function conv(s: ConvSpec, out: DataArray, [p, q]: DataArray[]): void {
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
  else if ("scale" in spec) runAttention(spec, out, inputs, gemm);
  else conv(spec, out, inputs);
}
