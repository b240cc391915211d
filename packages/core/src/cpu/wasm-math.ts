// Float32 transcendental functions as WebAssembly SIMD code (four lanes), for the elementwise and
// reduction kernels (wasm-map.ts): tanh as the rational approximation of fast-math.ts evaluated in
// float32 (as Eigen and XNNPACK do), exp as Cephes' expf (within 1 ulp). Each takes the code that
// pushes its argument, scratch locals, and `splat(c)`, the code that pushes a constant vector (the
// caller hoists those out of its loops).
import { tanhClamp, tanhDenominator, tanhNumerator } from "./fast-math.js";
import { op, type Code } from "./wasm-asm.js";

// tanh(x) on the stack, with locals r and sq as scratch: ±1 beyond |x| > 9, x itself for
// |x| < 4e-4, else c·P(c²)/Q(c²) with c = x clamped to ±7.9053 (by Horner).
export function tanhCode(x: Code, r: number, sq: number, splat: (c: number) => Code): Code {
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

// exp(x) on the stack, with locals r and n as scratch (Cephes' expf):
// n = nearest(x·log₂e), r = x − n·ln2 (ln2 in two parts, so r is exact), e^r ≈ 1 + r + r²·P(r),
// times 2^n built in the exponent bits as 2^⌊n/2⌋·2^(n−⌊n/2⌋) (each factor a normal float, so
// results down to the subnormals round once more at most); +∞ above 88.7228, 0 below −103.97
// (where the float32 result is 0 or within 1e-44 of it), NaN for NaN.
export function expCode(x: Code, r: number, n: number, splat: (c: number) => Code): Code {
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
