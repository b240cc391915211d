// The kernel IR: scalar expressions that compute one output element of a kernel from its flat index
// (GIDX) and, in reductions, the reduction index (RIDX). Nodes are hash-consed, so equal
// subexpressions are one object and code generators emit each once (CSE). Index arithmetic is
// simplified as nodes are built, using known value ranges (so `i % n` disappears when i < n).
import type { DType } from "../dtype.js";

/** Every IR operation. Backends map each one in an exhaustive table. */
export type IrOp =
  | "CONST" | "GIDX" | "RIDX" | "LOAD"
  | "NEG" | "EXP" | "LOG" | "SIN" | "COS" | "SQRT" | "TANH" | "ATAN" | "NOT" | "CAST"
  | "ADD" | "SUB" | "MUL" | "DIV" | "IDIV" | "MOD" | "MAX" | "POW"
  | "CMPLT" | "CMPLE" | "CMPEQ" | "CMPNE" | "AND" | "OR" | "XOR" | "SHL" | "SHR"
  | "WHERE";

/** Unary IR ops. */
export type UnaryIrOp = "NEG" | "EXP" | "LOG" | "SIN" | "COS" | "SQRT" | "TANH" | "ATAN" | "NOT";
/** Binary IR ops. */
export type BinaryIrOp =
  | "ADD" | "SUB" | "MUL" | "DIV" | "IDIV" | "MOD" | "MAX" | "POW"
  | "CMPLT" | "CMPLE" | "CMPEQ" | "CMPNE" | "AND" | "OR" | "XOR" | "SHL" | "SHR";

/** One IR node. `arg` is the constant (CONST) or the input slot (LOAD); `src` its operands. */
export interface Expr {
  /** Unique per hash-consed node: equal ids mean the same subexpression (the key of CSE). */
  readonly id: number;
  /** The operation. */
  readonly op: IrOp;
  /** The result dtype (bool for comparisons and NOT, int32 for GIDX/RIDX). */
  readonly dtype: DType;
  /** The operands, in the op's order (WHERE: condition, then-value, else-value). */
  readonly src: readonly Expr[];
  /** The constant's value for CONST, the input slot for LOAD; 0 otherwise. */
  readonly arg: number;
  /** Inclusive lower bound of the value, known for index arithmetic (−∞ when unknown). */
  readonly min: number;
  /** Inclusive upper bound of the value (+∞ when unknown). */
  readonly max: number;
  /** True when the value depends on RIDX (reduction loops hoist the rest). */
  readonly usesRidx: boolean;
}

let nextId = 0;
const interned = new Map<string, Expr>();

function node(op: IrOp, dtype: DType, src: readonly Expr[], arg = 0, min = -Infinity, max = Infinity): Expr {
  // -0 and 0 differ as constants (1/x, sign of a product), so the key spells -0 out.
  const key = `${op}|${dtype}|${Object.is(arg, -0) ? "-0" : arg}|${src.map((s) => s.id).join(",")}|${min}|${max}`;
  const hit = interned.get(key);
  if (hit) return hit;
  if (interned.size > 200_000) interned.clear();
  const usesRidx = op === "RIDX" || src.some((s) => s.usesRidx);
  const e: Expr = { id: nextId++, op, dtype, src, arg, min, max, usesRidx };
  interned.set(key, e);
  return e;
}

/** A constant of a dtype. */
export function konst(value: number, dtype: DType): Expr {
  return node("CONST", dtype, [], value, value, value);
}
/** An int32 index constant. */
export const idx = (n: number): Expr => konst(n, "int32");
/** The flat output index, in [0, size). */
export const gidx = (size: number): Expr => node("GIDX", "int32", [], 0, 0, Math.max(0, size - 1));
/** The reduction index, in [0, rsize). */
export const ridx = (rsize: number): Expr => node("RIDX", "int32", [], 0, 0, Math.max(0, rsize - 1));
/** Reads element `index` of input slot `input`. */
export const load = (input: number, dtype: DType, index: Expr): Expr => node("LOAD", dtype, [index], input);

