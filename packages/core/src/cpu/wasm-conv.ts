// The convolutions on the WebAssembly SIMD kernels (host side; the kernel is wasm-kernels.ts):
// conv2d by implicit GEMM — per group and image, Y (og × oh·ow) = W_g (og × cg·kh·kw) · cols(x),
// with the im2col matrix cols(x) gathered while packing B panels, from a zero-padded copy of the
// input through a table of row offsets where the geometry allows (stride 1 along rows, padding ≥ 0,
// whole panels per output row), else with bounds arithmetic per row — and the weight gradient from
// an im2col matrix the kernel writes, then one GEMM per image accumulating in place. The input
// gradient at stride 1 is a conv2d with flipped weights (routines.ts). Operands in the kernels' heap
// (wasm-heap.ts) are read where they are, others copied in; conv2d writes its output in place when it
// is a heap block and the tiles are exactly its rows (og a multiple of MR, oh·ow of NR). Batches that
// do not fit in the kernels' memory run in chunks of images.
import type { DataArray } from "../dtype.js";
import type { ConvSpec } from "../ir/kernel.js";
import { announceUnits, runUnits } from "./gemm-threads.js";
import { align, chunkOf, copyOut, DATA, disjoint, ensure, JOB, SCRATCH, setJob, type Instance } from "./wasm-gemm.js";
import { heapAddress } from "./wasm-heap.js";
import { maxPanels, MR, NR } from "./wasm-kernels.js";

/**
 * NR-column panels per convolution work unit: they share the kernel's per-row index arithmetic
 * while packing, so more is cheaper, but a unit must stay within one output row (stride 1 only).
 */
function panelsPerUnit(s: ConvSpec): number {
  for (let p = maxPanels; p > 1; p >>= 1) if (s.stride[1] === 1 && s.ow % (p * NR) === 0) return p;
  return 1;
}

/**
 * y = conv2d(x, w) in float32 by implicit GEMM: per group, Y_n (og × oh·ow) = W_g (og × cg·kh·kw) · cols(x_n),
 * where the kernel gathers the im2col matrix from x while packing B. Returns false (computing nothing)
 * when one image does not fit in the kernels' memory; larger batches run in chunks of images.
 */
export function convF32Wasm(w: Instance, s: ConvSpec, x: DataArray, wts: DataArray, out: DataArray): boolean {
  const cg = s.cin / s.groups, og = s.cout / s.groups, kk = cg * s.kh * s.kw, hw = s.oh * s.ow;
  const mb = Math.ceil(og / MR), nb = Math.ceil(hw / NR), mp = mb * MR, np = nb * NR;
  const plane = s.h * s.w, panels = panelsPerUnit(s), units = Math.ceil(nb / panels);
  // stride 1 along rows, padding ≥ 0 and whole panels per output row: B rows are read from a
  // zero-padded copy of the input through a table of row offsets (kind 3), with no bounds arithmetic
  const [ph, pw] = s.padding, padded = s.stride[1] === 1 && ph >= 0 && pw >= 0 && s.ow % NR === 0;
  const hp = padded ? s.h + 2 * ph : 0, wp = padded ? s.w + 2 * pw : 0;
  const fixed = (s.cout * kk + mb * kk * MR + kk) * 4 + 5 * 64;
  const chunk = chunkOf(s.n, fixed, (s.cin * (plane + hp * wp) + mp * np) * 4);
  if (chunk === 0) return false;
  const [hx, hwts, ho] = [heapAddress(w, x), heapAddress(w, wts), heapAddress(w, out)];
  // C straight into a heap output: its rows are whole tiles and it overlaps neither input
  const direct = ho >= 0 && mp === og && np === hw && disjoint(ho, s.n * s.cout * hw * 4, hx, x.length * 4) && disjoint(ho, s.n * s.cout * hw * 4, hwts, s.cout * kk * 4);
  const wRaw = hwts >= 0 ? hwts : DATA;
  const aPacked = align(DATA + s.cout * kk * 4);
  const tabAt = align(aPacked + mb * kk * MR * 4);
  const xRaw = align(tabAt + kk * 4);
  let mem = ensure(w, 0);
  for (let n0 = 0; n0 < s.n; n0 += chunk) {
    const nc = Math.min(chunk, s.n - n0);
    const xPad = align(xRaw + nc * s.cin * plane * 4), cAt = align(xPad + nc * s.cin * hp * wp * 4);
    const xAt = hx >= 0 ? hx + n0 * s.cin * plane * 4 : xRaw;
    announceUnits(w, nc * units, nc * og * hw * kk);
    mem = ensure(w, cAt + nc * mp * np * 4);
    if (n0 === 0) {
      if (hwts < 0) mem.set(wts.subarray(0, s.cout * kk) as ArrayLike<number>, wRaw / 4);
      // tab[(c·kh + u)·kw + v] = (c·hp·wp + u·wp + v)·4: row (c, u, v) relative to the panel's origin
      const tab = new Int32Array(w.memory.buffer, tabAt, kk);
      for (let c = 0, t = 0; c < cg; c++) for (let u = 0; u < s.kh; u++) for (let v = 0; v < s.kw; v++) tab[t++] = (c * hp * wp + u * wp + v) * 4;
    }
    if (hx < 0) mem.set(x.subarray(n0 * s.cin * plane, (n0 + nc) * s.cin * plane) as ArrayLike<number>, xRaw / 4);
    if (padded) {
      setJob(w, { kind: 4, b: xAt, c: xPad, cBatch: hp * wp * 4, h: s.h, w: s.w, ph, pw });
      runUnits(w, JOB, nc * s.cin, 4 * nc * s.cin * hp * wp);
    }
    for (let g = 0; g < s.groups; g++) {
      w.packA(wRaw + g * og * kk * 4, kk * 4, 4, og, kk, aPacked, mb);
      const geometry = { kh: s.kh, kw: s.kw, ow: s.ow, sh: s.stride[0], sw: s.stride[1], ph, pw };
      const tiles = direct ? { c: ho + (n0 * s.cout + g * og) * hw * 4, cBatch: s.cout * hw * 4, ldc: hw * 4 } : { c: cAt, cBatch: mp * np * 4, ldc: np * 4 };
      setJob(w, {
        a: aPacked, aBatch: 0, mb, nb: units, panels, k: kk, n: hw, ...tiles, scratch: SCRATCH, ...geometry,
        ...(padded
          ? { kind: 3, b: xPad + g * cg * hp * wp * 4, bBatch: s.cin * hp * wp * 4, h: hp, w: wp, tab: tabAt }
          : { kind: 1, b: xAt + g * cg * plane * 4, bBatch: s.cin * plane * 4, h: s.h, w: s.w }),
      });
      runUnits(w, JOB, nc * units, nc * og * hw * kk);
      mem = ensure(w, 0);
      if (!direct) copyOut(mem, cAt, nc, og, hw, mp, np, out, (n0 * s.cout + g * og) * hw, s.cout * hw, false);
    }
  }
  return true;
}

