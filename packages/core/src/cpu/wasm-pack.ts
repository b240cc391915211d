// Two data movements of the GEMM kernel (wasm-kernels.ts), as code over the caller's locals:
// - packing B panels whose rows are strided but whose columns are contiguous along k — B = Xᵀ of a
//   row-major X, as in dh = dy·Wᵀ or the convolution weight gradient's colsᵀ. Read row by row, each
//   packed row would be NR scalar loads from NR different places. Instead, four k-rows at a time:
//   NR vector loads, one per column (4 consecutive k of that column), then two 4×4 transposes in
//   registers (shuffles), giving the four packed rows of NR floats, stored as vectors;
// - zero-padding one input plane for the stride-1 convolution (bulk memory fill and row copies).
import { forRange, op, type Code } from "./wasm-asm.js";

const { get, set, i32 } = op;

/** Locals the transposing pack uses (indices into the function's locals). */
export interface TransposePackLocals {
  /** In: address of B[k0, j0]'s column base (B[k, j0 + t] at col + t·cs + (k − k0)·4). Scratch after. */
  readonly col: number;
  /** Column stride of B in bytes. */
  readonly cs: number;
  /** Rows of this block (kc); rows [0, kc & ~3) are packed here, the caller packs the rest. */
  readonly kc: number;
  /** Out: the first row not packed (kc & ~3). */
  readonly kk: number;
  /** In: where packed row 0 goes (rows of NR floats); out: where the next row goes. */
  readonly dst: number;
  /** Scratch: an i32 for kc & ~3, NR i32 column addresses and 8 + 4 v128. */
  readonly end: number;
  readonly colAt: readonly number[];
  readonly v: readonly number[];
  readonly t: readonly number[];
}

/** Code packing rows [0, kc & ~3) of an 8-column panel by 4×4 transposes (NR = 8). */
export function transposePack(L: TransposePackLocals): Code {
  const { col, cs, kc, kk, dst, end, colAt, v, t } = L;
  // rows r of the four columns a, b, c, d (each holding k .. k+3): t0 = [a0 b0 a1 b1], t1 = [c0 d0 c1 d1],
  // t2 = [a2 b2 a3 b3], t3 = [c2 d2 c3 d3]; row 0 = [a0 b0 c0 d0] = t0.lo ∪ t1.lo, row 1 = t0.hi ∪ t1.hi, …
  const half = (h: number): Code => {
    const [a, b, c, d] = [v[4 * h]!, v[4 * h + 1]!, v[4 * h + 2]!, v[4 * h + 3]!];
    const mix = (x: number, y: number, lanes: [number, number, number, number]): Code => [...get(x), ...get(y), ...op.shuffle32(...lanes)];
    return [
      ...mix(a, b, [0, 4, 1, 5]), ...set(t[0]!), ...mix(c, d, [0, 4, 1, 5]), ...set(t[1]!),
      ...mix(a, b, [2, 6, 3, 7]), ...set(t[2]!), ...mix(c, d, [2, 6, 3, 7]), ...set(t[3]!),
      ...[[0, 1, [0, 1, 4, 5]], [0, 1, [2, 3, 6, 7]], [2, 3, [0, 1, 4, 5]], [2, 3, [2, 3, 6, 7]]].flatMap(([x, y, lanes], r) => [
        ...get(dst), ...mix(t[x as number]!, t[y as number]!, lanes as [number, number, number, number]), ...op.v128Store(32 * r + 16 * h),
      ]),
    ];
  };
  return [
    ...colAt.flatMap((at, q) => [...get(col), ...get(cs), ...i32(q), ...op.mul, ...op.add, ...set(at)]),
    ...get(kc), ...i32(-4), ...op.and, ...set(end),
    ...forRange(kk, i32(0), get(end), 4,
      ...colAt.flatMap((at, q) => [...get(at), ...get(kk), ...i32(4), ...op.mul, ...op.add, ...op.v128Load(), ...set(v[q]!)]),
      ...half(0), ...half(1),
      ...get(dst), ...i32(4 * 8 * 4), ...op.add, ...set(dst),
    ),
    ...get(end), ...set(kk),
  ];
}

/** Locals of `padPlaneCode`: inputs (src … PW) and scratch (wp … row). */
export interface PadPlaneLocals {
  /** Planes of H×W floats start here (bytes). */
  readonly src: number;
  /** Padded planes start here, `dstStride` bytes apart. */
  readonly dst: number;
  readonly plane: number;
  readonly dstStride: number;
  readonly H: number;
  readonly W: number;
  readonly PH: number;
  readonly PW: number;
  readonly wp: number;
  readonly bytes: number;
  readonly from: number;
  readonly to: number;
  readonly row: number;
}

/** Code writing plane `plane` as an (H + 2PH)×(W + 2PW) plane with a zero border. */
export function padPlaneCode(L: PadPlaneLocals): Code {
  const { src, dst, plane, dstStride, H, W, PH, PW, wp, bytes, from, to, row } = L;
  return [
    // wp = W + 2PW; zero the whole padded plane, then copy the H rows into its interior
    ...get(H), ...get(PH), ...get(PH), ...op.add, ...op.add, ...get(W), ...get(PW), ...get(PW), ...op.add, ...op.add, ...op.tee(wp), ...op.mul, ...i32(4), ...op.mul, ...set(bytes),
    ...get(dst), ...get(plane), ...get(dstStride), ...op.mul, ...op.add, ...set(to),
    ...get(to), ...i32(0), ...get(bytes), ...op.memoryFill,
    ...get(src), ...get(plane), ...get(H), ...op.mul, ...get(W), ...op.mul, ...i32(4), ...op.mul, ...op.add, ...set(from),
    ...get(to), ...get(PH), ...get(wp), ...op.mul, ...get(PW), ...op.add, ...i32(4), ...op.mul, ...op.add, ...set(to),
    ...forRange(row, i32(0), get(H), 1,
      ...get(to), ...get(from), ...get(W), ...i32(4), ...op.mul, ...op.memoryCopy,
      ...get(to), ...get(wp), ...i32(4), ...op.mul, ...op.add, ...set(to), ...get(from), ...get(W), ...i32(4), ...op.mul, ...op.add, ...set(from),
    ),
  ];
}
