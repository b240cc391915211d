// Kernel IR → WGSL expressions: every IR op in one exhaustive table (the WGSL counterpart of the
// CPU backend's `cpuOps` in core/src/cpu/op-table.ts, whose semantics it follows: integer ops wrap,
// integer division truncates and gives 0 for a zero divisor, max propagates NaN, shifts use the low
// five bits of the count, casts follow JS conversions). Operands arrive as WGSL expressions of the
// operand's value type.
import type { DType, ir } from "@scm-ts/core";
import { literal, select, truthy, unsupportedDtype, valueType, fromStorage, type HelperName } from "./quirks.js";

type Expr = ir.Expr;
type IrOp = ir.IrOp;

/** How a kernel reads element `index` (an i32 expression) of input `input` as a value of `dtype`. */
export type InputLoader = (input: number, dtype: DType, index: string) => string;

/** Reads from one binding per input (`in0`, `in1`, …). */
export const directLoader: InputLoader = (input, dtype, index) => fromStorage(dtype, `in${input}[${index}]`);

/** Renders one node from its operands' code; `use` requests a helper function, `load` reads an input. */
export type WgslRender = (a: readonly string[], e: Expr, use: (h: HelperName) => void, load: InputLoader) => string;

const isPositiveConst = (e: Expr | undefined): boolean => e !== undefined && e.op === "CONST" && e.arg > 0;
const srcType = (e: Expr, i: number): DType => e.src[i]!.dtype;

function floatOnly(e: Expr, what: string): void {
  if (e.dtype !== "float32") throw new TypeError(`WGSL codegen: ${what} of ${e.dtype} is not defined (float32 only)`);
}

/** Integer division or remainder with JS semantics (truncation; 0 for a zero divisor). */
function intDivMod(kind: "div" | "mod", [a, b]: readonly string[], e: Expr, use: (h: HelperName) => void): string {
  const sym = kind === "div" ? "/" : "%";
  if (e.dtype === "float32") return `(${a} ${sym} ${b})`;
  if (e.dtype === "bool" || e.dtype === "float64") throw new TypeError(`WGSL codegen: ${kind} of ${e.dtype}`);
  if (isPositiveConst(e.src[1])) return `(${a} ${sym} ${b})`;
  const h = `i${kind}_${e.dtype === "int32" ? "i32" : "u32"}` as HelperName;
  use(h);
  return `${h}(${a}, ${b})`;
}

/** A shift count as u32 in [0, 31] (JS masks the count to five bits). */
function shiftCount(e: Expr, b: string): string {
  const s = e.src[1]!;
  if (s.op === "CONST" && s.arg >= 0 && s.arg < 32) return `${s.arg}u`;
  return s.dtype === "uint32" ? `(${b} & 31u)` : `(u32(${b}) & 31u)`;
}

function castTo(to: DType, from: DType, a: string, use: (h: HelperName) => void): string {
  if (to === from) return a;
  switch (to) {
    case "bool":
      return truthy(from, a, use);
    case "float32":
      return `f32(${a})`;
    case "int32":
      return from === "uint32" ? `bitcast<i32>(${a})` : `i32(${a})`;
    case "uint32":
      if (from === "float32") return use("f32_to_u32"), `f32_to_u32(${a})`;
      return from === "int32" ? `bitcast<u32>(${a})` : `u32(${a})`;
    case "float64":
      throw unsupportedDtype(to, "WGSL codegen (cast)");
  }
}

function compare(sym: string): WgslRender {
  // Ordered comparisons of bools compare 0/1, as JS does.
  return ([a, b], e) => (srcType(e, 0) === "bool" && sym !== "==" && sym !== "!=" ? `(u32(${a}) ${sym} u32(${b}))` : `(${a} ${sym} ${b})`);
}

function logic(boolSym: string, intSym: string): WgslRender {
  return ([a, b], e) => (e.dtype === "bool" ? `(${a} ${boolSym} ${b})` : `(${a} ${intSym} ${b})`);
}

function floatFn(name: string, helper?: HelperName): WgslRender {
  return ([a], e, use) => {
    floatOnly(e, name);
    if (helper) use(helper);
    return `${helper ?? name}(${a})`;
  };
}

/** The WGSL rendering of each IR op. */
export const wgslOps: Record<IrOp, WgslRender> = {
  CONST: (_, e, use) => literal(e.arg, e.dtype, use),
  GIDX: () => "gidx",
  RIDX: () => "ridx",
  LOAD: ([i], e, _, load) => load(e.arg, e.dtype, i!),
  NEG: ([a], e) => (e.dtype === "uint32" ? `(0u - ${a})` : `(-(${a}))`),
  EXP: floatFn("exp"),
  LOG: floatFn("log"),
  SIN: floatFn("sin", "sin_f32"),
  COS: floatFn("cos", "cos_f32"),
  SQRT: floatFn("sqrt"),
  TANH: floatFn("tanh", "tanh_f32"),
  ATAN: floatFn("atan", "atan_f32"),
  NOT: ([a], e, use) => `(!${truthy(srcType(e, 0), a!, use)})`,
  CAST: ([a], e, use) => castTo(e.dtype, srcType(e, 0), a!, use),
  ADD: ([a, b]) => `(${a} + ${b})`,
  SUB: ([a, b]) => `(${a} - ${b})`,
  MUL: ([a, b], e) => (e.dtype === "bool" ? `(${a} && ${b})` : `(${a} * ${b})`),
  DIV: (a, e, use) => intDivMod("div", a, e, use),
  IDIV: (a, e, use) => intDivMod("div", a, e, use),
  MOD: (a, e, use) => intDivMod("mod", a, e, use),
  MAX: ([a, b], e, use) => (e.dtype === "float32" ? (use("max_f32"), `max_f32(${a}, ${b})`) : `max(${a}, ${b})`),
  POW: ([a, b], e, use) => {
    floatOnly(e, "pow");
    use("pow_f32");
    return `pow_f32(${a}, ${b})`;
  },
  CMPLT: compare("<"),
  CMPLE: compare("<="),
  CMPEQ: compare("=="),
  CMPNE: compare("!="),
  AND: logic("&&", "&"),
  OR: logic("||", "|"),
  XOR: logic("!=", "^"),
  SHL: ([a, b], e) => `(${a} << ${shiftCount(e, b!)})`,
  SHR: ([a, b], e) => `(${a} >> ${shiftCount(e, b!)})`,
  WHERE: ([c, a, b], e, use) => select(truthy(srcType(e, 0), c!, use), a!, b!),
};

/** The WGSL value type of an IR node (checks the dtype is supported). */
export function exprType(e: Expr): string {
  return valueType(e.dtype);
}
