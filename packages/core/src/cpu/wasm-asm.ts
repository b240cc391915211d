// A tiny WebAssembly assembler for the CPU kernels: opcodes as byte arrays, structured loops, and a
// module writer (one imported memory, exported functions). It knows only the instructions the
// kernels use (i32 arithmetic, loads and stores, SIMD128 and relaxed SIMD's multiply-add), so the
// kernels ship as TypeScript with no build-time toolchain.

/** Bytes of code. */
export type Code = number[];

/** A piece of code: single bytes and byte arrays, flattened in order. */
export type Part = number | Code;

/** Value types. */
export const I32 = 0x7f, V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
const mem = (align: number, offset: number): Code => [align, ...uleb(offset)];

/** The instructions used by the kernels (stack machine: operands are pushed first). */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  tee: (i: number): Code => [0x22, ...uleb(i)],
  i32: (v: number): Code => [0x41, ...sleb(v | 0)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  divU: [0x6e],
  remU: [0x70],
  and: [0x71],
  shl: [0x74],
  eqz: [0x45],
  eq: [0x46],
  ne: [0x47],
  ltS: [0x48],
  ltU: [0x49],
  geS: [0x4e],
  geU: [0x4f],
  gtS: [0x4a],
  leS: [0x4c],
  select: [0x1b],
  drop: [0x1a],
  i32Load: (offset = 0): Code => [0x28, ...mem(2, offset)],
  i32Store: (offset = 0): Code => [0x36, ...mem(2, offset)],
  f32Load: (offset = 0): Code => [0x2a, ...mem(2, offset)],
  f32Store: (offset = 0): Code => [0x38, ...mem(2, offset)],
  f32Const0: [0x43, 0, 0, 0, 0],
  f32Const: (v: number): Code => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  f64Const: (v: number): Code => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  divS: [0x6d],
  remS: [0x6f],
  v128Load: (offset = 0): Code => simd(0, ...mem(4, offset)),
  v128Store: (offset = 0): Code => simd(11, ...mem(4, offset)),
  load32Splat: (offset = 0): Code => simd(9, ...mem(2, offset)),
  v128Zero: simd(12, ...new Array<number>(16).fill(0)),
  v128Const: (bytes: ArrayLike<number>): Code => simd(12, ...Array.from(new Uint8Array(new Int32Array(Array.from(bytes)).buffer))),
  i32x4Splat: simd(0x11),
  i32x4ExtractLane: (lane: number): Code => simd(0x1b, lane),
  i32x4ReplaceLane: (lane: number): Code => simd(0x1c, lane),
  f32x4ReplaceLane: (lane: number): Code => simd(0x20, lane),
  i32x4Eq: simd(0x37),
  i32x4Ne: simd(0x38),
  i32x4LtS: simd(0x39),
  i32x4LeS: simd(0x3d),
  i32x4Mul: simd(0xb5),
  i32x4MinU: simd(0xb7),
  /** The memory's current size in 64 KiB pages. */
  memorySize: [0x3f, 0x00],
  i32x4LtU: simd(0x3a),
  i32x4Add: simd(0xae),
  i32x4Sub: simd(0xb1),
  /** Operands: v128, i32 shift. */
  i32x4Shl: simd(0xab),
  i32x4ShrS: simd(0xac),
  i32x4TruncSatF32x4S: simd(0xf8),
  /** Lanes 0 and 1: an f64x2 truncated to int32 (saturating); lanes 2 and 3 zero. */
  i32x4TruncSatF64x2SZero: simd(0xfc),
  f32x4ConvertI32x4S: simd(0xfa),
  f64x2Splat: simd(0x14),
  f64x2ConvertLowI32x4S: simd(0xfe),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Nearest: simd(0x94),
  f64x2Div: simd(0xf3),
  /** Pseudo-minimum b < a ? b : a (NaN in a passes through). */
  f64x2Pmin: simd(0xf6),
  /** Pseudo-maximum a < b ? b : a (NaN in a passes through). */
  f64x2Pmax: simd(0xf7),
  f64x2Gt: simd(0x4a),
  /** Operands: v128, i32 shift. */
  i64x2Shl: simd(0xcb),
  /** Operands: v128, i32 shift (logical). */
  i64x2ShrU: simd(0xcd),
  f32x4Nearest: simd(0x6a),
  /** bulk memory: copy n bytes (operands: dst, src, n). */
  memoryCopy: [0xfc, 10, 0, 0],
  /** bulk memory: fill n bytes with a byte value (operands: dst, value, n). */
  memoryFill: [0xfc, 11, 0],
  /** i8x16.shuffle picking 32-bit lanes: lanes 0–3 from the first operand, 4–7 from the second. */
  shuffle32: (l0: number, l1: number, l2: number, l3: number): Code => simd(13, ...[l0, l1, l2, l3].flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number): Code => simd(0x1f, lane),
  f64x2ExtractLane: (lane: number): Code => simd(0x21, lane),
  /** Lanes 0 and 1 of an f32x4 as an f64x2. */
  f64x2PromoteLowF32x4: simd(0x5f),
  /** An f64x2 as lanes 0 and 1 of an f32x4 (lanes 2 and 3 zero). */
  f32x4DemoteF64x2Zero: simd(0x5e),
  f64x2Add: simd(0xf0),
  /** 1 when any bit of the v128 is set. */
  v128AnyTrue: simd(0x53),
  f64Add: [0xa0],
  f32Max: [0x97],
  f32DemoteF64: [0xb6],
  f32x4Eq: simd(0x41),
  f32x4Ne: simd(0x42),
  f32x4Lt: simd(0x43),
  f32x4Gt: simd(0x44),
  f32x4Le: simd(0x45),
  f32x4Ge: simd(0x46),
  v128Not: simd(0x4d),
  v128And: simd(0x4e),
  /** a & ~b. Operands: a, b. */
  v128AndNot: simd(0x4f),
  v128Or: simd(0x50),
  v128Xor: simd(0x51),
  /** (a & c) | (b & ~c). Operands: a, b, c. */
  v128Bitselect: simd(0x52),
  f32x4Abs: simd(0xe0),
  f32x4Neg: simd(0xe1),
  f32x4Sqrt: simd(0xe3),
  f32x4Add: simd(228),
  f32x4Sub: simd(229),
  f32x4Mul: simd(230),
  f32x4Div: simd(231),
  f32x4Min: simd(232),
  f32x4Max: simd(233),
  /** Pseudo-minimum b < a ? b : a (one instruction; NaN in a passes through). */
  f32x4Pmin: simd(234),
  /** Pseudo-maximum a < b ? b : a (one instruction; NaN in a passes through). */
  f32x4Pmax: simd(235),
  /** relaxed SIMD: a·b + c (fused or not, as the hardware does it). Operands: a, b, c. */
  f32x4RelaxedMadd: simd(0x105),
  /** `call f` (function index f; this module imports no functions, so f is the position in its list). */
  call: (f: number): Code => [0x10, ...uleb(f)],
};

