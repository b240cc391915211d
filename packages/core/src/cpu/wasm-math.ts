// Float32 transcendental functions as WebAssembly SIMD code (four lanes), for the elementwise and
// reduction kernels (wasm-map.ts): tanh as the rational approximation of fast-math.ts evaluated in
// float32 (as Eigen and XNNPACK do), exp as Cephes' expf (within 1 ulp), sin and cos by a range
// reduction in float64 lanes and Cephes' sinf/cosf polynomials, log as Cephes' logf, atan as Cephes'
// atanf (pow, in float64 lanes, is in wasm-pow.ts). Each takes the
// code that pushes its argument, scratch locals, and `splat(c)`, the code that pushes a constant
// vector (float32 lanes unless told "f64" or "i32"; the caller hoists those out of its loops).
import { tanhClamp, tanhDenominator, tanhNumerator } from "./fast-math.js";
import { op, type Code } from "./wasm-asm.js";

/** The code that pushes a constant vector: c in every float32 lane, or as float64 or int32 lanes. */
export type Splat = (c: number, kind?: "f32" | "f64" | "i32") => Code;

// Horner's rule: coef[0]·tⁿ + … + coef[n], with t pushed by `t`.
const horner = (coef: readonly number[], t: Code, splat: Splat): Code =>
  coef.slice(1).reduce<Code>((acc, c) => [...acc, ...t, ...op.f32x4Mul, ...splat(c), ...op.f32x4Add], splat(coef[0]!));

/**
 * tanh(x) on the stack, with locals r and sq as scratch: ±1 beyond |x| > 9, x itself for
 * |x| < 4e-4, else c·P(c²)/Q(c²) with c = x clamped to ±7.9053 (by Horner).
 */
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

/**
 * exp(x) on the stack, with locals r and n as scratch (Cephes' expf):
 * n = nearest(x·log₂e), r = x − n·ln2 (ln2 in two parts, so r is exact), e^r ≈ 1 + r + r²·P(r),
 * times 2^n built in the exponent bits as 2^⌊n/2⌋·2^(n−⌊n/2⌋) (each factor a normal float, so
 * results down to the subnormals round once more at most); +∞ above 88.7228, 0 below −103.97
 * (where the float32 result is 0 or within 1e-44 of it), NaN for NaN.
 */
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

// π/2 = pio2Hi + pio2Lo with pio2Hi's 25 leading bits (musl's __rem_pio2f): for |n| < 2²⁸ the product
// n·pio2Hi and x − n·pio2Hi are exact in float64, so r = x − n·π/2 is within 2⁻⁵⁰ of the true value.
// Beyond that r's error grows like |x|·2⁻⁵³ (1e-4 at |x| ≈ 1e12); r is clamped to ±π/4 so the result
// stays in [−1, 1] (float32 sin of such x is noise anyway: its ulp is ≥ 2¹⁶).
const pio2Hi = 1.5707963109016418457, pio2Lo = 1.58932547735281966916e-8;
// Cephes sinf, cosf on [−π/4, π/4]: sin r ≈ r + r·z·S(z), cos r ≈ 1 − z/2 + z²·C(z), z = r².
const sinCoef = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
const cosCoef = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2];

/** Scratch v128 locals: a fresh one per call. */
export type Scratch = () => number;

/**
 * sin(x) or cos(x) on the stack. With a = |x| (sin is odd, cos even), per float64 half of the lanes:
 * n = nearest(a·2/π), r = a − n·pio2Hi − n·pio2Lo, demoted to float32, and the quadrant q = n mod 4
 * (q + 1 for cos, as cos a = sin(a + π/2)); then sin a = ±sin r (q even) or ±cos r (q odd), negated
 * for q = 2, 3, and for sin given the sign of x. ±∞ and NaN give NaN (∞ − ∞ in the reduction).
 */
