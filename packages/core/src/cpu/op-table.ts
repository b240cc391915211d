// The CPU backend's kernel IR ops in one exhaustive table: per op, its JavaScript rendering (the
// reference semantics, codegen.ts), an optional faster rendering for the fast path, and its
// WebAssembly SIMD form over four lanes (wasm-vector.ts) — or, where the SIMD path has none, the
// reason. `Record<IrOp, …>` makes a missing row a compile error, so a new op cannot slip into the
// kernels without both forms being decided. A SIMD form answers per node: it gives the node's code
// for the dtypes it handles and null for the others (e.g. integer shifts, or NEG of an index), and
// such a node makes its whole kernel run as JavaScript (counted by kernel-stats.ts).
//
// SIMD values: a float32 node is an f32x4 (four consecutive lane-index values), a bool node a lane
// mask (all ones or all zeros per lane), an int32 node is index arithmetic held as one scalar i32,
// the lane-0 value, with its lane pattern (`IndexKind`): contiguous (lane j = lane 0 + j) or uniform
// (the same in all lanes), and whether lane 0 is a multiple of 4. The lane index is contiguous, the
// other index and constants uniform; x ± y keeps the kinds (contiguous ± uniform is contiguous); for
// a contiguous x whose lane 0 is a multiple of 4 and ≥ 0, and c a multiple of 4, x / c is uniform
// and x % c contiguous (the lanes never cross a multiple of c). Any other pattern (x / 49 of a
// contiguous x, 2·x, a comparison of indices) is held per lane: an i32x4 of the four lanes' values
// (`perLane`), computed with i32x4 arithmetic, division lane by lane (wasm has no SIMD division;
// only by a positive constant, as JS's `(a / c) | 0` and wasm's trapping div_s agree there), and
// read by a gather of four scalar loads — slower than the patterns above, far faster than the
// kernel in JavaScript.
import type { DType } from "../dtype.js";
import type { Expr, IrOp } from "../ir/expr.js";
import { op, type Code } from "./wasm-asm.js";
import { atanCode, expCode, logCode, sinCosCode, tanhCode, type Scratch, type Splat } from "./wasm-math.js";
import { powCode } from "./wasm-pow.js";

/** Renders a node as a JavaScript expression from its operands' expressions. */
export type JsRender = (a: readonly string[], e: Expr) => string;

/** An int32 index node's lane pattern within one 4-lane step, and whether its lane-0 value is a multiple of 4. */
export interface IndexKind {
  /** Lane j holds lane 0 + j (else every lane holds lane 0's value). */
  readonly contiguous: boolean;
  /** Lane 0's value is a multiple of 4. */
  readonly aligned: boolean;
  /** The node's value is an i32x4 of its four lanes' values (any pattern; `contiguous` and `aligned` are then false). */
  readonly perLane?: boolean;
}

/** What a SIMD form sees of the node it renders and of the kernel around it. */
export interface WasmNode {
  /** The node. */
  readonly e: Expr;
  /** Pushes operand i's value (an f32x4, a lane mask, or an int32 index's lane-0 value or, per lane, its i32x4). */
  readonly arg: (i: number) => Code;
  /** Operand i's lane pattern (int32 operands; undefined for others). */
  readonly kind: (i: number) => IndexKind | undefined;
  /** The v128 local that will hold a float32 or bool node's value (free as scratch until then); −1 for an index node. */
  readonly self: number;
  /** A fresh v128 scratch local. */
  readonly tmp: Scratch;
  /** Pushes a constant vector (hoisted before the loops). */
  readonly splat: Splat;
  /** The index the four lanes run along. */
  readonly lanes: "GIDX" | "RIDX";
  /** Pushes an index's current lane-0 value. */
  readonly index: (which: "GIDX" | "RIDX") => Code;
  /** Pushes the base address of input slot s. */
  readonly input: (slot: number) => Code;
  /**
   * In a kernel that selects by comparing indices (a concatenation, a padding), code pushing an
   * i32x4 splat of the highest address a 16-byte load may read: loads clamp their addresses to
   * it, as the lanes a select discards may index outside their input (and outside the memory).
   * Null when no index is compared.
   */
  readonly guard: Code | null;
}