const isConst = (e: Expr, v?: number): boolean => e.op === "CONST" && (v === undefined || e.arg === v);
const boundsKnown = (e: Expr): boolean => Number.isFinite(e.min) && Number.isFinite(e.max);

/** A unary op node. */
export function unary(op: UnaryIrOp, a: Expr): Expr {
  const dtype = op === "NOT" ? "bool" : a.dtype;
  return node(op, dtype, [a]);
}

/** Converts to another dtype. */
export function cast(a: Expr, dtype: DType): Expr {
  if (a.dtype === dtype) return a;
  return node("CAST", dtype, [a], 0, a.min, a.max);
}

/** A binary op node; int32 index arithmetic is simplified using bounds. */
export function binary(op: BinaryIrOp, a: Expr, b: Expr): Expr {
  const cmp = op === "CMPLT" || op === "CMPLE" || op === "CMPEQ" || op === "CMPNE";
  const dtype = cmp ? "bool" : a.dtype;
  if (a.dtype === "int32" && b.dtype === "int32" && !cmp) {
    const s = simplifyIndex(op, a, b);
    if (s) return s;
    const [min, max] = indexBounds(op, a, b);
    return node(op, dtype, [a, b], 0, min, max);
  }
  return node(op, dtype, [a, b]);
}

/** Selects `a` where `c` is true, else `b`. */
export function where(c: Expr, a: Expr, b: Expr): Expr {
  if (isConst(c)) return c.arg ? a : b;
  if (a === b) return a;
  return node("WHERE", a.dtype, [c, a, b], 0, Math.min(a.min, b.min), Math.max(a.max, b.max));
}

function simplifyIndex(op: BinaryIrOp, a: Expr, b: Expr): Expr | undefined {
  if (isConst(a) && isConst(b)) {
    const x = a.arg, y = b.arg;
    const v = op === "ADD" ? x + y : op === "SUB" ? x - y : op === "MUL" ? x * y : op === "IDIV" ? Math.trunc(x / y) : op === "MOD" ? x % y : op === "MAX" ? Math.max(x, y) : undefined;
    if (v !== undefined) return idx(v);
  }
  switch (op) {
    case "ADD": {
      if (isConst(b, 0)) return a;
      if (isConst(a, 0)) return b;
      // ((x / c) % m)·c + x % c = x % (c·m) for x ≥ 0: the digits of a flattened index, split by a
      // reshape and joined again, become one remainder (on the SIMD path, often contiguous lanes)
      const joined = (term: Expr): Expr | undefined => {
        if (b.op !== "MOD" || !isConst(b.src[1]!) || b.src[0]!.min < 0 || term.op !== "MUL" || !isConst(term.src[1]!, b.src[1]!.arg)) return undefined;
        const m = term.src[0]!, x = b.src[0]!, c = b.src[1]!.arg;
        if (m.op !== "MOD" || !isConst(m.src[1]!) || m.src[1]!.arg <= 0 || m.src[0]!.op !== "IDIV" || m.src[0]!.src[0] !== x || !isConst(m.src[0]!.src[1]!, c)) return undefined;
        return binary("MOD", x, idx(c * m.src[1]!.arg));
      };
      const whole = joined(a);
      if (whole) return whole;
      // the same with the term one addition further in: (p + ((x / c) % m)·c) + x % c
      const inner = a.op === "ADD" ? joined(a.src[1]!) : undefined;
      if (inner) return binary("ADD", a.src[0]!, inner);
      break;
    }
    case "SUB":
      if (isConst(b, 0)) return a;
      break;
    case "MUL":
      if (isConst(b, 1)) return a;
      if (isConst(a, 1)) return b;
      if (isConst(a, 0) || isConst(b, 0)) return idx(0);
      break;
    case "IDIV":
      if (isConst(b, 1)) return a;
      if (isConst(b) && b.arg > 0 && a.min >= 0 && a.max < b.arg) return idx(0);
      // (x * c) / c = x for non-negative x
      if (isConst(b) && a.op === "MUL" && a.src[1] && isConst(a.src[1], b.arg) && a.min >= 0) return a.src[0]!;
      break;
    case "MOD":
      if (isConst(b, 1)) return idx(0);
      if (isConst(b) && b.arg > 0 && a.min >= 0 && a.max < b.arg) return a;
      break;
  }
  return undefined;
}

