// Float32 pow(x, y) as WebAssembly SIMD code (four lanes), for the elementwise kernels (wasm-map.ts),
// computed as 2^(y·log₂|x|) = e^(y·ln|x|) in float64 lanes, so the float32 result is the correctly
// rounded float64 value nearly always, as Math.pow rounded to float32 is. In float32 the error of
// ln|x| would be multiplied by y (e^(y·(ln|x| + δ)) = x^y·e^(y·δ)), tens of ulps for large results.
// The sign and the special cases follow Math.pow: y = 0 gives 1, NaN operands NaN, a finite x < 0
// NaN unless y is an integer (then the sign of x when y is odd), |x| = 1 with y = ±∞ NaN.
import { op, type Code } from "./wasm-asm.js";
import type { Scratch, Splat } from "./wasm-math.js";

// 2·atanh s = ln((1 + s)/(1 − s)) = s·(2 + z·Q(z)), z = s², Q(z) = Σ 2z^(k−1)/(2k + 1) (highest first);
// with |s| ≤ (√2 − 1)/(√2 + 1) the first omitted term is below 1e-16 relative.
const atanhCoef = [2 / 19, 2 / 17, 2 / 15, 2 / 13, 2 / 11, 2 / 9, 2 / 7, 2 / 5, 2 / 3];
// e^r = Σ r^k/k! for |r| ≤ ln2/2, to k = 11 (the first omitted term is below 1e-14 relative), highest first.
const expCoef = Array.from({ length: 12 }, (_, i) => 1 / factorial(11 - i));
function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}
// ln2 in two parts (fdlibm): n·ln2Hi is exact for |n| < 2¹¹, so r = t − n·ln2Hi − n·ln2Lo loses nothing.
const ln2Hi = 6.93147180369123816490e-1, ln2Lo = 1.90821492927058770002e-10;

/**
 * pow(x, y) on the stack (operands pushed by `x` and `y`), float32 lanes in and out. Per float64
 * half: |x| = m·2^e with m ∈ (√½, √2] read from the bits, ln m = 2·atanh((m − 1)/(m + 1)),
 * t = y·(e·ln2 + ln m) clamped to [−120, 100] (beyond, the float32 result is 0 or ∞), and
 * e^t = 2ⁿ·e^r with n = nearest(t·log₂e), 2ⁿ built in the exponent bits.
 */