export function sinCosCode(fn: "sin" | "cos", x: Code, tmp: Scratch, splat: Splat): Code {
  const [a, d, n, rLo, qLo, r, q, z] = [tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp(), tmp()];
  // one f64x2 half (pushed by `half`): leaves r as f32x4 lanes 0–1 and n as i32x4 lanes 0–1
  const reduce = (half: Code): Code => [
    ...half, ...op.set(d),
    ...op.get(d), ...splat(2 / Math.PI, "f64"), ...op.f64x2Mul, ...op.f64x2Nearest, ...op.set(n),
    ...op.get(d), ...op.get(n), ...splat(pio2Hi, "f64"), ...op.f64x2Mul, ...op.f64x2Sub,
    ...op.get(n), ...splat(pio2Lo, "f64"), ...op.f64x2Mul, ...op.f64x2Sub, ...op.f32x4DemoteF64x2Zero,
    // q = n − 4·nearest(n/4) ∈ {−2, …, 1}, exact for every float64 integer n (n mod 4 in two's complement)
    ...op.get(n), ...op.get(n), ...splat(0.25, "f64"), ...op.f64x2Mul, ...op.f64x2Nearest, ...splat(4, "f64"), ...op.f64x2Mul, ...op.f64x2Sub,
    ...op.i32x4TruncSatF64x2SZero,
  ];
  const low = op.shuffle32(0, 1, 4, 5);
  const z_ = op.get(z);
  return [
    ...x, ...op.f32x4Abs, ...op.set(a),
    ...reduce([...op.get(a), ...op.f64x2PromoteLowF32x4]), ...op.set(qLo), ...op.set(rLo),
    ...reduce([...op.get(a), ...op.get(a), ...op.shuffle32(2, 3, 2, 3), ...op.f64x2PromoteLowF32x4]), ...op.set(q), ...op.set(r),
    ...op.get(qLo), ...op.get(q), ...low, ...(fn === "cos" ? [...splat(1, "i32"), ...op.i32x4Add] : []), ...op.set(q),
    ...op.get(rLo), ...op.get(r), ...low, ...splat(-Math.PI / 4), ...op.f32x4Pmax, ...splat(Math.PI / 4), ...op.f32x4Pmin,
    ...op.tee(r), ...op.get(r), ...op.f32x4Mul, ...op.set(z),
    // cos r = C(z)·z·z − 0.5·z + 1, sin r = S(z)·z·r + r
    ...horner(cosCoef, z_, splat), ...z_, ...op.f32x4Mul, ...z_, ...op.f32x4Mul, ...z_, ...splat(0.5), ...op.f32x4Mul, ...op.f32x4Sub, ...splat(1), ...op.f32x4Add,
    ...horner(sinCoef, z_, splat), ...z_, ...op.f32x4Mul, ...op.get(r), ...op.f32x4Mul, ...op.get(r), ...op.f32x4Add,
    // cos r where q is odd (bit 0 of q spread over the lane), else sin r
    ...op.get(q), ...op.i32(31), ...op.i32x4Shl, ...op.i32(31), ...op.i32x4ShrS, ...op.v128Bitselect,
    // sign: bit 1 of q moved to the sign bit (for sin, times the sign of x)
    ...op.get(q), ...op.i32(30), ...op.i32x4Shl, ...(fn === "sin" ? [...x, ...op.v128Xor] : []), ...splat(-0), ...op.v128And, ...op.v128Xor,
  ];
}

// Cephes logf: log(m·2^e) = log m + e·ln2 with m in [√½, √2), so log m = log(1 + f), f = m − 1, by
// f − f²/2 + f³·P(f); ln2 in two parts (0.693359375 exact in few bits, −2.12194440e-4 the rest).
const logCoef = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];

/**
 * log(x) on the stack (Cephes' logf). Subnormal x is scaled by 2²⁵ first (its exponent lowered by 25);
 * log(±0) = −∞, log of x < 0 (−∞ included) is NaN, log(+∞) = +∞, NaN stays NaN.
 */
