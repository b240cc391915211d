// The discrete-time CM objective of the paper's comparison (docs/guide/math.md,
// "Discrete-time consistency models", "dsCM"): the reference point x_{t′} comes from one DDIM step x_{t′} =
// cos(t−t′)·x_t − sin(t−t′)·V with the velocity V (σ_d F_teacher for distillation, cos t·z − sin t·x0 for
// training), and the finite-difference tangent Δ = [f⁻(x_t, t) − f⁻(x_{t′}, t′)]/sin(t − t′) replaces df/dt:
//   Δ_r = −cos t′·(σ_d F⁻_t − V) − r·sin t′·(x_t + σ_d[cos(t−t′)·F⁻_t − F⁻_{t′}]/sin(t−t′)),
//   g = cos t·Δ_r, normalised, in the same adaptive-weighted loss as sCM.
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { normalizeTangent, perSampleNorm, type TangentNormalization } from "./tangent.js";
import { checkBatch, meanPerSample, timeColumn } from "./time.js";
import { adaptiveWeighted } from "./weighting.js";
import type { LossBatchInputs } from "./diffusion-loss.js";

/** Inputs of the discrete-time CM loss. */
export interface DiscreteCmLossInputs extends LossBatchInputs {
  /** sCD: the teacher whose DDIM step makes x_{t′}; omit to use the data's own velocity. */
  readonly teacher?: RawNetwork;
  /** The earlier grid time t′ < t (t is the later one), [B]. */
  readonly tPrev: Tensor;
  /**
   * Tangent warm-up r ∈ [0, 1] on the second term of Δ (default 1; math.md,
   * "Warm-up, normalisation and clipping of the tangent").
   */
  readonly r?: number | Tensor;
  /** How g = cos t·Δ is normalised (default g/(‖g‖₂ + 0.1)). */
  readonly normalization?: TangentNormalization;
}

/** The discrete-time consistency loss of one batch. */
export function discreteCmLoss(inp: DiscreteCmLossInputs): {
  /** The batch mean of `perSample`, a scalar: what to differentiate. */
  loss: Tensor;
  /** Per sample, [B]: the mean over D of (F_θ − F_θ⁻ − g)², or e^{w}·that − w with the logvar head. */
  perSample: Tensor;
  /** Per-sample ‖cos t·Δ‖₂ before normalisation, [B]. */
  gNorm: Tensor;
  /** The unweighted error per sample, [B]: the mean over D of (F_θ − F_θ⁻ − g)². */
  err: Tensor;
  /** w_φ(t) per sample, [B]; undefined without a logvar head. */
  logvar: Tensor | undefined;
} {
  const { sigmaData: sd, x0, z, t, tPrev } = inp;
  checkBatch("discreteCmLoss", x0, t);
  checkBatch("discreteCmLoss", x0, tPrev);
  const rank = x0.ndim;
  const tc = timeColumn(t, rank), tp = timeColumn(tPrev, rank);
  const xt = c.add(c.mul(c.cos(tc), x0), c.mul(c.sin(tc), z));
  const V = inp.teacher ? c.stopGradient(c.mul(inp.teacher(c.div(xt, sd), t), sd)) : c.sub(c.mul(c.cos(tc), z), c.mul(c.sin(tc), x0));
  const dt = c.sub(tc, tp);
  const xPrev = c.sub(c.mul(c.cos(dt), xt), c.mul(c.sin(dt), V));
  const Ft = inp.F(c.div(xt, sd), t);
  const Fm = c.stopGradient(Ft);
  const Fprev = c.stopGradient(inp.F(c.div(xPrev, sd), tPrev));
  const inner = c.add(xt, c.div(c.mul(c.sub(c.mul(c.cos(dt), Fm), Fprev), sd), c.sin(dt)));
  const delta = c.sub(c.mul(c.neg(c.cos(tp)), c.sub(c.mul(Fm, sd), V)), c.mul(c.mul(inp.r ?? 1, c.sin(tp)), inner));
  const raw = c.mul(c.cos(tc), delta);
  const g = c.stopGradient(normalizeTangent(raw, inp.normalization));
  const err = meanPerSample(c.square(c.sub(c.sub(Ft, Fm), g)));
  const { loss, perSample, w } = adaptiveWeighted(err, t, inp.logvar);
  return { loss, perSample, gNorm: c.reshape(perSampleNorm(raw), [x0.shape[0]!]), logvar: w, err };
}