export function powCode(x: Code, y: Code, tmp: Scratch, splat: Splat): Code {
  const [ax, d, yd, m, e, s, z] = [tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp()];
  const [d_, m_, e_, s_, z_] = [op.get(d), op.get(m), op.get(e), op.get(s), op.get(z)];
  const f64 = (c: number): Code => splat(c, "f64");
  const horner = (coef: readonly number[], t: Code): Code =>
    coef.slice(1).reduce<Code>((acc, c) => [...acc, ...t, ...op.f64x2Mul, ...f64(c), ...op.f64x2Add], f64(coef[0]!));
  // |x|^y of two lanes (promoted by `lanes`) as an f64x2
  const half = (lanes: (v: Code) => Code): Code => [
    ...lanes(op.get(ax)), ...op.set(d), ...lanes(y), ...op.set(yd),
    // e = biased exponent − 1023: the exponent bits as the low bits of 2⁵², as a float64 integer
    ...d_, ...op.i32(52), ...op.i64x2ShrU, ...f64(2 ** 52), ...op.v128Or, ...f64(2 ** 52 + 1023), ...op.f64x2Sub, ...op.set(e),
    // m = the mantissa with the exponent of 1, in [1, 2); beyond √2 halved (and e + 1)
    ...d_, ...f64(-Infinity), ...op.v128AndNot, ...f64(1), ...op.v128Or, ...op.set(m),
    ...m_, ...f64(Math.SQRT2), ...op.f64x2Gt, ...op.set(s),
    ...m_, ...f64(0.5), ...op.f64x2Mul, ...m_, ...op.get(s), ...op.v128Bitselect, ...op.set(m),
    ...e_, ...op.get(s), ...f64(1), ...op.v128And, ...op.f64x2Add, ...op.set(e),
    // ln|x| = e·ln2 + s·(2 + z·Q(z)), s = (m − 1)/(m + 1)
    ...m_, ...f64(1), ...op.f64x2Sub, ...m_, ...f64(1), ...op.f64x2Add, ...op.f64x2Div, ...op.set(s),
    ...s_, ...s_, ...op.f64x2Mul, ...op.set(z),
    ...horner(atanhCoef, z_), ...z_, ...op.f64x2Mul, ...f64(2), ...op.f64x2Add, ...s_, ...op.f64x2Mul,
    ...e_, ...f64(Math.LN2), ...op.f64x2Mul, ...op.f64x2Add,
    // |x| = 0, ∞ or NaN: ln|x| = (|x| − 1)·∞ (−∞, +∞, NaN)
    ...d_, ...f64(1), ...op.f64x2Sub, ...f64(Infinity), ...op.f64x2Mul,
    ...d_, ...f64(0), ...op.f64x2Gt, ...f64(Infinity), ...d_, ...op.f64x2Gt, ...op.v128And, ...op.v128Bitselect,
    // t = y·ln|x|, clamped (pseudo-min/max: NaN passes through), kept in s
    ...op.get(yd), ...op.f64x2Mul, ...f64(-120), ...op.f64x2Pmax, ...f64(100), ...op.f64x2Pmin, ...op.set(s),
    // e^t = 2ⁿ·e^r, n = nearest(t·log₂e) (in e), r = t − n·ln2 (in z)
    ...s_, ...f64(Math.LOG2E), ...op.f64x2Mul, ...op.f64x2Nearest, ...op.set(e),
    ...s_, ...e_, ...f64(ln2Hi), ...op.f64x2Mul, ...op.f64x2Sub, ...e_, ...f64(ln2Lo), ...op.f64x2Mul, ...op.f64x2Sub, ...op.set(z),
    ...horner(expCoef, z_),
    // 2ⁿ: the low bits of 2⁵² + 1023 + n are 1023 + n, shifted into the exponent field
    ...e_, ...f64(2 ** 52 + 1023), ...op.f64x2Add, ...op.i32(52), ...op.i64x2Shl, ...op.f64x2Mul,
    ...op.f32x4DemoteF64x2Zero,
  ];
  const [isInt, odd] = [m, e];
  return [
    ...x, ...op.f32x4Abs, ...op.set(ax),
    ...half((v) => [...v, ...op.f64x2PromoteLowF32x4]),
    ...half((v) => [...v, ...v, ...op.shuffle32(2, 3, 2, 3), ...op.f64x2PromoteLowF32x4]),
    ...op.shuffle32(0, 1, 4, 5), ...op.set(d),
    // y an integer (±∞ included), and odd (every float32 from 2²⁴ on is even)
    ...y, ...op.f32x4Nearest, ...y, ...op.f32x4Eq, ...op.set(isInt),
    ...y, ...splat(0.5), ...op.f32x4Mul, ...op.tee(s), ...op.f32x4Nearest, ...s_, ...op.f32x4Ne, ...op.get(isInt), ...op.v128And, ...op.set(odd),
    // odd y: the sign of x (−0 included)
    ...d_, ...x, ...splat(-0), ...op.v128And, ...op.get(odd), ...op.v128And, ...op.v128Xor, ...op.set(d),
    // finite x < 0 and y not an integer: NaN
    ...splat(NaN), ...d_,
    ...x, ...splat(0), ...op.f32x4Lt, ...x, ...splat(-Infinity), ...op.f32x4Gt, ...op.v128And, ...op.get(isInt), ...op.v128AndNot,
    ...op.v128Bitselect, ...op.set(d),
    // y = 0: 1, whatever x
    ...splat(1), ...d_, ...y, ...splat(0), ...op.f32x4Eq, ...op.v128Bitselect,
  ];
}