/** A node's SIMD code, and for an int32 node its lane pattern. */
export interface WasmCode {
  /** Code that pushes the node's value. */
  readonly code: Code;
  /** The lane pattern (int32 nodes only). */
  readonly kind?: IndexKind;
}

/** A node's SIMD form: its code, or null when the node's dtypes have none. */
export type WasmRender = (n: WasmNode) => WasmCode | null;

/** One row of the table: a SIMD form, or `wasm: null` and the reason. */
export type CpuOpRow = CpuOpJs & ({ readonly wasm: WasmRender; readonly why?: never } | CpuOpNoSimd);

/** The JavaScript renderings of a row. */
export interface CpuOpJs {
  /** The reference JavaScript rendering (what 'cpu-js' runs, and the meaning of the op). */
  readonly js: JsRender;
  /** On the fast path, a faster rendering for some nodes (null: use `js`). */
  readonly fastJs?: (a: readonly string[], e: Expr) => string | null;
}

/** A row whose op the SIMD path never holds. */
export interface CpuOpNoSimd {
  /** No SIMD form: kernels with this op run as JavaScript. */
  readonly wasm: null;
  /** Why the op has no SIMD form. */
  readonly why: string;
}

const u32 = (s: string): string => `((${s}) >>> 0)`;
const intOp = (e: Expr, s: string): string => (e.dtype === "uint32" ? u32(s) : e.dtype === "int32" ? `((${s}) | 0)` : s);

function castTo(dtype: DType, from: DType, a: string): string {
  switch (dtype) {
    case "float32":
    case "float64":
      return from === "bool" ? `(${a} ? 1 : 0)` : a;
    case "int32":
      return from === "bool" ? `(${a} ? 1 : 0)` : `(${a} | 0)`;
    case "uint32":
      return from === "bool" ? `(${a} ? 1 : 0)` : `(${a} >>> 0)`;
    case "bool":
      return `(${a} ? 1 : 0)`;
  }
}

// SIMD forms by the node's dtype, each checking its operands' dtypes; other dtypes have none
type Forms = Partial<Record<DType, WasmRender>>;
const byDtype = (forms: Forms): WasmRender => (n) => forms[n.e.dtype]?.(n) ?? null;
const operands = (n: WasmNode, ...dtypes: DType[]): boolean => n.e.src.every((s, i) => s.dtype === dtypes[Math.min(i, dtypes.length - 1)]);
const f32 = (code: (n: WasmNode) => Code): WasmRender => (n) => (operands(n, "float32") ? { code: code(n) } : null);
const f32Unary = (instr: Code): WasmRender => f32((n) => [...n.arg(0), ...instr]);
const f32Binary = (instr: Code): WasmRender => f32((n) => [...n.arg(0), ...n.arg(1), ...instr]);
const mask = (instr: Code): WasmRender => (n) => (operands(n, "bool") ? { code: [...n.e.src.flatMap((_, i) => n.arg(i)), ...instr] } : null);

