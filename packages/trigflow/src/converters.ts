// Converters between TrigFlow and the parameterisations teachers are usually trained in (docs/guide/math.md,
// "Teachers in other parameterisations"): EDM/EDM2 (x_σ = x0 + σ·ε), flow matching / rectified flow (x_s =
// (1−s)·x0 + s·ε, v = ε − x0) and v-prediction (x' = α·x0 + σ·ε, α² + σ² = 1, v = α·ε − σ·x0). Each converter
// maps (state, time) to (x_t, t) and the network output to F; every map is linear in (x0, ε) with the same
// coefficients, so it holds for per-sample targets and for model outputs alike. TrigFlow noise is z = σ_d·ε
// throughout.
import type { Floating } from "./floating.js";

// ---------------------------------------------------------------- EDM / EDM2

// math.md, "Teachers in other parameterisations" (EDM): t = arctan(σ/σ_d).
/** TrigFlow time of an EDM noise level: t = arctan(σ/σ_d). */
export function timeFromEdmSigma<A>(num: Floating<A>, sigma: A, sigmaData: number): A {
  return num.atan(num.div(sigma, num.fromNumber(sigmaData)));
}

// math.md, "Teachers in other parameterisations" (EDM): σ = σ_d·tan t.
/** EDM noise level of a TrigFlow time: σ = σ_d·tan t. */
export function edmSigmaFromTime<A>(num: Floating<A>, t: A, sigmaData: number): A {
  return num.mul(num.fromNumber(sigmaData), num.tan(t));
}

// math.md, "Teachers in other parameterisations" (EDM): x_t = cos(t)·x_σ.
/** TrigFlow state of an EDM state: x_t = cos(t)·x_σ. */
export function xtFromEdm<A>(num: Floating<A>, xSigma: A, t: A): A {
  return num.mul(num.cos(t), xSigma);
}

// math.md, "Teachers in other parameterisations" (EDM): x_σ = x_t / cos(t) (singular at t = π/2, where σ = ∞).
/** EDM state of a TrigFlow state: x_σ = x_t / cos(t); needs t < π/2. */
export function edmStateFromXt<A>(num: Floating<A>, x: A, t: A): A {
  return num.div(x, num.cos(t));
}

// Paper App. B eq. 14, math.md, "Teachers in other parameterisations": F_TrigFlow(x_t/σ_d, t) = −F_EDM(x_t/σ_d, ¼ ln σ).
/** TrigFlow network output from an EDM raw network output: F = −F_EDM (the sign of c_out flips). */
export function FFromEdm<A>(num: Floating<A>, FEdm: A): A {
  return num.neg(FEdm);
}

// Paper App. B eq. 14, math.md, "Teachers in other parameterisations": F_EDM = −F_TrigFlow.
/** EDM raw network output from a TrigFlow output: F_EDM = −F. */
export function edmFFromF<A>(num: Floating<A>, F: A): A {
  return num.neg(F);
}

// math.md, "Teachers in other parameterisations" (EDM preconditioning): c_noise = ¼·ln σ = ¼·ln(σ_d·tan t).
/** The EDM network's time input at TrigFlow time t: ¼·ln(σ_d·tan t). */
export function edmCNoiseFromTime<A>(num: Floating<A>, t: A, sigmaData: number): A {
  return num.mul(num.fromNumber(0.25), num.log(edmSigmaFromTime(num, t, sigmaData)));
}

// ---------------------------------------------------------------- flow matching / rectified flow

// math.md, "Teachers in other parameterisations" (FM): t = arctan(s / (σ_d·(1 − s))).
/** TrigFlow time of a flow-matching time s ∈ [0, 1): t = arctan(s/(σ_d(1 − s))). */
export function timeFromFlow<A>(num: Floating<A>, s: A, sigmaData: number): A {
  const oneMinusS = num.sub(num.fromNumber(1), s);
  return num.atan(num.div(s, num.mul(num.fromNumber(sigmaData), oneMinusS)));
}

