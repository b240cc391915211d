// The TrigFlow process and the sCM consistency parameterisation (paper Sec. 3 and App. B;
// docs/guide/trigflow-scm.md, "TrigFlow: the process", and docs/guide/math.md,
// "One network, four predictions"). Data x0 and noise z ~ N(0, σ_d² I) are rotated into
// x_t = cos t·x0 + sin t·z for t ∈ [0, π/2]; the raw network F sees x_t/σ_d and c_noise(t) = t, and every
// prediction (velocity, x0, z, consistency output f) is a fixed rotation of (x_t, σ_d·F). All formulas are
// generic over `Floating`; `t` has the carrier type too, so a tensor instance can pass one time per sample
// that broadcasts.
import type { Floating } from "./floating.js";

/** σ_d = 0.5, the data standard deviation used throughout the paper (App. G). */
export const paperSigmaData = 0.5;
/**
 * EDM's σ_max = 80; the paper starts sampling at t_max = arctan(σ_max/σ_d) (Sec. 4 / math.md,
 * "Multistep consistency sampling").
 */
export const paperSigmaMax = 80;
/** The intermediate time t_mid = 1.1 of the paper's 2-step sampler (math.md, "Multistep consistency sampling"). */
export const paperTMid = 1.1;

// math.md, "Multistep consistency sampling": t_max = arctan(σ_max/σ_d) (1.56455 for σ_max = 80, σ_d = 0.5).
/** The sampling start time t_max = arctan(σ_max/σ_d); defaults give the paper's 1.56455. */
export function tMax(sigmaData: number = paperSigmaData, sigmaMax: number = paperSigmaMax): number {
  return Math.atan(sigmaMax / sigmaData);
}

// Paper Sec. 3 (TrigFlow forward process), trigflow-scm.md, "TrigFlow: the process": x_t = cos(t)·x0 + sin(t)·z.
/** The TrigFlow forward process x_t = cos(t)·x0 + sin(t)·z (z has std σ_d). */
export function xt<A>(num: Floating<A>, x0: A, z: A, t: A): A {
  return num.add(num.mul(num.cos(t), x0), num.mul(num.sin(t), z));
}

// Paper Sec. 3, trigflow-scm.md, "TrigFlow: the process": v_t = dx_t/dt = cos(t)·z − sin(t)·x0 (the diffusion /
// sCT velocity target).
/** The conditional velocity dx_t/dt = cos(t)·z − sin(t)·x0, the TrigFlow diffusion target. */
export function dxtdt<A>(num: Floating<A>, x0: A, z: A, t: A): A {
  return num.sub(num.mul(num.cos(t), z), num.mul(num.sin(t), x0));
}

// trigflow-scm.md, "TrigFlow: the process": SNR(t) = cos²t·σ_d² / (sin²t·σ_d²) = 1/tan²(t).
/** The signal-to-noise ratio SNR(t) = 1/tan²(t) (independent of σ_d). */
export function snr<A>(num: Floating<A>, t: A): A {
  return num.div(num.fromNumber(1), num.square(num.tan(t)));
}

// math.md, "Time conditioning": sCM uses the identity time conditioning c_noise(t) = t (radians).
/** The network's time input c_noise(t) = t. */
export function cNoise<A>(_num: Floating<A>, t: A): A {
  return t;
}

// math.md, "One network, four predictions": the network input is always x_t/σ_d, i.e. c_in = 1/σ_d.
/** The input scaling c_in = 1/σ_d (lifted into the carrier). */
export function cIn<A>(num: Floating<A>, sigmaData: number): A {
  return num.fromNumber(1 / sigmaData);
}

// Paper App. B (EDM-style view of TrigFlow), math.md, "One network, four predictions": c_skip(t) = cos t.
/** The skip coefficient c_skip(t) = cos t of f = c_skip·x_t + c_out·F. */
export function cSkip<A>(num: Floating<A>, t: A): A {
  return num.cos(t);
}

// Paper App. B eq. 14, math.md, "One network, four predictions": c_out(t) = −σ_d·sin t (negative on purpose;
// see converters for EDM).
/** The output coefficient c_out(t) = −σ_d·sin t of f = c_skip·x_t + c_out·F. */
export function cOut<A>(num: Floating<A>, t: A, sigmaData: number): A {
  return num.neg(num.mul(num.fromNumber(sigmaData), num.sin(t)));
}