/** `block … end` (a forward branch target, depth 0 inside). */
export const block = (...body: Part[]): Code => [0x02, 0x40, ...body.flat(), 0x0b];
/** `br_if depth`. */
export const brIf = (depth: number): Code => [0x0d, ...uleb(depth)];
/** `if … else … end` on the i32 on the stack. */
export const ifElse = (then: Part[], otherwise: Part[] = []): Code =>
  otherwise.length ? [0x04, 0x40, ...then.flat(), 0x05, ...otherwise.flat(), 0x0b] : [0x04, 0x40, ...then.flat(), 0x0b];

/**
 * `for (i = from; i < to; i += step) body`, with i, from, to as code that pushes an i32 (to is
 * re-evaluated each iteration, so pass a local). The body runs zero times when from ≥ to.
 */
export function forRange(i: number, from: Code, to: Code, step: number, ...body: Part[]): Code {
  return [
    ...from, ...op.set(i),
    ...block(
      op.get(i), to, op.geS, brIf(0),
      [0x03, 0x40, ...body.flat(), ...op.get(i), ...op.i32(step), ...op.add, ...op.tee(i), ...to, ...op.ltS, ...brIf(0), 0x0b],
    ),
  ];
}

/** One function: parameter and local types, and the body. */
export interface Func {
  readonly name: string;
  readonly params: readonly number[];
  readonly locals: readonly number[];
  readonly body: Code;
}

/** Allocates numbered locals after the parameters (for readable kernels). */
export class Locals {
  readonly types: number[] = [];
  constructor(private readonly nParams: number) {}
  /** A new local of the given type; returns its index. */
  add(type: number): number {
    this.types.push(type);
    return this.nParams + this.types.length - 1;
  }
}

const section = (id: number, payload: Code): Code => [id, ...uleb(payload.length), ...payload];
const str = (s: string): Code => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** A module importing memory `env.mem` (shared with at most `maxPages` pages, or not) and exporting the functions. */
export function moduleBytes(funcs: readonly Func[], shared: boolean, maxPages: number): Uint8Array {
  const types = section(1, [...uleb(funcs.length), ...funcs.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, 0])]);
  const limits = shared ? [0x03, 1, ...uleb(maxPages)] : [0x00, 1];
  const imports = section(2, [1, ...str("env"), ...str("mem"), 0x02, ...limits]);
  const fsec = section(3, [...uleb(funcs.length), ...funcs.flatMap((_, i) => uleb(i))]);
  const exps = section(7, [...uleb(funcs.length), ...funcs.flatMap((f, i) => [...str(f.name), 0x00, ...uleb(i)])]);
  const bodies = funcs.map((f) => {
    // locals as runs of equal types
    const runs: Code = [];
    let start = 0, nRuns = 0;
    for (let i = 0; i < f.locals.length; i++) {
      if (i + 1 === f.locals.length || f.locals[i + 1] !== f.locals[i]) {
        runs.push(...uleb(i + 1 - start), f.locals[i]!);
        start = i + 1;
        nRuns++;
      }
    }
    const body = [...uleb(nRuns), ...runs, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const code = section(10, [...uleb(funcs.length), ...bodies.flat()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...imports, ...fsec, ...exps, ...code]);
}
