// The kernel IR's float32 expressions as WebAssembly SIMD code over four lanes, for the elementwise
// and reduction kernels (wasm-map.ts). The lanes run along one index — GIDX (four consecutive output
// elements) or RIDX (four consecutive reduced values of one output element) — whose step value is a
// multiple of 4. Each float node is one f32x4 local (a comparison, a lane mask). Index arithmetic
// stays scalar: each index node keeps its lane-0 value and is known to be uniform (the same in all
// lanes: a splat load) or contiguous (lane j = lane 0 + j: one vector load). The lane index is
// contiguous, the other index and constants uniform; x ± y keeps the kinds (contiguous ± uniform is
// contiguous); for a contiguous x whose lane 0 is a multiple of 4 and ≥ 0, and c a multiple of 4,
// x / c is uniform and x % c contiguous (the lanes never cross a multiple of c). Anything else —
// other ops or dtypes, other index patterns — makes the expression unsupported (null): the kernel
// then runs as JavaScript. Nodes are placed at the loop level they depend on: before all loops,
// per output step (GIDX), or per reduced step (RIDX), so invariants are computed once.
import { toposort, type Expr } from "../ir/expr.js";
import { I32, Locals, op, V128, type Code } from "./wasm-asm.js";
import { expCode, logCode, sinCosCode, tanhCode, type Splat } from "./wasm-math.js";

/** Which index the four lanes run along. */
export type Lanes = "GIDX" | "RIDX";

/** An expression's code by loop level, and the local holding its value. */
export interface VectorExpr {
  /** Before every loop: constants and nodes that depend on neither index. */
  readonly pre: Code;
  /** Once per GIDX step: nodes that depend on GIDX but not RIDX. */
  readonly outer: Code;
  /** Once per RIDX step: nodes that depend on RIDX. */
  readonly inner: Code;
  /** The f32x4 local holding the root's value after `inner` (of copy k: `values[k]`). */
  readonly value: number;
  /** Per copy (see `vectorizeExpr`), the f32x4 local holding the root's value. */
  readonly values: readonly number[];
}

// An index node's lane pattern within one 4-lane step, and whether its lane-0 value is a multiple of 4.
interface IndexKind {
  readonly contiguous: boolean;
  readonly aligned: boolean;
}

const floatUnary: Partial<Record<Expr["op"], Code>> = { NEG: op.f32x4Neg, SQRT: op.f32x4Sqrt };
const floatBinary: Partial<Record<Expr["op"], Code>> = { ADD: op.f32x4Add, SUB: op.f32x4Sub, MUL: op.f32x4Mul, DIV: op.f32x4Div, MAX: op.f32x4Max };
const compare: Partial<Record<Expr["op"], Code>> = { CMPLT: op.f32x4Lt, CMPLE: op.f32x4Le, CMPEQ: op.f32x4Eq, CMPNE: op.f32x4Ne };
const maskBinary: Partial<Record<Expr["op"], Code>> = { AND: op.v128And, OR: op.v128Or, XOR: op.v128Xor };
const indexBinary: Partial<Record<Expr["op"], Code>> = { ADD: op.add, SUB: op.sub, MUL: op.mul, IDIV: op.divS, MOD: op.remS };

/** The lane pattern of an int32 index node given its operands' (null: not vectorisable). */
function indexKind(e: Expr, kinds: Map<number, IndexKind>, lanes: Lanes): IndexKind | null {
  const [a, b] = e.src.map((s) => kinds.get(s.id));
  const c = e.src[1]?.op === "CONST" ? e.src[1].arg : NaN;
  switch (e.op) {
    case "GIDX":
    case "RIDX":
      return e.op === lanes ? { contiguous: true, aligned: true } : { contiguous: false, aligned: false };
    case "CONST":
      return { contiguous: false, aligned: e.arg % 4 === 0 };
    case "ADD":
    case "SUB":
      if (!a || !b || (a.contiguous && b.contiguous) || (e.op === "SUB" && b.contiguous)) return null;
      return { contiguous: a.contiguous || b.contiguous, aligned: a.aligned && b.aligned };
    case "MUL":
      return a && b && !a.contiguous && !b.contiguous ? { contiguous: false, aligned: a.aligned || b.aligned } : null;
    case "IDIV":
    case "MOD":
      if (!a || !(c > 0) || e.src[0]!.min < 0) return null;
      if (!a.contiguous) return { contiguous: false, aligned: false };
      if (!a.aligned || c % 4 !== 0) return null;
      return e.op === "IDIV" ? { contiguous: false, aligned: false } : { contiguous: true, aligned: true };
    default:
      return null;
  }
}

/**
 * Vectorises `root` along `lanes`; `gidx` and `ridx` are i32 locals holding the current indices (the
 * lane index at lane 0), input slot s is read from the address in local `inputBase + s`. With
 * `copies` > 1 the code computes that many 4-lane groups per step (copy k at lane index + 4k), each
 * node's code for all copies in a row: the copies' independent dependency chains then overlap in
 * the CPU's out-of-order window (a long chain of one group alone is bound by its latency).
 */