// math.md, "Teachers in other parameterisations" (FM), solved for s: s = σ_d·sin t / (cos t + σ_d·sin t) (= sin
// t/(sin t + cos t) at σ_d = 1).
/** Flow-matching time of a TrigFlow time: s = σ_d sin t / (cos t + σ_d sin t). */
export function flowTimeFromTime<A>(num: Floating<A>, t: A, sigmaData: number): A {
  const sigmaSin = num.mul(num.fromNumber(sigmaData), num.sin(t));
  return num.div(sigmaSin, num.add(num.cos(t), sigmaSin));
}

// math.md, "Teachers in other parameterisations" (FM): R = sqrt(σ_d²(1 − s)² + s²).
/** The flow-matching rescale factor R(s) = sqrt(σ_d²(1 − s)² + s²). */
export function flowScale<A>(num: Floating<A>, s: A, sigmaData: number): A {
  const oneMinusS = num.sub(num.fromNumber(1), s);
  return num.sqrt(num.add(num.mul(num.fromNumber(sigmaData * sigmaData), num.square(oneMinusS)), num.square(s)));
}

// math.md, "Teachers in other parameterisations" (FM): x_t = σ_d·x_s / R.
/** TrigFlow state of a flow-matching state: x_t = σ_d·x_s/R(s). */
export function xtFromFlow<A>(num: Floating<A>, xS: A, s: A, sigmaData: number): A {
  return num.div(num.mul(num.fromNumber(sigmaData), xS), flowScale(num, s, sigmaData));
}

// math.md, "Teachers in other parameterisations" (FM), inverted: x_s = R·x_t / σ_d.
/** Flow-matching state of a TrigFlow state: x_s = R(s)·x_t/σ_d, with s the flow time of t. */
export function flowStateFromXt<A>(num: Floating<A>, x: A, s: A, sigmaData: number): A {
  return num.div(num.mul(flowScale(num, s, sigmaData), x), num.fromNumber(sigmaData));
}

// math.md, "Teachers in other parameterisations" (FM): σ_d·F = R·v + (σ_d²(1 − s) − s)·x_s / R.
/** TrigFlow network output from a flow-matching velocity v = ε − x0 at (x_s, s): F = (R v + (σ_d²(1−s) − s) x_s/R)/σ_d. */
export function FFromFlow<A>(num: Floating<A>, v: A, xS: A, s: A, sigmaData: number): A {
  const r = flowScale(num, s, sigmaData);
  const coefficient = num.sub(num.mul(num.fromNumber(sigmaData * sigmaData), num.sub(num.fromNumber(1), s)), s);
  const sigmaF = num.add(num.mul(r, v), num.div(num.mul(coefficient, xS), r));
  return num.div(sigmaF, num.fromNumber(sigmaData));
}

// math.md, "Teachers in other parameterisations" (FM), inverted: v = (σ_d·F − (σ_d²(1 − s) − s)·x_s / R) / R.
/** Flow-matching velocity v = ε − x0 from a TrigFlow output F at (x_s, s). */
export function flowVelocityFromF<A>(num: Floating<A>, F: A, xS: A, s: A, sigmaData: number): A {
  const r = flowScale(num, s, sigmaData);
  const coefficient = num.sub(num.mul(num.fromNumber(sigmaData * sigmaData), num.sub(num.fromNumber(1), s)), s);
  const rest = num.sub(num.mul(num.fromNumber(sigmaData), F), num.div(num.mul(coefficient, xS), r));
  return num.div(rest, r);
}

// ---------------------------------------------------------------- v-prediction

/** A variance-preserving schedule point (α, σ) with α² + σ² = 1. */
export interface VPredictionTime<A> {
  /** Signal coefficient α. */
  readonly alpha: A;
  /** Noise coefficient σ. */
  readonly sigma: A;
}

