// Batched matrix product as a GEMM: C[b] = op(A[b])·op(B[b]) on contiguous row-major operands
// (in0 = A [batch, m, k] or, transposed, [batch, k, m]; in1 = B [batch, k, n] or [batch, n, k];
// out = C [batch, m, n]).
import type { MatmulSpec } from "@scm-ts/core";
import { fromStorage } from "../quirks.js";
import type { DeviceLimits, ShaderSpec } from "../shader.js";
import { gemmShader } from "./gemm.js";

/** WGSL of a matmul routine. */
export function matmulShader(s: MatmulSpec, limits: DeviceLimits, key: string): ShaderSpec {
  return gemmShader(
    {
      dtype: s.dtype,
      inputs: [s.dtype, s.dtype],
      batch: s.batch,
      m: s.m,
      n: s.n,
      k: s.k,
      loadA: (b, row, kk) => fromStorage(s.dtype, s.transposeA ? `in0[(${b} * K + ${kk}) * M + ${row}]` : `in0[(${b} * M + ${row}) * K + ${kk}]`),
      loadB: (b, kk, col) => fromStorage(s.dtype, s.transposeB ? `in1[(${b} * N + ${col}) * K + ${kk}]` : `in1[(${b} * K + ${kk}) * N + ${col}]`),
      outIndex: (b, row, col) => `(${b} * M + ${row}) * N + ${col}`,
    },
    limits,
    key,
  );
}