export function logCode(x: Code, tmp: Scratch, splat: Splat): Code {
  const [k, m, e, z] = [tmp(), tmp(), tmp(), tmp()];
  const [m_, z_] = [op.get(m), op.get(z)];
  return [
    // k: lanes holding a subnormal (or zero or negative: those are replaced at the end)
    ...x, ...splat(2 ** -126), ...op.f32x4Lt, ...op.set(k),
    ...x, ...splat(2 ** 25), ...op.f32x4Mul, ...x, ...op.get(k), ...op.v128Bitselect, ...op.set(m),
    // e = biased exponent − 126 (− 25 if scaled), m = mantissa in [½, 1)
    ...m_, ...op.i32(23), ...op.i32x4ShrS, ...splat(126, "i32"), ...op.i32x4Sub, ...op.get(k), ...splat(-25, "i32"), ...op.v128And, ...op.i32x4Add, ...op.f32x4ConvertI32x4S, ...op.set(e),
    ...m_, ...splat(0x007fffff, "i32"), ...op.v128And, ...splat(0.5), ...op.v128Or, ...op.set(m),
    // m < √½: e − 1 and f = 2m − 1, else f = m − 1
    ...m_, ...splat(Math.SQRT1_2), ...op.f32x4Lt, ...op.set(k),
    ...op.get(e), ...op.get(k), ...splat(1), ...op.v128And, ...op.f32x4Sub, ...op.set(e),
    ...m_, ...splat(1), ...op.f32x4Sub, ...op.get(k), ...m_, ...op.v128And, ...op.f32x4Add, ...op.set(m),
    ...m_, ...m_, ...op.f32x4Mul, ...op.set(z),
    // f + (f·z·P(f) − 2.12194440e-4·e − z/2) + 0.693359375·e
    ...horner(logCoef, m_, splat), ...m_, ...op.f32x4Mul, ...z_, ...op.f32x4Mul,
    ...op.get(e), ...splat(-2.12194440e-4), ...op.f32x4Mul, ...op.f32x4Add, ...z_, ...splat(0.5), ...op.f32x4Mul, ...op.f32x4Sub,
    ...m_, ...op.f32x4Add, ...op.get(e), ...splat(0.693359375), ...op.f32x4Mul, ...op.f32x4Add,
    // special values: +∞ and NaN pass through, x < 0 → NaN, ±0 → −∞
    ...op.set(m), ...x, ...m_, ...x, ...splat(Infinity), ...op.f32x4Lt, ...op.v128Not, ...op.v128Bitselect,
    ...op.set(m), ...splat(NaN), ...m_, ...x, ...splat(0), ...op.f32x4Lt, ...op.v128Bitselect,
    ...op.set(m), ...splat(-Infinity), ...m_, ...x, ...splat(0), ...op.f32x4Eq, ...op.v128Bitselect,
  ];
}

// Cephes atanf on |t| ≤ tan(π/8): atan t ≈ t + t·z·P(z), z = t².
const atanCoef = [8.05374449538e-2, -1.38776856032e-1, 1.99777106478e-1, -3.33329491539e-1];

/**
 * atan(x) on the stack (Cephes' atanf). With a = |x| (atan is odd): beyond tan(3π/8),
 * atan a = π/2 + atan(−1/a); beyond tan(π/8), π/4 + atan((a − 1)/(a + 1)); else atan a itself, so
 * the polynomial only sees |t| ≤ tan(π/8). One division serves the three branches (numerator and
 * denominator are selected). ±∞ gives ±π/2, ±0 keeps its sign, NaN stays NaN.
 */
export function atanCode(x: Code, tmp: Scratch, splat: Splat): Code {
  const [a, big, mid, t] = [tmp(), tmp(), tmp(), tmp()];
  const [a_, t_] = [op.get(a), op.get(t)];
  // ifBig where a > tan(3π/8), else ifMid where a > tan(π/8), else other
  const select = (ifBig: Code, ifMid: Code, other: Code): Code => [...ifBig, ...ifMid, ...other, ...op.get(mid), ...op.v128Bitselect, ...op.get(big), ...op.v128Bitselect];
  return [
    ...x, ...op.f32x4Abs, ...op.set(a),
    ...a_, ...splat(2.414213562373095), ...op.f32x4Gt, ...op.set(big),
    ...a_, ...splat(0.4142135623730950), ...op.f32x4Gt, ...op.set(mid),
    ...select(splat(-1), [...a_, ...splat(1), ...op.f32x4Sub], a_), ...select(a_, [...a_, ...splat(1), ...op.f32x4Add], splat(1)), ...op.f32x4Div, ...op.set(t),
    ...t_, ...t_, ...op.f32x4Mul, ...op.set(a), // a now holds z = t²
    // P(z)·z·t + t + (π/2, π/4 or 0), then the sign of x
    ...horner(atanCoef, a_, splat), ...a_, ...op.f32x4Mul, ...t_, ...op.f32x4Mul, ...t_, ...op.f32x4Add,
    ...select(splat(Math.PI / 2), splat(Math.PI / 4), splat(0)), ...op.f32x4Add,
    ...x, ...splat(-0), ...op.v128And, ...op.v128Xor,
  ];
}
