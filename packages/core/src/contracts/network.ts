// The network contract every method package shares. The sCM models are written in TrigFlow's
// parameterisation (docs/guide/math.md, "One network, four predictions"): the data x₀ and the noise
// z ~ N(0, σ_d² I) give x_t = cos t·x₀ + sin t·z for t ∈ [0, π/2], and one raw network F is trained so
// that σ_d·F(x_t/σ_d, c_noise(t)) predicts the velocity v_t = dx_t/dt = cos t·z − sin t·x₀, with
// c_in = 1/σ_d and c_noise(t) = t. Every other prediction follows from F (the denoiser
// D = cos t·x_t − sin t·σ_d·F, the consistency function f = the same form). The preconditioning stays
// outside F, in the losses and samplers. The contract lives here, in the one package that models,
// losses and samplers all depend on, and holds types only.
import type { Tensor } from "../tensor.js";

/** What a network may be conditioned on besides (u, t). Each field is optional; a network ignores what it does not use. */
export interface NetworkOptions {
  /** One-hot class rows [B, K] of a class-conditional network; a zero row is the null label (unconditional). */
  readonly classLabels?: Tensor;
  /**
   * Guidance scales w [B] of a guidance-conditioned student: the w of the teacher's velocity
   * F_u + w·(F_c − F_u) the student was distilled at (docs/guide/math.md, "Guidance-conditioned students").
   */
  readonly guidance?: Tensor;
  /** Dropout key; omit (or null) for no dropout. Give the JVP pass and the gradient pass the same key. */
  readonly dropoutKey?: Tensor | null;
}

/**
 * The raw network F(u, t): u = x_t/σ_d [B, …D] and t [B] the TrigFlow times in radians (c_noise(t) = t)
 * → F [B, …D], so that σ_d·F estimates the velocity dx_t/dt. A model with its parameters bound, an
 * analytic oracle or a converted teacher all fit; a conditional network reads `options`.
 */
export type RawNetwork = (u: Tensor, t: Tensor, options?: NetworkOptions) => Tensor;

/**
 * A trainable network: F_θ as a function of its parameters, and optionally the adaptive-weighting head
 * w_φ(t) of the sCM loss L = E[(e^{w_φ(t)}/D)·‖F_θ − F_θ⁻ − g‖² − w_φ(t)] (docs/guide/trigflow-scm.md,
 * "The loss, with adaptive weighting"), both of one parameter tree P so one gradient covers them.
 */
export interface Model<P> {
  /** F_θ(u, t) as `RawNetwork` with the parameters first: u = x_t/σ_d [B, …D], t [B] → [B, …D]. */
  apply(params: P, u: Tensor, t: Tensor, options?: NetworkOptions): Tensor;
  /** The logvar head w_φ(t): t [B] → [B] (or [B, 1]); omit for no adaptive weighting. */
  logvar?(params: P, t: Tensor): Tensor;
}