/**
 * dW = conv2dWeightGrad(x, ct) in float32: per group, dW_g (og × cg·kh·kw) = Σ_n CT_g,n (og × oh·ow) · cols(x_n)ᵀ.
 * The kernel writes each image's im2col matrix into its memory (kind 2, split across threads), then a
 * GEMM per image reads it transposed (B[pixel, (c,u,v)]) and accumulates into C in place. Returns
 * false when one image does not fit in the kernels' memory.
 */
export function convWeightGradF32Wasm(w: Instance, s: ConvSpec, x: DataArray, ct: DataArray, out: DataArray): boolean {
  const cg = s.cin / s.groups, og = s.cout / s.groups, kk = cg * s.kh * s.kw, hw = s.oh * s.ow, plane = s.h * s.w;
  const mb = Math.ceil(og / MR), mp = mb * MR;
  const nbCols = Math.ceil(hw / NR), ldCols = nbCols * NR; // im2col rows, padded to whole panels
  const panels = panelsPerUnit(s), colUnits = Math.ceil(nbCols / panels);
  const nb = Math.ceil(kk / NR), np = nb * NR;
  const fixed = (mp * np + mb * hw * MR) * 4 + 5 * 64;
  const chunk = chunkOf(s.n, fixed, (s.cin * plane + s.cout * hw + kk * ldCols) * 4);
  if (chunk === 0) return false;
  const cAt = DATA, aPacked = align(cAt + mp * np * 4), xRaw = align(aPacked + mb * hw * MR * 4);
  const [hx, hct] = [heapAddress(w, x), heapAddress(w, ct)];
  for (let g = 0; g < s.groups; g++) {
    for (let n0 = 0; n0 < s.n; n0 += chunk) {
      const nc = Math.min(chunk, s.n - n0);
      const ctRaw = align(xRaw + nc * s.cin * plane * 4), cols = align(ctRaw + nc * s.cout * hw * 4);
      const xAt = hx >= 0 ? hx + n0 * s.cin * plane * 4 : xRaw, ctAt = hct >= 0 ? hct + n0 * s.cout * hw * 4 : ctRaw;
      const mem = ensure(w, cols + nc * kk * ldCols * 4);
      if (hx < 0) mem.set(x.subarray(n0 * s.cin * plane, (n0 + nc) * s.cin * plane) as ArrayLike<number>, xRaw / 4);
      if (hct < 0) mem.set(ct.subarray(n0 * s.cout * hw, (n0 + nc) * s.cout * hw) as ArrayLike<number>, ctRaw / 4);
      setJob(w, {
        kind: 2, mb: 0, nb: colUnits, panels, k: kk, n: hw, b: xAt + g * cg * plane * 4, bBatch: s.cin * plane * 4,
        c: cols, cBatch: kk * ldCols * 4, ldc: ldCols * 4, scratch: SCRATCH,
        h: s.h, w: s.w, kh: s.kh, kw: s.kw, ow: s.ow, sh: s.stride[0], sw: s.stride[1], ph: s.padding[0], pw: s.padding[1],
      });
      runUnits(w, JOB, nc * colUnits, nc * kk * hw);
      for (let i = 0; i < nc; i++) {
        w.packA(ctAt + (i * s.cout + g * og) * hw * 4, hw * 4, 4, og, hw, aPacked, mb);
        setJob(w, {
          kind: 0, a: aPacked, mb, nb, k: hw, n: kk, b: cols + i * kk * ldCols * 4, brs: 4, bcs: ldCols * 4,
          c: cAt, ldc: np * 4, scratch: SCRATCH, accumulate: n0 + i > 0 ? 1 : 0,
        });
        runUnits(w, JOB, nb, og * kk * hw);
      }
    }
    copyOut(ensure(w, 0), cAt, 1, og, kk, mp, np, out, g * og * kk, 0, false);
  }
  return true;
}
