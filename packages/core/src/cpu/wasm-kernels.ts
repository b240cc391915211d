// The WebAssembly SIMD128 kernels of the CPU backend, generated with the assembler in wasm-asm.ts:
// a register-blocked float32 GEMM in the BLIS style. C (MR·mb × NR·nb per batch item) = A·B, with A
// packed in MR-row panels ([batch][mb][K][MR], by `pack_a`) and B packed on the fly, one NR-column
// panel and at most KC rows at a time, into a per-thread scratch that stays in L1; each MR×NR tile of
// C is then MR·NR/4 f32x4 accumulators in registers, fed per k step by NR/4 vector loads of B and
// MR broadcasts of A. B is read either as a strided matrix (matmul: any row and column strides, so
// transposed operands need no copy) or as the im2col matrix of a convolution, gathered straight from
// the NCHW input (implicit GEMM: the column matrix is never materialised), or — at stride 1 — from a
// zero-padded copy of the input (written by the kernel's kind 4 units) through a table of row
// offsets, where a packed row is two vector copies with no bounds arithmetic. Work is cut into units
// (batch item, NR-column panel) so threads can take disjoint ranges; `gemm_run` runs a range.
// Multiply-adds are a·b + c: relaxed SIMD's madd where the runtime validates it, else mul then add.
import { brIf, forRange, I32, ifElse, Locals, moduleBytes, op, V128, type Code, type Func } from "./wasm-asm.js";
import { padPlaneCode, transposePack } from "./wasm-pack.js";

/** Register tile: rows of A and columns of B per micro-kernel step. */
export const MR = 4, NR = 8;
/** Rows of B packed at a time (the B panel, KC·NR floats, stays in L1). */
export const KC = 256;
/** Most B panels a conv work unit packs in one pass (sharing the row arithmetic; 2 measured best on two threads). */
export const maxPanels = 2;
/** Bytes of B-panel scratch per thread. */
export const scratchBytes = maxPanels * KC * NR * 4;

/** Word offsets of the job record that `gemm_run` reads (int32 words in wasm memory). */
export const J = {
  // 0: B strided, 1: B = im2col of an NCHW input, 2: only write that im2col matrix to C, 3: B = im2col
  // of a zero-padded input (w = its padded width) through the row offsets at `tab`, 4: pad planes
  // (unit u: the h×w plane at b + u·h·w·4 into the (h + 2ph)×(w + 2pw) plane at c + u·cBatch), 5: pack
  // A (unit u: row block u mod mb of batch item u / mb, from the h×k matrix at b + item·bBatch with
  // strides brs, bcs into the panels at a + item·aBatch, as pack_a does)
  kind: 0, a: 1, aBatch: 2, mb: 3, nb: 4, k: 5, n: 6,
  b: 7, bBatch: 8, brs: 9, bcs: 10, // bytes
  c: 11, cBatch: 12, ldc: 13, scratch: 14, accumulate: 15,
  h: 16, w: 17, kh: 18, kw: 19, ow: 20, sh: 21, sw: 22, ph: 23, pw: 24,
  // kinds 1 and 2: NR-column panels per work unit (0 means 1); above 1 only when stride-1 units
  // never cross an output row (OW a multiple of panels·NR)
  panels: 25, tab: 26, words: 27,
} as const;

const { get, set, i32 } = op;

