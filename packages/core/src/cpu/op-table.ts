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
// and x % c contiguous (the lanes never cross a multiple of c). Other index patterns have no form.
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
}

/** What a SIMD form sees of the node it renders and of the kernel around it. */
export interface WasmNode {
  /** The node. */
  readonly e: Expr;
  /** Pushes operand i's value (an f32x4, a lane mask, or an int32 index's lane-0 value). */
  readonly arg: (i: number) => Code;
  /** Operand i's lane pattern (int32 operands; undefined for others). */
  readonly kind: (i: number) => IndexKind | undefined;
  /** The v128 or i32 local that will hold the node's value (free as scratch until then). */
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
const compare = (instr: Code): Forms => ({ bool: (n) => (operands(n, "float32") ? { code: [...n.arg(0), ...n.arg(1), ...instr] } : null) });

// index arithmetic on int32 operands (lane patterns as in the header)
const uniform = (aligned: boolean): IndexKind => ({ contiguous: false, aligned });
const addSub = (instr: Code, sub: boolean): WasmRender => (n) => {
  const [a, b] = [n.kind(0), n.kind(1)];
  if (!a || !b || (a.contiguous && b.contiguous) || (sub && b.contiguous)) return null;
  return { code: [...n.arg(0), ...n.arg(1), ...instr], kind: { contiguous: a.contiguous || b.contiguous, aligned: a.aligned && b.aligned } };
};
const divMod = (instr: Code, mod: boolean): WasmRender => (n) => {
  const a = n.kind(0), divisor = n.e.src[1]!;
  const c = divisor.op === "CONST" ? divisor.arg : NaN;
  if (!a || !(c > 0) || n.e.src[0]!.min < 0) return null;
  const code = [...n.arg(0), ...n.arg(1), ...instr];
  if (!a.contiguous) return { code, kind: uniform(false) };
  if (!a.aligned || c % 4 !== 0) return null;
  return { code, kind: mod ? { contiguous: true, aligned: true } : uniform(false) };
};
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
        return k ? { code: [...n.input(n.e.arg), ...n.arg(0), ...op.i32(2), ...op.shl, ...op.add, ...(k.contiguous ? op.v128Load() : op.load32Splat())] } : null;
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
  ADD: { js: ([a, b], e) => intOp(e, `${a} + ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Add), int32: addSub(op.add, false) }) },
  SUB: { js: ([a, b], e) => intOp(e, `${a} - ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Sub), int32: addSub(op.sub, true) }) },
  MUL: {
    js: ([a, b], e) => (e.dtype === "int32" ? `Math.imul(${a}, ${b})` : e.dtype === "uint32" ? u32(`Math.imul(${a}, ${b})`) : `${a} * ${b}`),
    wasm: byDtype({
      float32: f32Binary(op.f32x4Mul),
      int32: (n) => {
        const [a, b] = [n.kind(0), n.kind(1)];
        return a && b && !a.contiguous && !b.contiguous ? { code: [...n.arg(0), ...n.arg(1), ...op.mul], kind: uniform(a.aligned || b.aligned) } : null;
      },
    }),
  },
  DIV: { js: ([a, b], e) => intOp(e, `${a} / ${b}`), wasm: byDtype({ float32: f32Binary(op.f32x4Div) }) },
  IDIV: { js: ([a, b], e) => intOp(e, `${a} / ${b}`), wasm: byDtype({ int32: divMod(op.divS, false) }) },
  MOD: { js: ([a, b], e) => intOp(e, `${a} % ${b}`), wasm: byDtype({ int32: divMod(op.remS, true) }) },
  // max propagates NaN (like Math.max and JAX)
  MAX: { js: ([a, b]) => `Math.max(${a}, ${b})`, wasm: byDtype({ float32: f32Binary(op.f32x4Max) }) },
  POW: { js: ([a, b]) => `Math.pow(${a}, ${b})`, wasm: byDtype({ float32: f32((n) => powCode(n.arg(0), n.arg(1), n.tmp, n.splat)) }) },
  CMPLT: { js: ([a, b]) => `(${a} < ${b} ? 1 : 0)`, wasm: byDtype(compare(op.f32x4Lt)) },
  CMPLE: { js: ([a, b]) => `(${a} <= ${b} ? 1 : 0)`, wasm: byDtype(compare(op.f32x4Le)) },
  CMPEQ: { js: ([a, b]) => `(${a} === ${b} ? 1 : 0)`, wasm: byDtype(compare(op.f32x4Eq)) },
  CMPNE: { js: ([a, b]) => `(${a} !== ${b} ? 1 : 0)`, wasm: byDtype(compare(op.f32x4Ne)) },
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