export function vectorizeExpr(root: Expr, L: Locals, lanes: Lanes, gidx: number, ridx: number, inputBase: number, copies = 1): VectorExpr | null {
  const kinds = new Map<number, IndexKind>();
  const locals = Array.from({ length: copies }, () => new Map<number, number>());
  let local = locals[0]!;
  const level = new Map<number, number>();
  const code: [Code, Code, Code] = [[], [], []];
  const v = (e: Expr): Code => op.get(local.get(e.id)!);
  // float constants are splatted once, before the loops, into locals (V8 does not hoist the splats)
  const constants = new Map<string, number>(); // by kind and value
  const splat: Splat = (x, kind = "f32") => {
    const key = `${kind} ${Object.is(x, -0) ? "-0" : String(x)}`;
    let l = constants.get(key);
    if (l === undefined) {
      l = L.add(V128);
      constants.set(key, l);
      const c = kind === "f32" ? [...op.f32Const(x), ...op.f32x4Splat] : kind === "f64" ? [...op.f64Const(x), ...op.f64x2Splat] : [...op.i32(x), ...op.i32x4Splat];
      code[0].push(...c, ...op.set(l));
    }
    return op.get(l);
  };
  const tmp = (): number => L.add(V128);
  for (const e of toposort([root])) {
    const lv = e.op === "RIDX" || e.usesRidx ? 2 : e.op === "GIDX" ? 1 : Math.max(0, ...e.src.map((s) => level.get(s.id)!));
    level.set(e.id, lv);
    // nodes before the loops are computed once, shared by the copies
    for (let copy = 0; copy < (lv === 0 ? 1 : copies); copy++) {
      local = locals[copy]!;
      const laneIndex = (i: number): Code => (copy ? [...op.get(i), ...op.i32(4 * copy), ...op.add] : op.get(i));
      let c: Code | null = null;
      const [a, b] = e.src;
      if (e.dtype === "int32") {
        const kind = indexKind(e, kinds, lanes);
        if (!kind) return null;
        kinds.set(e.id, kind);
        local.set(e.id, L.add(I32));
        c = e.op === "GIDX" ? (lanes === "GIDX" ? laneIndex(gidx) : op.get(gidx)) : e.op === "RIDX" ? (lanes === "RIDX" ? laneIndex(ridx) : op.get(ridx)) : e.op === "CONST" ? op.i32(e.arg) : [...v(a!), ...v(b!), ...indexBinary[e.op]!];
      } else if (e.dtype === "float32" || e.dtype === "bool") {
        local.set(e.id, L.add(V128));
        if (e.op === "CONST") c = e.dtype === "float32" ? splat(e.arg) : null;
        else if (e.op === "LOAD") {
          const kind = kinds.get(a!.id);
          if (e.dtype !== "float32" || !kind) return null;
          c = [...op.get(inputBase + e.arg), ...v(a!), ...op.i32(2), ...op.shl, ...op.add, ...(kind.contiguous ? op.v128Load() : op.load32Splat())];
        } else if (e.op === "TANH" && e.dtype === "float32") c = tanhCode(v(a!), local.get(e.id)!, L.add(V128), splat);
        else if (e.op === "EXP" && e.dtype === "float32") c = expCode(v(a!), local.get(e.id)!, L.add(V128), splat);
        else if ((e.op === "SIN" || e.op === "COS") && e.dtype === "float32") c = sinCosCode(e.op === "SIN" ? "sin" : "cos", v(a!), tmp, splat);
        else if (e.op === "LOG" && e.dtype === "float32") c = logCode(v(a!), tmp, splat);
        else if (floatUnary[e.op] && e.dtype === "float32") c = [...v(a!), ...floatUnary[e.op]!];
        else if (floatBinary[e.op] && e.dtype === "float32" && b!.dtype === "float32") c = [...v(a!), ...v(b!), ...floatBinary[e.op]!];
        else if (compare[e.op] && a!.dtype === "float32") c = [...v(a!), ...v(b!), ...compare[e.op]!];
        else if (maskBinary[e.op] && e.dtype === "bool") c = [...v(a!), ...v(b!), ...maskBinary[e.op]!];
        else if (e.op === "NOT") c = [...v(a!), ...op.v128Not];
        else if (e.op === "WHERE" && e.dtype === "float32") c = [...v(b!), ...v(e.src[2]!), ...v(a!), ...op.v128Bitselect];
        else if (e.op === "CAST" && e.dtype === "float32" && a!.dtype === "bool") c = [...v(a!), ...splat(1), ...op.v128And];
        // every other op (and any operand of another dtype) stays in JavaScript
        if (c && e.op !== "LOAD" && e.src.some((s) => s.dtype !== "float32" && s.dtype !== "bool")) c = null;
      }
      if (!c) return null;
      code[lv]!.push(...c, ...op.set(local.get(e.id)!));
    }
    if (lv === 0) for (const l of locals.slice(1)) l.set(e.id, locals[0]!.get(e.id)!);
  }
  if (root.dtype !== "float32") return null;
  const values = locals.map((l) => l.get(root.id)!);
  return { pre: code[0], outer: code[1], inner: code[2], value: values[0]!, values };
}