// math.md, "Teachers in other parameterisations" (v-prediction): t = arctan(σ / (σ_d·α)).
/** TrigFlow time of a v-prediction schedule point: t = arctan(σ/(σ_d α)). */
export function timeFromVPrediction<A>(num: Floating<A>, alpha: A, sigma: A, sigmaData: number): A {
  return num.atan(num.div(sigma, num.mul(num.fromNumber(sigmaData), alpha)));
}

// math.md, "Teachers in other parameterisations" (v-prediction), solved for (α, σ): σ/α = σ_d tan t, α = cos φ,
// σ = sin φ, φ = arctan(σ_d tan t).
/** The v-prediction schedule point of a TrigFlow time: (α, σ) = (cos φ, sin φ), φ = arctan(σ_d tan t). */
export function vPredictionTimeFromTime<A>(num: Floating<A>, t: A, sigmaData: number): VPredictionTime<A> {
  const phi = num.atan(num.mul(num.fromNumber(sigmaData), num.tan(t)));
  return { alpha: num.cos(phi), sigma: num.sin(phi) };
}

// math.md, "Teachers in other parameterisations" (v-prediction): R = sqrt(α²σ_d² + σ²).
/** The v-prediction rescale factor R = sqrt(α²σ_d² + σ²). */
export function vPredictionScale<A>(num: Floating<A>, alpha: A, sigma: A, sigmaData: number): A {
  return num.sqrt(num.add(num.mul(num.fromNumber(sigmaData * sigmaData), num.square(alpha)), num.square(sigma)));
}

// math.md, "Teachers in other parameterisations" (v-prediction): x_t = σ_d·x' / R.
/** TrigFlow state of a v-prediction state: x_t = σ_d·x'/R. */
export function xtFromVPrediction<A>(num: Floating<A>, xPrime: A, alpha: A, sigma: A, sigmaData: number): A {
  return num.div(num.mul(num.fromNumber(sigmaData), xPrime), vPredictionScale(num, alpha, sigma, sigmaData));
}

// math.md, "Teachers in other parameterisations" (v-prediction), inverted: x' = R·x_t / σ_d.
/** v-prediction state of a TrigFlow state: x' = R·x_t/σ_d. */
export function vPredictionStateFromXt<A>(num: Floating<A>, x: A, alpha: A, sigma: A, sigmaData: number): A {
  return num.div(num.mul(vPredictionScale(num, alpha, sigma, sigmaData), x), num.fromNumber(sigmaData));
}

// math.md, "Teachers in other parameterisations" (v-prediction): σ_d·F = R·v + (σ_d² − 1)·α·σ·x' / R.
/** TrigFlow network output from a v-prediction output v = αε − σx0 at (x', α, σ). */
export function FFromVPrediction<A>(num: Floating<A>, v: A, xPrime: A, alpha: A, sigma: A, sigmaData: number): A {
  const r = vPredictionScale(num, alpha, sigma, sigmaData);
  const coefficient = num.mul(num.fromNumber(sigmaData * sigmaData - 1), num.mul(alpha, sigma));
  const sigmaF = num.add(num.mul(r, v), num.div(num.mul(coefficient, xPrime), r));
  return num.div(sigmaF, num.fromNumber(sigmaData));
}

// math.md, "Teachers in other parameterisations" (v-prediction), inverted: v = (σ_d·F − (σ_d² − 1)·α·σ·x' / R) / R.
/** v-prediction output v = αε − σx0 from a TrigFlow output F at (x', α, σ). */
export function vPredictionFromF<A>(num: Floating<A>, F: A, xPrime: A, alpha: A, sigma: A, sigmaData: number): A {
  const r = vPredictionScale(num, alpha, sigma, sigmaData);
  const coefficient = num.mul(num.fromNumber(sigmaData * sigmaData - 1), num.mul(alpha, sigma));
  const rest = num.sub(num.mul(num.fromNumber(sigmaData), F), num.div(num.mul(coefficient, xPrime), r));
  return num.div(rest, r);
}