// index arithmetic on int32 operands (lane patterns as in the header)
const uniform = (aligned: boolean): IndexKind => ({ contiguous: false, aligned });
const perLane: IndexKind = { contiguous: false, aligned: false, perLane: true };
// operand i as an i32x4 of its lanes: lane 0's value splatted, plus 0, 1, 2, 3 when contiguous
const lanesOf = (n: WasmNode, i: number): Code => {
  const k = n.kind(i)!;
  if (k.perLane) return n.arg(i);
  return [...n.arg(i), ...op.i32x4Splat, ...(k.contiguous ? [...op.v128Const([0, 1, 2, 3]), ...op.i32x4Add] : [])];
};
const vectorBinary = (instr: Code): WasmRender => (n) => (n.kind(0) && n.kind(1) ? { code: [...lanesOf(n, 0), ...lanesOf(n, 1), ...instr], kind: perLane } : null);
const addSub = (instr: Code, vinstr: Code, sub: boolean): WasmRender => (n) => {
  const [a, b] = [n.kind(0), n.kind(1)];
  if (!a || !b) return null;
  if (a.perLane || b.perLane || (a.contiguous && b.contiguous) || (sub && b.contiguous)) return vectorBinary(vinstr)(n);
  return { code: [...n.arg(0), ...n.arg(1), ...instr], kind: { contiguous: a.contiguous || b.contiguous, aligned: a.aligned && b.aligned } };
};
// x / c or x % c lane by lane, for a positive integer constant c. For 0 ≤ x < 2³¹ the quotient is
// ⌊(x + ½)·(1/c)⌋ in float64, two lanes at a time: x/c is k + j/c (0 ≤ j < c), so (x + ½)/c lies at
// least 1/(2c) inside (k, k + 1), while the two roundings err by at most (x/c)·2⁻⁵² < 2⁻²¹/c; and
// x % c = x − c·⌊x/c⌋. Possibly negative operands divide lane by lane with the scalar instruction.
const divModLanes = (n: WasmNode, instr: Code, mod: boolean): Code => {
  const v = n.tmp(), c = n.e.src[1]!.arg;
  if (n.e.src[0]!.min >= 0 && Number.isInteger(c)) {
    const half = (lanes: Code): Code => [...lanes, ...op.f64x2ConvertLowI32x4S, ...n.splat(0.5, "f64"), ...op.f64x2Add, ...n.splat(1 / c, "f64"), ...op.f64x2Mul, ...op.i32x4TruncSatF64x2SZero];
    const q = [...half(op.get(v)), ...half([...op.get(v), ...op.get(v), ...op.shuffle32(2, 3, 2, 3)]), ...op.shuffle32(0, 1, 4, 5)];
    return [...lanesOf(n, 0), ...op.set(v), ...(mod ? [...op.get(v), ...q, ...n.splat(c, "i32"), ...op.i32x4Mul, ...op.i32x4Sub] : q)];
  }
  const lanes = [0, 1, 2, 3].flatMap((j) => [...op.get(v), ...op.get(v), ...op.i32x4ExtractLane(j), ...n.arg(1), ...instr, ...op.i32x4ReplaceLane(j), ...op.set(v)]);
  return [...lanesOf(n, 0), ...op.set(v), ...lanes, ...op.get(v)];
};
const divMod = (instr: Code, mod: boolean): WasmRender => (n) => {
  const a = n.kind(0), divisor = n.e.src[1]!;
  const c = divisor.op === "CONST" ? divisor.arg : NaN;
  if (!a || !(c > 0)) return null;
  if (a.perLane || n.e.src[0]!.min < 0 || (a.contiguous && (!a.aligned || c % 4 !== 0))) return { code: divModLanes(n, instr, mod), kind: perLane };
  const code = [...n.arg(0), ...n.arg(1), ...instr];
  if (!a.contiguous) return { code, kind: uniform(false) };
  return { code, kind: mod ? { contiguous: true, aligned: true } : uniform(false) };
};
// a comparison of float32 values or of indices (lane by lane, as i32x4)
const compareAny = (f32instr: Code, i32instr: Code): Forms => ({
  bool: (n) => {
    if (operands(n, "float32")) return { code: [...n.arg(0), ...n.arg(1), ...f32instr] };
    const lanes = operands(n, "int32") ? vectorBinary(i32instr)(n) : null;
    return lanes && { code: lanes.code }; // a lane mask, like a float comparison's
  },
});
// WHERE(c, a, b) of dtype d: a lane mask c selects bitwise
const select = (d: DType): WasmRender => (n) => (operands(n, "bool", d) ? { code: [...n.arg(1), ...n.arg(2), ...n.arg(0), ...op.v128Bitselect] } : null);
const laneIndex: WasmRender = (n) => ({ code: n.index(n.e.op as "GIDX" | "RIDX"), kind: n.e.op === n.lanes ? { contiguous: true, aligned: true } : uniform(false) });
const noSimd = "integer bit operations occur only in uint32 hashing (random bits), whose values the SIMD lanes do not hold";

