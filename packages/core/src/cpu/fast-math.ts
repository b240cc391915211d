// Float32-accurate replacements for slow Math functions, used by the fast CPU backend ('cpu') in
// kernels whose result is float32; the reference backend ('cpu-js') keeps Math's functions. V8's
// Math.tanh costs ~11 ns per element; the rational approximation below (the one Eigen and XNNPACK use
// for float tanh: odd degree-13 numerator over even degree-6 denominator on [−7.9053, 7.9053], where
// tanh is within 3e-7 of ±1 beyond) costs ~3 ns and is within 3e-7 of tanh everywhere, i.e. a
// few float32 ulps, well inside the parity tolerance (1e-5).

/** Where the rational is clamped: tanh(±7.9053) is within 3e-7 of ±1. */
export const tanhClamp = 7.90531110763549805;
/** The odd numerator c·P(c²): P's coefficients, highest degree first (for Horner). */
export const tanhNumerator = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8, 1.48572235717979e-5, 6.37261928875436e-4,
  4.89352455891786e-3,
] as const;
/** The even denominator Q(c²): coefficients, highest degree first. */
export const tanhDenominator = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3] as const;
const horner = (c: readonly number[]): string => c.slice(1).reduce((acc, k) => `(${acc} * x2 + ${k})`, String(c[0]));

/** tanh(x) to float32 accuracy (|error| ≤ 3e-7; exact sign, ±1 at ±∞, NaN for NaN). */
// Built from the coefficient tables with the numbers as literals: V8 folds literals, while reading
// module-level constants made it 1.5× slower.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const tanh32 = new Function(
  "x",
  `// tiny |x|: tanh(x) = x − x³/3 + …, and x³/3 is below half an ulp of x in float32
  if (!(Math.abs(x) >= 0.0004)) return x;
  // beyond 9, float32 tanh is ±1 (the clamped rational stops 2.6e-7 short of it)
  if (x > 9) return 1;
  if (x < -9) return -1;
  const c = x > ${tanhClamp} ? ${tanhClamp} : x < -${tanhClamp} ? -${tanhClamp} : x;
  const x2 = c * c;
  return (c * ${horner(tanhNumerator)}) / ${horner(tanhDenominator)};`,
) as (x: number) => number;