// Paper Sec. 3 (consistency parameterisation), math.md, "One network, four predictions": f(x_t, t) = cos(t)·x_t
// − sin(t)·σ_d·F(x_t/σ_d, t).
/**
 * The consistency function f(x_t, t) = cos(t)·x_t − sin(t)·σ_d·F, given the raw network output
 * F = F(x_t/σ_d, c_noise(t)). f(x, 0) = x for every F. The same rotation is the diffusion denoiser D.
 */
export function f<A>(num: Floating<A>, x: A, t: A, F: A, sigmaData: number): A {
  return num.add(num.mul(cSkip(num, t), x), num.mul(cOut(num, t, sigmaData), F));
}

// math.md, "One network, four predictions": D(x_t, t) = cos(t)·x_t − sin(t)·σ_d·F (the x0-prediction; the
// first-order step to 0).
/** The x0-prediction (denoiser) recovered from (x_t, F): cos(t)·x_t − sin(t)·σ_d·F. */
export function x0FromF<A>(num: Floating<A>, x: A, t: A, F: A, sigmaData: number): A {
  return f(num, x, t, F, sigmaData);
}

// math.md, "One network, four predictions": Ẑ(x_t, t) = sin(t)·x_t + cos(t)·σ_d·F (the noise prediction, z with std σ_d).
/** The noise prediction recovered from (x_t, F): sin(t)·x_t + cos(t)·σ_d·F. */
export function zFromF<A>(num: Floating<A>, x: A, t: A, F: A, sigmaData: number): A {
  const sigmaF = num.mul(num.fromNumber(sigmaData), F);
  return num.add(num.mul(num.sin(t), x), num.mul(num.cos(t), sigmaF));
}

// math.md, "One network, four predictions" (inverse rotation): σ_d·F = cos(t)·ẑ − sin(t)·x̂0, i.e. F = v_t/σ_d.
/** The network output F = (cos(t)·z − sin(t)·x0)/σ_d that a pair (x0, z) implies at time t. */
export function FFromX0Z<A>(num: Floating<A>, x0: A, z: A, t: A, sigmaData: number): A {
  return num.div(dxtdt(num, x0, z, t), num.fromNumber(sigmaData));
}

// math.md, "One network, four predictions": F = (cos t·x_t − D)/(σ_d·sin t), from any x0-predictor D (singular at t = 0).
/** The network output F = (cos t·x_t − x0)/(σ_d·sin t) implied by an x0-prediction; needs t > 0. */
export function FFromX0<A>(num: Floating<A>, x: A, t: A, x0: A, sigmaData: number): A {
  const numerator = num.sub(num.mul(num.cos(t), x), x0);
  return num.div(numerator, num.mul(num.fromNumber(sigmaData), num.sin(t)));
}

// math.md, "One network, four predictions": F = (Ẑ − sin t·x_t)/(σ_d·cos t), from any noise predictor Ẑ
// (singular at t = π/2).
/** The network output F = (z − sin t·x_t)/(σ_d·cos t) implied by a noise prediction; needs t < π/2. */
export function FFromZ<A>(num: Floating<A>, x: A, t: A, z: A, sigmaData: number): A {
  const numerator = num.sub(z, num.mul(num.sin(t), x));
  return num.div(numerator, num.mul(num.fromNumber(sigmaData), num.cos(t)));
}

// math.md, "The PF-ODE and the score": the PF-ODE dx_t/dt = σ_d·F(x_t/σ_d, c_noise(t)).
/** The PF-ODE velocity dx_t/dt = σ_d·F. */
export function velocityFromF<A>(num: Floating<A>, F: A, sigmaData: number): A {
  return num.mul(num.fromNumber(sigmaData), F);
}

// math.md, "The PF-ODE and the score": F = (dx_t/dt)/σ_d.
/** The network output F = (dx_t/dt)/σ_d implied by a PF-ODE velocity. */
export function FFromVelocity<A>(num: Floating<A>, velocity: A, sigmaData: number): A {
  return num.div(velocity, num.fromNumber(sigmaData));
}

// math.md, "The PF-ODE and the score": ∇log p_t(x) = (cos t·D − x)/(σ_d²·sin²t) (Tweedie; singular at t = 0).
/** The score ∇log p_t(x) = (cos t·D − x)/(σ_d² sin² t) implied by an x0-prediction D; needs t > 0. */
export function scoreFromX0<A>(num: Floating<A>, x: A, t: A, x0: A, sigmaData: number): A {
  const denominator = num.mul(num.fromNumber(sigmaData * sigmaData), num.square(num.sin(t)));
  return num.div(num.sub(num.mul(num.cos(t), x0), x), denominator);
}
