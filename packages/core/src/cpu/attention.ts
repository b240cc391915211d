// CPU routines of the attention primitives (ops/attention.ts) on the CPU's batched matmul routine
// (so the products take the same fast path, and the same threads, as matmul): S = Q·Kᵀ,
// P = softmax(s·S) row by row (max-subtracted), then y = P·V; for the tangent t_X = s·(t_Q·Kᵀ + Q·t_Kᵀ),
// t_P = P ⊙ (t_X − rowsum(P ⊙ t_X)) and t_y = t_P·V + P·t_V. The batch×N×M scratch is reused across calls.
import type { DataArray } from "../dtype.js";
import type { AttentionSpec, MatmulSpec } from "../ir/kernel.js";

/** The CPU's batched matmul routine: out = op(A)·op(B) per batch entry. */
export type BatchedMatmul = (spec: MatmulSpec, out: DataArray, inputs: DataArray[]) => void;

let scratch64 = new Float64Array(0);
let scratch32 = new Float32Array(0);

/** `count` scratch arrays of `size` elements of the output's float type (reused across calls). */
function scratch(out: DataArray, size: number, count: number): DataArray[] {
  const f32 = out instanceof Float32Array;
  if ((f32 ? scratch32 : scratch64).length < count * size) {
    if (f32) scratch32 = new Float32Array(count * size);
    else scratch64 = new Float64Array(count * size);
  }
  const buf = f32 ? scratch32 : scratch64;
  return Array.from({ length: count }, (_, i) => buf.subarray(i * size, (i + 1) * size));
}

/** P ← softmax(s·P) along each of the `rows` rows of length m. */
function softmaxRows(p: DataArray, rows: number, m: number, s: number): void {
  for (let i = 0; i < rows; i++) {
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
export function runAttention(spec: AttentionSpec, out: DataArray, inputs: readonly DataArray[], matmul: BatchedMatmul): void {
  // The reverse-mode routines are optional and this backend does not list them (Backend.optionalRoutines),
  // so a trace never hands them here; refuse rather than run the forward pass under their name.
  if (spec.name === "attentionBwdQ" || spec.name === "attentionBwdKV") {
    throw new Error(`the CPU backend has no '${spec.name}' routine: attention's transpose uses composed ops on the CPU (only backends listing it in optionalRoutines receive it)`);
  }
  const { batch, n, m, d, dv, scale: s } = spec;
  const [q, k, v, tq, tk, tv] = inputs;
  const size = batch * n * m, ysize = batch * n * dv;
  const slot = Math.max(size, ysize);
  const [p0, t0, t20, y20] = scratch(out, slot, spec.name === "attention" ? 1 : 4);
  const [p, t, t2] = [p0, t0, t20].map((a) => a?.subarray(0, size));
  const y2 = y20?.subarray(0, ysize);
  const mm = (rows: number, inner: number, cols: number, transposeB: boolean): MatmulSpec => ({ name: "matmul", dtype: spec.dtype, batch, m: rows, k: inner, n: cols, transposeA: false, transposeB });
  const logits = mm(n, d, m, true); // [batch, n, d]·[batch, m, d]ᵀ
  const mix = mm(n, m, dv, false); // [batch, n, m]·[batch, m, dv]
  matmul(logits, p!, [q!, k!]);
  softmaxRows(p!, batch * n, m, s);
  if (spec.name !== "attentionTangent") matmul(mix, out.subarray(0, ysize), [p!, v!]);
  if (spec.name === "attention") return;
  // t_X = s·(t_Q·Kᵀ + Q·t_Kᵀ); t_P = P ⊙ (t_X − rowsum(P ⊙ t_X))
  matmul(logits, t!, [tq!, k!]);
  matmul(logits, t2!, [q!, tk!]);
  for (let r = 0; r < batch * n; r++) {
    const o = r * m;
    let mu = 0;
    for (let j = 0; j < m; j++) mu += p![o + j]! * s * (t![o + j]! + t2![o + j]!);
    for (let j = 0; j < m; j++) t![o + j] = p![o + j]! * (s * (t![o + j]! + t2![o + j]!) - mu);
  }
  // t_y = t_P·V + P·t_V (attentionJvp writes it after y)
  const ty = spec.name === "attentionJvp" ? out.subarray(ysize, 2 * ysize) : out.subarray(0, ysize);
  matmul(mix, ty, [t!, v!]);
  matmul(mix, y2!, [p!, tv!]);
  for (let i = 0; i < ysize; i++) ty[i] = ty[i]! + y2![i]!;
}
