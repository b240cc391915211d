// The CPU matrix product: C = A·B for strided A and B (so transposed operands need no copy),
// accumulating in float64. Rows of A are taken four at a time so each loaded element of B feeds four
// accumulators (the loop is bound by loads, not arithmetic). This is the oracle for the WebGPU
// matmul and the engine of the CPU convolutions.
import type { DataArray } from "../dtype.js";

let scratch = new Float64Array(0);

/** A strided matrix view: element (i, j) is `data[off + i*rs + j*cs]`. */
export interface MatView {
  readonly data: DataArray;
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
}

/** C[m×n] (contiguous at cOff, row stride n) = A[m×k]·B[k×n], or += when `accumulate`. */
export function gemm(m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): void {
  if (b.cs !== 1) return gemmDot(m, n, k, a, b, c, cOff, accumulate);
  if (scratch.length < 4 * n) scratch = new Float64Array(4 * n);
  const acc = scratch;
  const A = a.data, B = b.data;
  for (let i0 = 0; i0 < m; i0 += 4) {
    const rows = Math.min(4, m - i0);
    acc.fill(0, 0, 4 * n);
    const a0 = a.off + i0 * a.rs, a1 = a0 + a.rs, a2 = a1 + a.rs, a3 = a2 + a.rs;
    if (rows === 4) {
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p * a.cs]!, x1 = A[a1 + p * a.cs]!, x2 = A[a2 + p * a.cs]!, x3 = A[a3 + p * a.cs]!;
        const bo = b.off + p * b.rs;
        for (let j = 0; j < n; j++) {
          const y = B[bo + j]!;
          acc[j]! += x0 * y;
          acc[n + j]! += x1 * y;
          acc[2 * n + j]! += x2 * y;
          acc[3 * n + j]! += x3 * y;
        }
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const ar = a.off + (i0 + r) * a.rs;
        for (let p = 0; p < k; p++) {
          const x = A[ar + p * a.cs]!;
          const bo = b.off + p * b.rs;
          for (let j = 0; j < n; j++) acc[r * n + j]! += x * B[bo + j]!;
        }
      }
    }
    for (let r = 0; r < rows; r++) {
      const co = cOff + (i0 + r) * n;
      if (accumulate) for (let j = 0; j < n; j++) c[co + j]! += acc[r * n + j]!;
      else for (let j = 0; j < n; j++) c[co + j] = acc[r * n + j]!;
    }
  }
}

function gemmDot(m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): void {
  const A = a.data, B = b.data;
  for (let i = 0; i < m; i++) {
    const ai = a.off + i * a.rs;
    for (let j = 0; j < n; j++) {
      const bj = b.off + j * b.cs;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[ai + p * a.cs]! * B[bj + p * b.rs]!;
      if (accumulate) c[cOff + i * n + j]! += s;
      else c[cOff + i * n + j] = s;
    }
  }
}