function gemmRun(fma: boolean): Func {
  const [job, u0, u1, tid] = [0, 1, 2, 3];
  const L = new Locals(4);
  const i = (): number => L.add(I32);
  const kind = i(), aBase = i(), aBatch = i(), mb = i(), nb = i(), K = i(), N = i(), bBase = i(), bBatch = i(), rs = i(), cs = i(), cBase = i(), cBatch = i(), ldc = i(), scr = i(), accIn = i();
  const H = i(), W = i(), KH = i(), KW = i(), OW = i(), SH = i(), SW = i(), PH = i(), PW = i();
  const u = i(), n = i(), jb = i(), j0 = i(), k0 = i(), kc = i(), ib = i(), ap = i(), bp = i(), cp = i(), end = i(), dst = i(), src = i(), kk = i(), fast = i();
  const cc = i(), uu = i(), vv = i(), i0 = i(), jj0 = i(), y = i(), xx0 = i(), rowBase = i(), jt = i(), it = i(), t1 = i(), dstStep = i();
  const P = i(), pp = i(), pd = i(), px = i(), panelStep = i(), pscr = i(), pj0 = i(), tab = i(), r = i();
  const acc = Array.from({ length: (MR * NR) / 4 }, () => L.add(V128));
  const bv = Array.from({ length: NR / 4 }, () => L.add(V128));
  const av = L.add(V128);
  const tp = { colAt: Array.from({ length: NR }, () => i()), v: Array.from({ length: 8 }, () => L.add(V128)), t: Array.from({ length: 4 }, () => L.add(V128)) };
  const ld = (f: number): Code => [...get(job), ...op.i32Load(f * 4)];
  const load = (local: number, f: number): Code => [...ld(f), ...set(local)];

  const header: Code = [
    ...load(kind, J.kind), ...load(aBase, J.a), ...load(aBatch, J.aBatch), ...load(mb, J.mb), ...load(nb, J.nb),
    ...load(K, J.k), ...load(N, J.n), ...load(bBase, J.b), ...load(bBatch, J.bBatch), ...load(rs, J.brs), ...load(cs, J.bcs),
    ...load(cBase, J.c), ...load(cBatch, J.cBatch), ...load(ldc, J.ldc), ...load(accIn, J.accumulate),
    ...ld(J.scratch), ...get(tid), ...i32(scratchBytes), ...op.mul, ...op.add, ...set(scr),
    ...load(H, J.h), ...load(W, J.w), ...load(KH, J.kh), ...load(KW, J.kw), ...load(OW, J.ow),
    ...load(SH, J.sh), ...load(SW, J.sw), ...load(PH, J.ph), ...load(PW, J.pw),
    ...i32(1), ...ld(J.panels), ...ld(J.panels), ...i32(1), ...op.ltS, ...op.select, ...set(P), ...load(tab, J.tab),
  ];

  // scalar element t of the packed row at local d: d[t] = cond ? mem[addr] : 0
  const elem = (t: number, cond: Code, addr: Code, d = dst): Code =>
    [...cond, ...ifElse([[...get(d), ...addr, ...op.f32Load(), ...op.f32Store(4 * t)]], [[...get(d), ...op.f32Const0, ...op.f32Store(4 * t)]])];
  const copyVec = (from: Code, d = dst): Code =>
    bv.flatMap((_, q) => [...get(d), ...from, ...op.v128Load(16 * q), ...op.v128Store(16 * q)]);
  const zeroRow = (d = dst): Code => bv.flatMap((_, q) => [...get(d), ...op.v128Zero, ...op.v128Store(16 * q)]);

  // B strided: row p = k0 + kk at bBase + n·bBatch + p·rs, column j at + j·cs
  const packStrided: Code = [
    ...get(bBase), ...get(n), ...get(bBatch), ...op.mul, ...op.add, ...get(k0), ...get(rs), ...op.mul, ...op.add, ...set(src),
    ...get(cs), ...i32(4), ...op.eq, ...get(j0), ...i32(NR), ...op.add, ...get(N), ...op.leS, ...op.and, ...set(fast),
    ...get(scr), ...set(dst), ...i32(0), ...set(kk),
    // columns contiguous along k (B = Xᵀ): whole 4-row groups by 4×4 transposes (wasm-pack.ts)
    ...get(rs), ...i32(4), ...op.eq, ...get(cs), ...i32(4), ...op.ne, ...op.and, ...get(j0), ...i32(NR), ...op.add, ...get(N), ...op.leS, ...op.and,
    ...ifElse([
      ...get(src), ...get(j0), ...get(cs), ...op.mul, ...op.add, ...set(t1),
      ...transposePack({ col: t1, cs, kc, kk, dst, end, ...tp }),
      ...get(src), ...get(kk), ...i32(4), ...op.mul, ...op.add, ...set(src),
    ]),
    ...forRange(kk, get(kk), get(kc), 1,
      ...get(fast),
      ifElse(
        [copyVec([...get(src), ...get(j0), ...i32(4), ...op.mul, ...op.add])],
        Array.from({ length: NR }, (_, t) =>
          elem(t, [...get(j0), ...i32(t), ...op.add, ...get(N), ...op.ltS], [...get(src), ...get(j0), ...i32(t), ...op.add, ...get(cs), ...op.mul, ...op.add])),
      ),
      [...get(dst), ...i32(NR * 4), ...op.add, ...set(dst), ...get(src), ...get(rs), ...op.add, ...set(src)],
    ),
  ];

  // B = im2col: row p = (c, u, v) (c-major), column j = output pixel (i, jj) = (j / OW, j % OW);
  // B[p, j] = x[n, c, SH·i + u − PH, SW·jj + v − PW], 0 outside the image.
  const inRange = (yv: Code, xv: Code): Code => [...yv, ...get(H), ...op.ltU, ...xv, ...get(W), ...op.ltU, ...op.and];
  const packConv: Code = [
    ...get(KH), ...get(KW), ...op.mul, ...set(t1),
    ...get(k0), ...get(t1), ...op.divU, ...set(cc),
    ...get(k0), ...get(cc), ...get(t1), ...op.mul, ...op.sub, ...set(t1), // t1 = k0 mod (KH·KW)
    ...get(t1), ...get(KW), ...op.divU, ...set(uu),
    ...get(t1), ...get(uu), ...get(KW), ...op.mul, ...op.sub, ...set(vv),
    ...get(j0), ...get(OW), ...op.divU, ...set(i0),
    ...get(j0), ...get(i0), ...get(OW), ...op.mul, ...op.sub, ...set(jj0),
    ...get(P), ...i32(NR), ...op.mul, ...set(t1),
    ...get(jj0), ...get(t1), ...op.add, ...get(OW), ...op.leS, ...get(j0), ...get(t1), ...op.add, ...get(N), ...op.leS, ...op.and, ...set(fast),
    // kind 2 writes the im2col matrix itself (rows of ldc bytes at C + n·cBatch), else the B panel
    ...get(kind), ...i32(2), ...op.eq,
    ...ifElse(
      [...get(cBase), ...get(n), ...get(cBatch), ...op.mul, ...op.add, ...get(k0), ...get(ldc), ...op.mul, ...op.add, ...get(j0), ...i32(4), ...op.mul, ...op.add, ...set(dst), ...get(ldc), ...set(dstStep), ...i32(NR * 4), ...set(panelStep)],
      [...get(scr), ...set(dst), ...i32(NR * 4), ...set(dstStep), ...i32(KC * NR * 4), ...set(panelStep)],
    ),
    ...forRange(kk, i32(0), get(kc), 1,
      // plane base of channel c
      ...get(bBase), ...get(n), ...get(bBatch), ...op.mul, ...op.add, ...get(cc), ...get(H), ...op.mul, ...get(W), ...op.mul, ...i32(4), ...op.mul, ...op.add, ...set(src),
      ...get(fast),
      ifElse(
        [
          ...get(SH), ...get(i0), ...op.mul, ...get(uu), ...op.add, ...get(PH), ...op.sub, ...set(y),
          ...get(SW), ...get(jj0), ...op.mul, ...get(vv), ...op.add, ...get(PW), ...op.sub, ...set(xx0),
          ...get(src), ...get(y), ...get(W), ...op.mul, ...i32(4), ...op.mul, ...op.add, ...set(rowBase),
          // the unit's P panels: panel p reads columns xx0 + p·NR … (P > 1 only with stride 1)
          ...get(dst), ...set(pd), ...get(xx0), ...set(px),
          ...forRange(pp, i32(0), get(P), 1,
            ...get(y), ...get(H), ...op.geU,
            ...ifElse(
              [zeroRow(pd)],
              [
                ...get(SW), ...i32(1), ...op.eq, ...get(px), ...i32(0), ...op.geS, ...op.and, ...get(px), ...i32(NR), ...op.add, ...get(W), ...op.leS, ...op.and,
                ...ifElse(
                  [copyVec([...get(rowBase), ...get(px), ...i32(4), ...op.mul, ...op.add], pd)],
                  [
                    ...get(SW), ...i32(1), ...op.eq,
                    ...ifElse(
                      // stride 1 across the image's left or right edge: whole vectors, the lanes
                      // outside [0, W) masked to zero (the loads stay inside memory: the host
                      // places other call data before and after the input)
                      [bv.flatMap((_, q) => [
                        ...get(pd),
                        ...get(rowBase), ...get(px), ...i32(4), ...op.mul, ...op.add, ...op.v128Load(16 * q),
                        ...get(px), ...op.i32x4Splat, ...op.v128Const([4 * q, 4 * q + 1, 4 * q + 2, 4 * q + 3]), ...op.i32x4Add,
                        ...get(W), ...op.i32x4Splat, ...op.i32x4LtU, ...op.v128And,
                        ...op.v128Store(16 * q),
                      ])],
                      Array.from({ length: NR }, (_, t) => [
                        ...get(px), ...get(SW), ...i32(t), ...op.mul, ...op.add, ...set(jt),
                        ...elem(t, [...get(jt), ...get(W), ...op.ltU], [...get(rowBase), ...get(jt), ...i32(4), ...op.mul, ...op.add], pd),
                      ]),
                    ),
                  ],
                ),
              ],
            ),
            [...get(pd), ...get(panelStep), ...op.add, ...set(pd), ...get(px), ...i32(NR), ...op.add, ...set(px)],
          ),
        ],
        Array.from({ length: NR }, (_, t) => [
          // general: the panel spans output rows (or the edge of N)
          ...get(j0), ...i32(t), ...op.add, ...set(jt),
          ...get(jt), ...get(N), ...op.ltS,
          ...ifElse(
            [
              ...get(jt), ...get(OW), ...op.divU, ...set(it),
              ...get(SH), ...get(it), ...op.mul, ...get(uu), ...op.add, ...get(PH), ...op.sub, ...set(y),
              ...get(SW), ...get(jt), ...get(it), ...get(OW), ...op.mul, ...op.sub, ...op.mul, ...get(vv), ...op.add, ...get(PW), ...op.sub, ...set(xx0),
              ...elem(t, inRange(get(y), get(xx0)), [...get(src), ...get(y), ...get(W), ...op.mul, ...get(xx0), ...op.add, ...i32(4), ...op.mul, ...op.add]),
            ],
            [[...get(dst), ...op.f32Const0, ...op.f32Store(4 * t)]],
          ),
        ]),
      ),
      [...get(dst), ...get(dstStep), ...op.add, ...set(dst)],
      // next (c, u, v)
      [...get(vv), ...i32(1), ...op.add, ...op.tee(vv), ...get(KW), ...op.eq],
      ifElse([[...i32(0), ...set(vv), ...get(uu), ...i32(1), ...op.add, ...op.tee(uu), ...get(KH), ...op.eq],
        ifElse([[...i32(0), ...set(uu), ...get(cc), ...i32(1), ...op.add, ...set(cc)]])]),
    ),
  ];

  // B = im2col of the padded input: row p = (c, u, v) of panel column j = (i, jj) is at
  // origin + tab[p] + j·4 with origin = b + n·bBatch + (SH·i·W + jj)·4 and tab[p] = (c·Hp·W + u·W + v)·4
  const packTable: Code = [
    ...get(j0), ...get(OW), ...op.divU, ...set(i0),
    ...get(bBase), ...get(n), ...get(bBatch), ...op.mul, ...op.add,
    ...get(SH), ...get(i0), ...op.mul, ...get(W), ...op.mul, ...get(j0), ...op.add, ...get(i0), ...get(OW), ...op.mul, ...op.sub, ...i32(4), ...op.mul, ...op.add, ...set(rowBase),
    ...get(tab), ...get(k0), ...i32(4), ...op.mul, ...op.add, ...set(t1),
    ...get(scr), ...set(dst),
    ...forRange(kk, i32(0), get(kc), 1,
      ...get(rowBase), ...get(t1), ...op.i32Load(), ...op.add, ...set(src),
      ...get(dst), ...set(pd),
      ...forRange(pp, i32(0), get(P), 1,
        ...copyVec(get(src), pd),
        ...get(src), ...i32(NR * 4), ...op.add, ...set(src), ...get(pd), ...i32(KC * NR * 4), ...op.add, ...set(pd),
      ),
      ...get(t1), ...i32(4), ...op.add, ...set(t1), ...get(dst), ...i32(NR * 4), ...op.add, ...set(dst),
    ),
  ];

  // kind 4, unit u: pad plane u (wasm-pack.ts)
  // kind 5, unit u: pack_a(src, brs, bcs, h − ib·MR, k, dst, 1) for row block ib of item n (function 1)
  const packUnit: Code = [
    ...get(u), ...get(mb), ...op.divU, ...set(n),
    ...get(u), ...get(n), ...get(mb), ...op.mul, ...op.sub, ...set(ib),
    ...get(bBase), ...get(n), ...get(bBatch), ...op.mul, ...op.add, ...get(ib), ...i32(MR), ...op.mul, ...get(rs), ...op.mul, ...op.add,
    ...get(rs), ...get(cs), ...get(H), ...get(ib), ...i32(MR), ...op.mul, ...op.sub, ...get(K),
    ...get(aBase), ...get(n), ...get(aBatch), ...op.mul, ...op.add, ...get(ib), ...get(K), ...op.mul, ...i32(MR * 4), ...op.mul, ...op.add,
    ...i32(1), ...op.call(1),
  ];
  const padPlane = padPlaneCode({ src: bBase, dst: cBase, plane: u, dstStride: cBatch, H, W, PH, PW, wp: t1, bytes: end, from: src, to: dst, row: r });

  // one MR×NR tile: acc = (accumulate ? C : 0) + Σ_kk A[:, kk] ⊗ B[kk, :]
  const madd = (r: number, q: number): Code =>
    fma
      ? [...get(av), ...get(bv[q]!), ...get(acc[r * (NR / 4) + q]!), ...op.f32x4RelaxedMadd, ...set(acc[r * (NR / 4) + q]!)]
      : [...get(acc[r * (NR / 4) + q]!), ...get(av), ...get(bv[q]!), ...op.f32x4Mul, ...op.f32x4Add, ...set(acc[r * (NR / 4) + q]!)];
  const cRow = (r: number): Code => [...get(cp), ...(r ? [...get(ldc), ...i32(r), ...op.mul, ...op.add] : [])];
  const tile: Code = [
    ...get(aBase), ...get(n), ...get(aBatch), ...op.mul, ...op.add, ...get(ib), ...get(K), ...op.mul, ...get(k0), ...op.add, ...i32(MR * 4), ...op.mul, ...op.add, ...set(ap),
    ...get(cBase), ...get(n), ...get(cBatch), ...op.mul, ...op.add, ...get(ib), ...i32(MR), ...op.mul, ...get(ldc), ...op.mul, ...op.add, ...get(pj0), ...i32(4), ...op.mul, ...op.add, ...set(cp),
    ...get(k0), ...get(accIn), ...op.eqz, ...op.eqz, ...op.add,
    ...ifElse(
      [Array.from({ length: MR }, (_, r) => bv.flatMap((_, q) => [...cRow(r), ...op.v128Load(16 * q), ...set(acc[r * (NR / 4) + q]!)])).flat()],
      [acc.flatMap((a) => [...op.v128Zero, ...set(a)])],
    ),
    ...get(pscr), ...set(bp),
    ...get(pscr), ...get(kc), ...i32(NR * 4), ...op.mul, ...op.add, ...set(end),
    0x03, 0x40,
    ...bv.flatMap((b, q) => [...get(bp), ...op.v128Load(16 * q), ...set(b)]),
    ...Array.from({ length: MR }, (_, r) => [...get(ap), ...op.load32Splat(4 * r), ...set(av), ...bv.flatMap((_, q) => madd(r, q))]).flat(),
    ...get(ap), ...i32(MR * 4), ...op.add, ...set(ap),
    ...get(bp), ...i32(NR * 4), ...op.add, ...op.tee(bp), ...get(end), ...op.ltU, ...brIf(0),
    0x0b,
    ...Array.from({ length: MR }, (_, r) => bv.flatMap((_, q) => [...cRow(r), ...get(acc[r * (NR / 4) + q]!), ...op.v128Store(16 * q)])).flat(),
  ];

  const body: Code = [
    ...header,
    ...forRange(u, get(u0), get(u1), 1,
      ...get(kind), ...i32(4), ...op.eq,
      ...ifElse([padPlane], [...get(kind), ...i32(5), ...op.eq, ...ifElse([packUnit], [
        ...get(u), ...get(nb), ...op.divU, ...set(n),
        ...get(u), ...get(n), ...get(nb), ...op.mul, ...op.sub, ...set(jb),
        ...get(jb), ...get(P), ...op.mul, ...i32(NR), ...op.mul, ...set(j0),
        ...forRange(k0, i32(0), get(K), KC,
          ...get(K), ...get(k0), ...op.sub, ...set(kc),
          ...i32(KC), ...get(kc), ...get(kc), ...i32(KC), ...op.gtS, ...op.select, ...set(kc),
          ...get(kind), ...i32(3), ...op.eq, ...ifElse([packTable], [...get(kind), ...ifElse([packConv], [packStrided])]),
          ...get(kind), ...i32(2), ...op.ne,
          ...ifElse([forRange(pp, i32(0), get(P), 1,
            ...get(j0), ...get(pp), ...i32(NR), ...op.mul, ...op.add, ...set(pj0),
            ...get(scr), ...get(pp), ...i32(KC * NR * 4), ...op.mul, ...op.add, ...set(pscr),
            ...get(pj0), ...get(N), ...op.ltS, ...ifElse([forRange(ib, i32(0), get(mb), 1, tile)]),
          )]),
        ),
      ])]),
    ),
  ];
  return { name: "gemm_run", params: [I32, I32, I32, I32], locals: L.types, body };
}