function indexBounds(op: BinaryIrOp, a: Expr, b: Expr): [number, number] {
  if (!boundsKnown(a) || !boundsKnown(b)) return [-Infinity, Infinity];
  switch (op) {
    case "ADD":
      return [a.min + b.min, a.max + b.max];
    case "SUB":
      return [a.min - b.max, a.max - b.min];
    case "MUL": {
      const p = [a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max];
      return [Math.min(...p), Math.max(...p)];
    }
    case "IDIV":
      if (b.min > 0 && a.min >= 0) return [Math.trunc(a.min / b.max), Math.trunc(a.max / b.min)];
      break;
    case "MOD":
      if (b.min > 0 && a.min >= 0) return [0, Math.min(a.max, b.max - 1)];
      break;
    case "MAX":
      return [Math.max(a.min, b.min), Math.max(a.max, b.max)];
  }
  return [-Infinity, Infinity];
}

/** Nodes reachable from the roots, operands before users (a topological order). */
export function toposort(roots: readonly Expr[]): Expr[] {
  const seen = new Set<number>();
  const order: Expr[] = [];
  const visit = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    for (const s of e.src) visit(s);
    order.push(e);
  };
  roots.forEach(visit);
  return order;
}

/** A structural string of an expression DAG: equal strings mean equal computations. */
export function exprKey(root: Expr): string {
  const order = toposort([root]);
  const local = new Map<number, number>();
  return order
    .map((e, i) => {
      local.set(e.id, i);
      const args = e.src.map((s) => `%${local.get(s.id)}`).join(",");
      const extra = e.op === "CONST" || e.op === "LOAD" ? `:${Object.is(e.arg, -0) ? "-0" : e.arg}` : e.op === "GIDX" || e.op === "RIDX" ? `:${e.max}` : "";
      return `${e.op}.${e.dtype}${extra}(${args})`;
    })
    .join(";");
}

/** The same node with new operands (used to renumber LOAD slots). */
export function withSrc(e: Expr, src: readonly Expr[], arg = e.arg): Expr {
  return node(e.op, e.dtype, src, arg, e.min, e.max);
}

const infix: Partial<Record<IrOp, string>> = {
  ADD: "+", SUB: "-", MUL: "*", DIV: "/", IDIV: "//", MOD: "%", CMPLT: "<", CMPLE: "<=", CMPEQ: "==", CMPNE: "!=", AND: "&", OR: "|", XOR: "^", SHL: "<<", SHR: ">>",
};

/** A readable rendering of an expression; nodes used more than once are named and listed first. */
export function printExpr(root: Expr): string {
  const order = toposort([root]);
  const uses = new Map<number, number>();
  for (const e of order) for (const s of e.src) uses.set(s.id, (uses.get(s.id) ?? 0) + 1);
  const names = new Map<number, string>();
  const lets: string[] = [];
  for (const e of order) {
    const a = e.src.map((s) => names.get(s.id)!);
    let text: string;
    if (e.op === "CONST") text = String(e.arg);
    else if (e.op === "GIDX") text = "gidx";
    else if (e.op === "RIDX") text = "ridx";
    else if (e.op === "LOAD") text = `in${e.arg}[${a[0]}]`;
    else if (e.op === "CAST") text = `${e.dtype}(${a[0]})`;
    else if (e.op === "WHERE") text = `(${a[0]} ? ${a[1]} : ${a[2]})`;
    else if (infix[e.op]) text = `(${a[0]} ${infix[e.op]} ${a[1]})`;
    else text = `${e.op.toLowerCase()}(${a.join(", ")})`;
    if ((uses.get(e.id) ?? 0) > 1 && e.src.length > 0) {
      const n = `t${lets.length}`;
      lets.push(`${n} = ${text}`);
      names.set(e.id, n);
    } else names.set(e.id, text);
  }
  return [...lets, names.get(root.id)!].join("; ");
}
