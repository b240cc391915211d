// Float32 elementwise (map) kernels of the kernel IR compiled to WebAssembly SIMD: four output
// elements per step, each IR node one f32x4 value (or, for comparisons, a lane mask). Index
// arithmetic stays scalar: for a step at GIDX = g (a multiple of 4) each index node keeps its value
// at lane 0 and is known to be either uniform (the same in all four lanes: a splat load) or
// contiguous (lane j = lane 0 + j: one vector load). GIDX is contiguous; a constant is uniform;
// x ± y keeps the kinds (contiguous ± uniform is contiguous); for a contiguous x whose lane 0 is a
// multiple of 4 and ≥ 0, and c a multiple of 4, x / c is uniform and x % c contiguous (the four
// lanes never cross a multiple of c). A kernel with anything else (other ops or dtypes, index
// patterns outside these) returns null and runs as JavaScript. Nodes that do not depend on GIDX are
// computed once before the loop. Sizes must be multiples of 4, so every lane is an element of the
// output and every index stays in the IR's bounds. Inputs are copied into the kernels' memory and
// the output copied out. Values are float32 at every step, where the JS interpreter rounds only at the store:
// within a few ulps for these ops. tanh is the rational approximation of fast-math.ts, evaluated in
// float32 (as Eigen and XNNPACK do); exp is Cephes' expf (within 1 ulp).
import type { DataArray } from "../dtype.js";
import { toposort, type Expr } from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { tanhClamp, tanhDenominator, tanhNumerator } from "./fast-math.js";
import { I32, Locals, V128, forRange, moduleBytes, op, type Code } from "./wasm-asm.js";
import { compileKernel } from "./codegen.js";
import { callFits, DATA, ensure, instantiateOnKernelMemory, type Instance } from "./wasm-gemm.js";
import { maxSharedPages } from "./wasm-kernels.js";

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
function indexKind(e: Expr, kinds: Map<number, IndexKind>): IndexKind | null {
  const [a, b] = e.src.map((s) => kinds.get(s.id));
  const c = e.src[1]?.op === "CONST" ? e.src[1].arg : NaN;
  switch (e.op) {
    case "GIDX":
      return { contiguous: true, aligned: true };
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

/** The wasm function body of a float32 map kernel, or null when some node is not supported. */
function mapBody(k: Kernel): { params: number[]; locals: number[]; body: Code } | null {
  if (k.kind !== "map" || k.dtype !== "float32" || k.inputs.some((d) => d !== "float32")) return null;
  const nIn = k.inputs.length;
  const [N, OUT] = [0, 1];
  const L = new Locals(2 + nIn);
  const g = L.add(I32);
  const kinds = new Map<number, IndexKind>();
  const local = new Map<number, number>();
  const dependsOnGidx = new Map<number, boolean>();
  const pre: Code = [], loop: Code = [];
  const v = (e: Expr): Code => op.get(local.get(e.id)!);
  // float constants are splatted once, before the loop, into locals (V8 does not hoist the splats)
  const constants = new Map<string, number>();
  const splat = (x: number): Code => {
    const key = Object.is(x, -0) ? "-0" : String(x);
    let l = constants.get(key);
    if (l === undefined) {
      l = L.add(V128);
      constants.set(key, l);
      pre.push(...op.f32Const(x), ...op.f32x4Splat, ...op.set(l));
    }
    return op.get(l);
  };
  for (const e of toposort([k.expr])) {
    const dep = e.op === "GIDX" || e.src.some((s) => dependsOnGidx.get(s.id));
    dependsOnGidx.set(e.id, dep);
    let code: Code | null = null;
    if (e.dtype === "int32") {
      const kind = indexKind(e, kinds);
      if (!kind) return null;
      kinds.set(e.id, kind);
      local.set(e.id, L.add(I32));
      code = e.op === "GIDX" ? op.get(g) : e.op === "CONST" ? op.i32(e.arg) : [...v(e.src[0]!), ...v(e.src[1]!), ...indexBinary[e.op]!];
    } else if (e.dtype === "float32" || e.dtype === "bool") {
      local.set(e.id, L.add(V128));
      const [a, b] = e.src;
      if (e.op === "CONST") code = e.dtype === "float32" ? splat(e.arg) : null;
      else if (e.op === "LOAD") {
        const kind = kinds.get(a!.id);
        if (e.dtype !== "float32" || !kind) return null;
        const addr = [...op.get(2 + e.arg), ...v(a!), ...op.i32(2), ...op.shl, ...op.add];
        code = [...addr, ...(kind.contiguous ? op.v128Load() : op.load32Splat())];
      } else if (e.op === "TANH" && e.dtype === "float32") code = tanhCode(v(a!), local.get(e.id)!, L.add(V128), splat);
      else if (e.op === "EXP" && e.dtype === "float32") code = expCode(v(a!), local.get(e.id)!, L.add(V128), splat);
      else if (floatUnary[e.op] && e.dtype === "float32") code = [...v(a!), ...floatUnary[e.op]!];
      else if (floatBinary[e.op] && e.dtype === "float32" && b!.dtype === "float32") code = [...v(a!), ...v(b!), ...floatBinary[e.op]!];
      else if (compare[e.op] && a!.dtype === "float32") code = [...v(a!), ...v(b!), ...compare[e.op]!];
      else if (maskBinary[e.op] && e.dtype === "bool") code = [...v(a!), ...v(b!), ...maskBinary[e.op]!];
      else if (e.op === "NOT") code = [...v(a!), ...op.v128Not];
      else if (e.op === "WHERE" && e.dtype === "float32") code = [...v(b!), ...v(e.src[2]!), ...v(a!), ...op.v128Bitselect];
      else if (e.op === "CAST" && e.dtype === "float32" && a!.dtype === "bool") code = [...v(a!), ...splat(1), ...op.v128And];
      // every other op (and any operand of another dtype) stays in JavaScript
      if (code && e.src.some((s) => s.dtype !== "float32" && s.dtype !== "bool" && e.op !== "LOAD")) code = null;
    }
    if (!code) return null;
    (dep ? loop : pre).push(...code, ...op.set(local.get(e.id)!));
  }
  const store = [...op.get(OUT), ...op.get(g), ...op.i32(2), ...op.shl, ...op.add, ...v(k.expr), ...op.v128Store()];
  const body = [...pre, ...forRange(g, op.i32(0), op.get(N), 4, ...loop, ...store)];
  return { params: new Array<number>(2 + nIn).fill(I32), locals: L.types, body };
}

// tanh(x) (x: code pushing an f32x4; splat(c): code pushing a constant) on the stack, with locals r
// and x2 as scratch: ±1 beyond
// |x| > 9, x itself for |x| < 4e-4, else c·P(c²)/Q(c²) with c = x clamped to ±7.9053 (the rational
// of fast-math.ts, by Horner).
function tanhCode(x: Code, r: number, sq: number, splat: (c: number) => Code): Code {
  const horner = (coef: readonly number[], x2: Code): Code =>
    coef.slice(1).reduce<Code>((acc, c) => [...acc, ...x2, ...op.f32x4Mul, ...splat(c), ...op.f32x4Add], splat(coef[0]!));
  // clamps by pseudo-min/max (one instruction each; NaN in x passes through)
  const c: Code = [...x, ...splat(-tanhClamp), ...op.f32x4Pmax, ...splat(tanhClamp), ...op.f32x4Pmin];
  const x2: Code = op.get(sq);
  const abs: Code = [...x, ...op.f32x4Abs];
  const one: Code = [...x, ...splat(-0), ...op.v128And, ...splat(1), ...op.v128Or]; // ±1 with the sign of x
  return [
    ...c, ...op.tee(r), ...op.get(r), ...op.f32x4Mul, ...op.set(sq),
    ...op.get(r), ...horner(tanhNumerator, x2), ...op.f32x4Mul, ...horner(tanhDenominator, x2), ...op.f32x4Div, ...op.set(r),
    ...x, ...op.get(r), ...abs, ...splat(4e-4), ...op.f32x4Lt, ...op.v128Bitselect, ...op.set(r),
    ...one, ...op.get(r), ...abs, ...splat(9), ...op.f32x4Gt, ...op.v128Bitselect,
  ];
}

// exp(x) (x: code pushing an f32x4) on the stack, with locals r and n as scratch (Cephes' expf):
// n = nearest(x·log₂e), r = x − n·ln2 (ln2 in two parts, so r is exact), e^r ≈ 1 + r + r²·P(r),
// times 2^n built in the exponent bits as 2^⌊n/2⌋·2^(n−⌊n/2⌋) (each factor a normal float, so
// results down to the subnormals round once more at most); +∞ above 88.7228, 0 below −103.97
// (where the float32 result is 0 or within 1e-44 of it), NaN for NaN.
function expCode(x: Code, r: number, n: number, splat: (c: number) => Code): Code {
  const [hi, lo] = [88.72283935546875, -103.97208];
  const pow2 = (half: Code): Code => [...half, ...op.i32(127), ...op.i32x4Splat, ...op.i32x4Add, ...op.i32(23), ...op.i32x4Shl];
  const nInt: Code = [...op.get(n), ...op.i32x4TruncSatF32x4S];
  const nHalf: Code = [...nInt, ...op.i32(1), ...op.i32x4ShrS];
  const p = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
    .slice(1).reduce<Code>((acc, c) => [...acc, ...op.get(r), ...op.f32x4Mul, ...splat(c), ...op.f32x4Add], splat(1.9875691500e-4));
  return [
    ...x, ...splat(lo), ...op.f32x4Pmax, ...splat(hi), ...op.f32x4Pmin, ...op.set(r),
    ...op.get(r), ...splat(Math.LOG2E), ...op.f32x4Mul, ...op.f32x4Nearest, ...op.set(n),
    ...op.get(r), ...op.get(n), ...splat(0.693359375), ...op.f32x4Mul, ...op.f32x4Sub, ...op.get(n), ...splat(-2.12194440e-4), ...op.f32x4Mul, ...op.f32x4Sub, ...op.set(r),
    // e^r = P(r)·r² + r + 1
    ...p, ...op.get(r), ...op.f32x4Mul, ...op.get(r), ...op.f32x4Mul, ...op.get(r), ...op.f32x4Add, ...splat(1), ...op.f32x4Add,
    ...pow2(nHalf), ...op.f32x4Mul, ...pow2([...nInt, ...nHalf, ...op.i32x4Sub]), ...op.f32x4Mul, ...op.set(r),
    ...splat(Infinity), ...op.get(r), ...x, ...splat(hi), ...op.f32x4Gt, ...op.v128Bitselect,
    ...x, ...splat(lo), ...op.f32x4Lt, ...op.v128Not, ...op.v128And,
  ];
}

/** Elementwise kernels of at least this many elements run on the SIMD path (below, the copies cost more than they save). */
export const minWasmMapSize = 2048;

/**
 * Compiles a float32 map kernel to a WebAssembly SIMD function on the kernels' memory; returns a
 * runner `(out, ...inputs)`, or null when the kernel has something the SIMD path does not support
 * or fewer than `minSize` elements. A call whose operands do not fit in the kernels' memory runs
 * the kernel's JS version (fast-math) instead.
 */
export function compileMapKernelWasm(k: Kernel, w: Instance, minSize = minWasmMapSize): ((out: DataArray, ...inputs: DataArray[]) => void) | null {
  if (k.kind !== "map" || k.size < minSize || k.size % 4 !== 0) return null;
  const f = mapBody(k);
  if (!f) return null;
  let fn: (...a: number[]) => void;
  try {
    fn = instantiateOnKernelMemory(w, moduleBytes([{ name: "map", ...f }], w.shared, maxSharedPages)).map as (...a: number[]) => void;
  } catch {
    return null; // e.g. a browser that refuses synchronous compilation on its main thread: the JS kernel runs
  }
  const align = (x: number): number => Math.ceil(x / 64) * 64;
  let js: ((out: unknown, ...inputs: unknown[]) => void) | undefined;
  return (out, ...inputs) => {
    const outAt = DATA;
    const at: number[] = [];
    let end = align(outAt + k.size * 4);
    for (const x of inputs) {
      at.push(end);
      end = align(end + x.length * 4);
    }
    if (!callFits(end)) return (js ??= compileKernel(k, true))(out, ...inputs);
    const mem = ensure(w, end);
    inputs.forEach((x, i) => mem.set(x as Float32Array, at[i]! / 4));
    fn(k.size, outAt, ...at);
    out.set(ensure(w, 0).subarray(outAt / 4, outAt / 4 + k.size));
  };
}