// pack_a(src, rs, cs, m, k, dst, mb): dst[(ib·k + p)·MR + r] = A[ib·MR + r, p] (0 for rows ≥ m), with
// A[i, p] at src + i·rs + p·cs (bytes).
function packA(): Func {
  const [src, rs, cs, m, k, dst, mb] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(7);
  const ib = L.add(I32), p = L.add(I32), row0 = L.add(I32), d = L.add(I32), s = L.add(I32);
  const vec = MR % 4 === 0;
  const body: Code = [
    ...get(dst), ...set(d),
    ...forRange(ib, i32(0), get(mb), 1,
      ...get(ib), ...i32(MR), ...op.mul, ...set(row0),
      ...forRange(p, i32(0), get(k), 1,
        ...get(src), ...get(row0), ...get(rs), ...op.mul, ...op.add, ...get(p), ...get(cs), ...op.mul, ...op.add, ...set(s),
        // contiguous full panel (A transposed in memory): vector copies
        ...(vec ? [...get(rs), ...i32(4), ...op.eq, ...get(row0), ...i32(MR), ...op.add, ...get(m), ...op.leS, ...op.and] : i32(0)),
        ...ifElse(
          [Array.from({ length: MR / 4 }, (_, q) => [...get(d), ...get(s), ...op.v128Load(16 * q), ...op.v128Store(16 * q)]).flat()],
          Array.from({ length: MR }, (_, r) => [
            ...get(row0), ...i32(r), ...op.add, ...get(m), ...op.ltS,
            ...ifElse(
              [[...get(d), ...get(s), ...get(rs), ...i32(r), ...op.mul, ...op.add, ...op.f32Load(), ...op.f32Store(4 * r)]],
              [[...get(d), ...op.f32Const0, ...op.f32Store(4 * r)]],
            ),
          ]),
        ),
        [...get(d), ...i32(MR * 4), ...op.add, ...set(d)],
      ),
    ),
  ];
  return { name: "pack_a", params: [I32, I32, I32, I32, I32, I32, I32], locals: L.types, body };
}

/** Pages (64 KiB) a shared memory may grow to: 1 GiB, reserved, not committed. */
export const maxSharedPages = 16384;

/** The kernel module: exports gemm_run(job, u0, u1, tid) and pack_a(src, rs, cs, m, k, dst, mb). */
export function kernelModuleBytes(shared: boolean, fma: boolean): Uint8Array {
  return moduleBytes([gemmRun(fma), packA()], shared, maxSharedPages);
}

/** A module that uses relaxed SIMD's madd: it validates only where the runtime has relaxed SIMD. */
export function relaxedProbeBytes(): Uint8Array {
  const body: Code = [...op.v128Zero, ...op.v128Zero, ...op.v128Zero, ...op.f32x4RelaxedMadd, ...op.drop];
  return moduleBytes([{ name: "probe", params: [], locals: [], body }], false, 1);
}
