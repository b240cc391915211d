// CPU routines of the attention primitives (ops/attention.ts), per batch entry b, on the CPU's GEMM
// (so the products take the same fast path as matmul): S = Q·Kᵀ, P = softmax(s·S) row by row
// (max-subtracted), then y = P·V; for the tangent t_X = s·(t_Q·Kᵀ + Q·t_Kᵀ),
// t_P = P ⊙ (t_X − rowsum(P ⊙ t_X)) and t_y = t_P·V + P·t_V. The N×M scratch is reused across calls.
import type { DataArray } from "../dtype.js";
import type { AttentionSpec } from "../ir/kernel.js";
import type { MatView } from "./gemm.js";

/** The GEMM the routines run on: C[m×n] at cOff (= or +=) A[m×k]·B[k×n]. */
export type Gemm = (m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean) => void;

let scratch64 = new Float64Array(0);
let scratch32 = new Float32Array(0);

/** Two N×M scratch matrices of the output's float type. */
function scratch(out: DataArray, size: number): [DataArray, DataArray] {
  if (out instanceof Float32Array) {
    if (scratch32.length < 2 * size) scratch32 = new Float32Array(2 * size);
    return [scratch32.subarray(0, size), scratch32.subarray(size, 2 * size)];
  }
  if (scratch64.length < 2 * size) scratch64 = new Float64Array(2 * size);
  return [scratch64.subarray(0, size), scratch64.subarray(size, 2 * size)];
}

/** P ← softmax(s·P) along each row of an n×m matrix. */
function softmaxRows(p: DataArray, n: number, m: number, s: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, s * p[o + j]!);
    if (!Number.isFinite(mx)) mx = 0;
    let l = 0;
    for (let j = 0; j < m; j++) {
      const e = Math.exp(s * p[o + j]! - mx);
      p[o + j] = e;
      l += e;
    }
    for (let j = 0; j < m; j++) p[o + j] = p[o + j]! / l;
  }
}

/** Runs `attention`, `attentionTangent` or `attentionJvp` (inputs q, k, v[, t_q, t_k, t_v]) into `out`. */
export function runAttention(spec: AttentionSpec, out: DataArray, inputs: readonly DataArray[], gemm: Gemm): void {
  const { n, m, d, dv, scale: s } = spec;
  const [q, k, v, tq, tk, tv] = inputs;
  const [p, t] = scratch(out, n * m);
  const rowMajor = (data: DataArray, off: number, cols: number): MatView => ({ data, off, rs: cols, cs: 1 });
  // Kᵀ as a k×n view of k [m, d]: element (kk, j) = k[j·d + kk].
  const transposed = (data: DataArray, off: number): MatView => ({ data, off, rs: 1, cs: d });
  for (let b = 0; b < spec.batch; b++) {
    const qo = b * n * d, ko = b * m * d, vo = b * m * dv;
    let oo = b * n * dv;
    gemm(n, m, d, rowMajor(q!, qo, d), transposed(k!, ko), p, 0, false);
    softmaxRows(p, n, m, s);
    if (spec.name !== "attentionTangent") gemm(n, dv, m, rowMajor(p, 0, m), rowMajor(v!, vo, dv), out, oo, false);
    if (spec.name === "attention") continue;
    // attentionJvp writes [y; t_y]: the tangent goes to the second half
    if (spec.name === "attentionJvp") oo += spec.batch * n * dv;
    gemm(n, m, d, rowMajor(tq!, qo, d), transposed(k!, ko), t, 0, false);
    gemm(n, m, d, rowMajor(q!, qo, d), transposed(tk!, ko), t, 0, true);
    for (let i = 0; i < n; i++) {
      const o = i * m;
      let mu = 0;
      for (let j = 0; j < m; j++) mu += p[o + j]! * s * t[o + j]!;
      for (let j = 0; j < m; j++) t[o + j] = p[o + j]! * (s * t[o + j]! - mu);
    }
    gemm(n, dv, m, rowMajor(t, 0, m), rowMajor(v!, vo, dv), out, oo, false);
    gemm(n, dv, m, rowMajor(p, 0, m), rowMajor(tv!, vo, dv), out, oo, true);
  }
}