/** Every IR op's JavaScript rendering and SIMD form. */
export const cpuOps: Record<IrOp, CpuOpRow> = {
  CONST: {
    js: (_, e) => (Number.isNaN(e.arg) ? "NaN" : e.arg === Infinity ? "Infinity" : e.arg === -Infinity ? "-Infinity" : Object.is(e.arg, -0) ? "-0" : String(e.arg)),
    wasm: byDtype({
      float32: (n) => ({ code: n.splat(n.e.arg) }),
      bool: (n) => ({ code: n.splat(n.e.arg ? -1 : 0, "i32") }),
      int32: (n) => ({ code: op.i32(n.e.arg), kind: uniform(n.e.arg % 4 === 0) }),
    }),
  },
  GIDX: { js: () => "gidx", wasm: laneIndex },
  RIDX: { js: () => "ridx", wasm: laneIndex },
  LOAD: {
    js: ([i], e) => `in${e.arg}[${i}]`,
    // the address of element i: input base + 4i; four consecutive floats, or one float splatted
    wasm: byDtype({
      float32: (n) => {
        const k = n.kind(0);
        if (!k) return null;
        const clamp = (v: Code): Code => (n.guard ? [...v, ...n.guard, ...op.i32x4MinU] : v);
        if (!k.perLane) {
          const address = [...n.input(n.e.arg), ...n.arg(0), ...op.i32(2), ...op.shl, ...op.add];
          const safe = n.guard ? [...clamp([...address, ...op.i32x4Splat]), ...op.i32x4ExtractLane(0)] : address;
          return { code: [...safe, ...(k.contiguous ? op.v128Load() : op.load32Splat())] };
        }
        // a gather: each lane's float from its own address
        const at = n.tmp();
        const lane = (j: number): Code => [...op.get(at), ...op.i32x4ExtractLane(j), ...op.f32Load()];
        const addresses = clamp([...n.input(n.e.arg), ...op.i32x4Splat, ...n.arg(0), ...op.i32(2), ...op.i32x4Shl, ...op.i32x4Add]);
        return { code: [...addresses, ...op.set(at), ...lane(0), ...op.f32x4Splat, ...[1, 2, 3].flatMap((j) => [...lane(j), ...op.f32x4ReplaceLane(j)])] };
      },
    }),
  },
  NEG: { js: ([a], e) => intOp(e, `-(${a})`), wasm: byDtype({ float32: f32Unary(op.f32x4Neg) }) },
  EXP: { js: ([a]) => `Math.exp(${a})`, wasm: byDtype({ float32: f32((n) => expCode(n.arg(0), n.self, n.tmp(), n.splat)) }) },
  LOG: { js: ([a]) => `Math.log(${a})`, wasm: byDtype({ float32: f32((n) => logCode(n.arg(0), n.tmp, n.splat)) }) },
  SIN: { js: ([a]) => `Math.sin(${a})`, wasm: byDtype({ float32: f32((n) => sinCosCode("sin", n.arg(0), n.tmp, n.splat)) }) },
  COS: { js: ([a]) => `Math.cos(${a})`, wasm: byDtype({ float32: f32((n) => sinCosCode("cos", n.arg(0), n.tmp, n.splat)) }) },
  SQRT: { js: ([a]) => `Math.sqrt(${a})`, wasm: byDtype({ float32: f32Unary(op.f32x4Sqrt) }) },
  TANH: {
    js: ([a]) => `Math.tanh(${a})`,
    // float32 tanh by a float32-accurate rational approximation (fast-math.ts)
    fastJs: ([a], e) => (e.dtype === "float32" ? `tanh32(${a})` : null),
    wasm: byDtype({ float32: f32((n) => tanhCode(n.arg(0), n.self, n.tmp(), n.splat)) }),
  },
  ATAN: { js: ([a]) => `Math.atan(${a})`, wasm: byDtype({ float32: f32((n) => atanCode(n.arg(0), n.tmp, n.splat)) }) },
  NOT: { js: ([a]) => `(${a} ? 0 : 1)`, wasm: byDtype({ bool: mask(op.v128Not) }) },
  CAST: {
    js: ([a], e) => castTo(e.dtype, e.src[0]!.dtype, a!),
    // bool → float32: the mask's bits and 1.0's
    wasm: byDtype({ float32: (n) => (operands(n, "bool") ? { code: [...n.arg(0), ...n.splat(1), ...op.v128And] } : null) }),
  },
  ADD: { js: ([a, b], e) => intOp(e, `${a} + ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Add), int32: addSub(op.add, op.i32x4Add, false) }) },
  SUB: { js: ([a, b], e) => intOp(e, `${a} - ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Sub), int32: addSub(op.sub, op.i32x4Sub, true) }) },
  MUL: {
    js: ([a, b], e) => (e.dtype === "int32" ? `Math.imul(${a}, ${b})` : e.dtype === "uint32" ? u32(`Math.imul(${a}, ${b})`) : `${a} * ${b}`),
    wasm: byDtype({
      float32: f32Binary(op.f32x4Mul),
      int32: (n) => {
        const [a, b] = [n.kind(0), n.kind(1)];
        if (!a || !b) return null;
        if (a.contiguous || b.contiguous || a.perLane || b.perLane) return vectorBinary(op.i32x4Mul)(n);
        return { code: [...n.arg(0), ...n.arg(1), ...op.mul], kind: uniform(a.aligned || b.aligned) };
      },
    }),
  },
  DIV: { js: ([a, b], e) => intOp(e, `${a} / ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Div) }) },
  IDIV: { js: ([a, b], e) => intOp(e, `${a} / ${b}`), wasm: byDtype({ int32: divMod(op.divS, false) }) },
  MOD: { js: ([a, b], e) => intOp(e, `${a} % ${b}`), wasm: byDtype({ int32: divMod(op.remS, true) }) },
  // max propagates NaN (like Math.max and JAX)
  MAX: { js: ([a, b]) => `Math.max(${a}, ${b})`, wasm: byDtype({ float32: f32Binary(op.f32x4Max) }) },
  POW: { js: ([a, b]) => `Math.pow(${a}, ${b})`, wasm: byDtype({ float32: f32((n) => powCode(n.arg(0), n.arg(1), n.tmp, n.splat)) }) },
  CMPLT: { js: ([a, b]) => `(${a} < ${b} ? 1 : 0)`, wasm: byDtype(compareAny(op.f32x4Lt, op.i32x4LtS)) },
  CMPLE: { js: ([a, b]) => `(${a} <= ${b} ? 1 : 0)`, wasm: byDtype(compareAny(op.f32x4Le, op.i32x4LeS)) },
  CMPEQ: { js: ([a, b]) => `(${a} === ${b} ? 1 : 0)`, wasm: byDtype(compareAny(op.f32x4Eq, op.i32x4Eq)) },
  CMPNE: { js: ([a, b]) => `(${a} !== ${b} ? 1 : 0)`, wasm: byDtype(compareAny(op.f32x4Ne, op.i32x4Ne)) },
  AND: { js: ([a, b], e) => (e.dtype === "bool" ? `(${a} && ${b} ? 1 : 0)` : intOp(e, `${a} & ${b}`)), wasm: byDtype({ bool: mask(op.v128And) }) },
  OR: { js: ([a, b], e) => (e.dtype === "bool" ? `(${a} || ${b} ? 1 : 0)` : intOp(e, `${a} | ${b}`)), wasm: byDtype({ bool: mask(op.v128Or) }) },
  XOR: { js: ([a, b], e) => (e.dtype === "bool" ? `(${a} ? 1 : 0) ^ (${b} ? 1 : 0)` : intOp(e, `${a} ^ ${b}`)), wasm: byDtype({ bool: mask(op.v128Xor) }) },
  SHL: { js: ([a, b], e) => intOp(e, `${a} << ${b}`), wasm: null, why: noSimd },
  SHR: { js: ([a, b], e) => (e.dtype === "uint32" ? `(${a} >>> ${b})` : `(${a} >> ${b})`), wasm: null, why: noSimd },
  WHERE: {
    js: ([c, a, b]) => `(${c} ? ${a} : ${b})`,
    wasm: byDtype({ float32: select("float32"), bool: select("bool") }),
  },
};
