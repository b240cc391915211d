// Elementwise primitives, one row each: shape/dtype rule, lowering to one IR op, JVP rule, and a
// transpose for the linear ones. Operands have equal shapes (the public API inserts explicit
// broadcasts), so no rule here deals with broadcasting. Also the tangent arithmetic other rules use
// (addTan, mulTan, recip), which binds these primitives and so lives with them.
import { isFloat, type DType } from "../dtype.js";
import { binary, cast as irCast, konst, unary, where as irWhere, type BinaryIrOp, type UnaryIrOp } from "../ir/expr.js";
import { defineOp, UndefPrimal, Zero, type OpDef, type Tan } from "../primitive.js";
import { fmtAval, shapeEqual, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { instantiate, scalarLike, zerosLike } from "./broadcast.js";
import * as T from "./rules.js";

type NoParams = Record<string, never>;

function sameAvals(name: string, avals: readonly ShapedArray[], need: "float" | "any" | "nonbool"): ShapedArray {
  const a = avals[0]!;
  for (const b of avals) {
    if (!shapeEqual(a.shape, b.shape) || a.dtype !== b.dtype) {
      throw new Error(`${name}: operands ${avals.map(fmtAval).join(", ")} must have equal shapes and dtypes`);
    }
  }
  if (need === "float" && !isFloat(a.dtype)) throw new TypeError(`${name}: needs a float input, got ${fmtAval(a)}; cast with astype('float32')`);
  if (need === "nonbool" && a.dtype === "bool") throw new TypeError(`${name}: not defined for bool, got ${fmtAval(a)}`);
  return a;
}

/** A float unary op with JVP dy = deriv(x, y) · dx. */
function unaryOp(name: string, ir: UnaryIrOp, deriv: (x: Tensor, y: Tensor) => Tensor): OpDef<NoParams> {
  const op: OpDef<NoParams> = defineOp<NoParams>({
    name,
    kind: "nonlinear",
    abstractEval: (avals) => [sameAvals(name, avals, "float")],
    lower: { kind: "map", build: ([x]) => (i) => unary(ir, x!(i)) },
    jvp: ([x], [dx]) => {
      const y = T.bind1(op, [x!]);
      return [[y], [mulTan(dx!, () => deriv(x!, y))]];
    },
  });
  return op;
}

/** eˣ; d eˣ = eˣ dx. */
export const exp = unaryOp("exp", "EXP", (_, y) => y);
/** Natural logarithm; d log x = dx/x. */
export const log = unaryOp("log", "LOG", (x) => recip(x));
/** sin x; d sin x = cos x dx. */
export const sin = unaryOp("sin", "SIN", (x) => T.bind1(cos, [x]));
/** cos x; d cos x = −sin x dx. */
export const cos = unaryOp("cos", "COS", (x) => T.bind1(neg, [T.bind1(sin, [x])]));
/** √x; d√x = dx / (2√x). */
export const sqrt = unaryOp("sqrt", "SQRT", (_, y) => recip(T.bind1(mul, [y, scalarLike(y, 2)])));
/** tanh x; d tanh x = (1 − y²) dx. */
export const tanh = unaryOp("tanh", "TANH", (_, y) => T.bind1(sub, [scalarLike(y, 1), T.bind1(mul, [y, y])]));
/** atan x; d atan x = dx / (1 + x²). */
export const atan = unaryOp("atan", "ATAN", (x) => recip(T.bind1(add, [scalarLike(x, 1), T.bind1(mul, [x, x])])));

/** −x: linear. */
export const neg: OpDef<NoParams> = defineOp<NoParams>({
  name: "neg",
  kind: "linear",
  abstractEval: (avals) => [sameAvals("neg", avals, "nonbool")],
  lower: { kind: "map", build: ([x]) => (i) => unary("NEG", x!(i)) },
  jvp: ([x], [dx]) => [[T.bind1(neg, [x!])], [T.mapTan(dx!, (t) => T.bind1(neg, [t]))]],
  transpose: ([ct]) => [T.mapTan(ct!, (t) => T.bind1(neg, [t]))],
});

function linearBinary(name: string, ir: BinaryIrOp, sign: 1 | -1): OpDef<NoParams> {
  const op: OpDef<NoParams> = defineOp<NoParams>({
    name,
    kind: "linear",
    abstractEval: (avals) => [sameAvals(name, avals, "nonbool")],
    lower: { kind: "map", build: ([x, y]) => (i) => binary(ir, x!(i), y!(i)) },
    jvp: ([x, y], [dx, dy]) => {
      const out = T.bind1(op, [x!, y!]);
      const dyS = sign === 1 ? dy! : T.mapTan(dy!, (t) => T.bind1(neg, [t]));
      return [[out], [addTan(dx!, dyS)]];
    },
    transpose: ([ct], args) => {
      const c = ct!;
      return [args[0] instanceof UndefPrimal ? c : null, args[1] instanceof UndefPrimal ? (sign === 1 ? c : T.mapTan(c, (t) => T.bind1(neg, [t]))) : null];
    },
  });
  return op;
}

/** x + y. */
export const add = linearBinary("add", "ADD", 1);
/** x − y. */
export const sub = linearBinary("sub", "SUB", -1);

/** x · y: bilinear (linear in each operand when the other is known). */
export const mul: OpDef<NoParams> = defineOp<NoParams>({
  name: "mul",
  kind: "linear",
  abstractEval: (avals) => [sameAvals("mul", avals, "any")],
  lower: { kind: "map", build: ([x, y], avals) => (i) => (avals[0]!.dtype === "bool" ? binary("AND", x!(i), y!(i)) : binary("MUL", x!(i), y!(i))) },
  jvp: ([x, y], [dx, dy]) => [[T.bind1(mul, [x!, y!])], [addTan(mulTan(dx!, () => y!), mulTan(dy!, () => x!))]],
  transpose: ([ct], [x, y]) => {
    if (x instanceof UndefPrimal && y instanceof UndefPrimal) throw new Error("mul: cannot transpose a product of two linear values (the function is not linear)");
    return [x instanceof UndefPrimal ? mulTan(ct!, () => y as Tensor) : null, y instanceof UndefPrimal ? mulTan(ct!, () => x as Tensor) : null];
  },
});

/** x / y: linear in x. d(x/y) = (dx − (x/y)·dy) / y. */
export const div: OpDef<NoParams> = defineOp<NoParams>({
  name: "div",
  kind: "linear",
  abstractEval: (avals) => [sameAvals("div", avals, "nonbool")],
  lower: { kind: "map", build: ([x, y]) => (i) => binary("DIV", x!(i), y!(i)) },
  jvp: ([x, y], [dx, dy]) => {
    const z = T.bind1(div, [x!, y!]);
    const num = addTan(dx!, T.mapTan(mulTan(dy!, () => z), (t) => T.bind1(neg, [t])));
    return [[z], [T.mapTan(num, (t) => T.bind1(div, [t, y!]))]];
  },
  transpose: ([ct], [x, y]) => {
    if (y instanceof UndefPrimal) throw new Error("div: cannot transpose with respect to the denominator (the function is not linear in it)");
    return [x instanceof UndefPrimal ? T.mapTan(ct!, (t) => T.bind1(div, [t, y as Tensor])) : null, null];
  },
});

/** max(x, y), propagating NaN. The tangent follows the larger operand; at ties, their mean. */
export const max: OpDef<NoParams> = defineOp<NoParams>({
  name: "max",
  kind: "nonlinear",
  abstractEval: (avals) => [sameAvals("max", avals, "nonbool")],
  lower: { kind: "map", build: ([x, y]) => (i) => binary("MAX", x!(i), y!(i)) },
  jvp: ([x, y], [dx, dy]) => {
    const z = T.bind1(max, [x!, y!]);
    if (dx instanceof Zero && dy instanceof Zero) return [[z], [dx]];
    const tx = instantiate(dx!), ty = instantiate(dy!);
    const half = T.bind1(mul, [T.bind1(add, [tx, ty]), scalarLike(tx, 0.5)]);
    const dz = T.bind1(where, [T.bind1(lt, [y!, x!]), tx, T.bind1(where, [T.bind1(lt, [x!, y!]), ty, half])]);
    return [[z], [dz]];
  },
});

/** x ** y. d(x^y) = y·x^(y−1)·dx + log(x)·x^y·dy. */
export const pow: OpDef<NoParams> = defineOp<NoParams>({
  name: "pow",
  kind: "nonlinear",
  abstractEval: (avals) => [sameAvals("pow", avals, "float")],
  lower: { kind: "map", build: ([x, y]) => (i) => binary("POW", x!(i), y!(i)) },
  jvp: ([x, y], [dx, dy]) => {
    const z = T.bind1(pow, [x!, y!]);
    const tx = mulTan(dx!, () => T.bind1(mul, [y!, T.bind1(pow, [x!, T.bind1(sub, [y!, scalarLike(y!, 1)])])]));
    const ty = mulTan(dy!, () => T.bind1(mul, [T.bind1(log, [x!]), z]));
    return [[z], [addTan(tx, ty)]];
  },
});

function compareOp(name: string, ir: BinaryIrOp): OpDef<NoParams> {
  return defineOp<NoParams>({
    name,
    kind: "nonlinear",
    abstractEval: (avals) => [{ shape: sameAvals(name, avals, "any").shape, dtype: "bool" }],
    lower: { kind: "map", build: ([x, y]) => (i) => binary(ir, x!(i), y!(i)) },
    jvp: (xs, _, p) => T.zeroJvp(compareOps[name]!, xs, p),
  });
}
/** x < y. */
export const lt = compareOp("lt", "CMPLT");
/** x ≤ y. */
export const le = compareOp("le", "CMPLE");
/** x = y. */
export const eq = compareOp("eq", "CMPEQ");
/** x ≠ y. */
export const ne = compareOp("ne", "CMPNE");
const compareOps: Record<string, OpDef> = { lt, le, eq, ne };

/** where(c, x, y): linear in (x, y) for a known condition. */
export const where: OpDef<NoParams> = defineOp<NoParams>({
  name: "where",
  kind: "linear",
  abstractEval: ([c, x, y]) => {
    if (c!.dtype !== "bool") throw new TypeError(`where: the condition must be bool, got ${fmtAval(c!)}`);
    const a = sameAvals("where", [x!, y!], "any");
    if (!shapeEqual(c!.shape, a.shape)) throw new Error(`where: condition ${fmtAval(c!)} and values ${fmtAval(a)} differ in shape`);
    return [a];
  },
  lower: { kind: "map", build: ([c, x, y]) => (i) => irWhere(c!(i), x!(i), y!(i)) },
  jvp: ([c, x, y], [, dx, dy]) => {
    const out = T.bind1(where, [c!, x!, y!]);
    if (dx instanceof Zero && dy instanceof Zero) return [[out], [dx]];
    return [[out], [T.bind1(where, [c!, instantiate(dx!), instantiate(dy!)])]];
  },
  transpose: ([ct], [c, x, y]) => {
    if (c instanceof UndefPrimal) throw new Error("where: cannot transpose with respect to the condition");
    if (ct instanceof Zero) return [null, x instanceof UndefPrimal ? ct : null, y instanceof UndefPrimal ? ct : null];
    const z = zerosLike(ct!);
    return [null, x instanceof UndefPrimal ? T.bind1(where, [c as Tensor, ct!, z]) : null, y instanceof UndefPrimal ? T.bind1(where, [c as Tensor, z, ct!]) : null];
  },
});

/** Converts the dtype; linear between float types, zero tangent otherwise. */
export const convert: OpDef<{
  /** The output dtype. */
  dtype: DType;
}> = defineOp<{ dtype: DType }>({
  name: "convert",
  kind: "linear",
  abstractEval: ([x], { dtype }) => [{ shape: x!.shape, dtype }],
  lower: { kind: "map", build: ([x], _, out) => (i) => irCast(x!(i), out.dtype) },
  jvp: ([x], [dx], p) => {
    const y = T.bind1(convert, [x!], p);
    if (!isFloat(p.dtype) || !isFloat(x!.dtype)) return [[y], [new Zero(y.aval)]];
    return [[y], [T.mapTan(dx!, (t) => T.bind1(convert, [t], p))]];
  },
  transpose: ([ct], [x]) => [T.mapTan(ct!, (t) => T.bind1(convert, [t], { dtype: (x as UndefPrimal).aval.dtype }))],
});

/** Identity whose tangent is zero: cuts derivatives (used by the sCM loss on its tangent). */
export const stopGradient: OpDef<NoParams> = defineOp<NoParams>({
  name: "stop_gradient",
  kind: "nonlinear",
  abstractEval: ([x]) => [x!],
  lower: { kind: "map", build: ([x]) => x! },
  jvp: ([x]) => [[T.bind1(stopGradient, [x!])], [new Zero(x!.aval)]],
});

/** sign(x) ∈ {−1, 0, 1} (NaN stays NaN); zero derivative. */
export const sign: OpDef<NoParams> = defineOp<NoParams>({
  name: "sign",
  kind: "nonlinear",
  abstractEval: (avals) => [sameAvals("sign", avals, "nonbool")],
  lower: {
    kind: "map",
    build: ([x], [a]) => (i) => {
      const v = x!(i), zero = konst(0, a!.dtype);
      return irWhere(binary("CMPLT", zero, v), konst(1, a!.dtype), irWhere(binary("CMPLT", v, zero), konst(-1, a!.dtype), v));
    },
  },
  jvp: (xs, _, p) => T.zeroJvp(sign, xs, p),
});

export type { Tan };

/** t · factor(), skipping the factor's computation when t is zero. */
export function mulTan(t: Tan, factor: () => Tensor): Tan {
  return t instanceof Zero ? t : T.bind1(mul, [t, factor()]);
}

/** a + b for possibly-zero tangents. */
export function addTan(a: Tan, b: Tan): Tan {
  if (a instanceof Zero) return b;
  if (b instanceof Zero) return a;
  return T.bind1(add, [a, b]);
}

/** 1 / x. */
export function recip(x: Tensor): Tensor {
  return T.bind1(div, [scalarLike(x, 1), x]);
}
