// The TrigFlow diffusion loss (docs/guide/math.md, "The diffusion loss and the teacher's times"):
// E[‖F_θ(x_t/σ_d, t) − v_t/σ_d‖²] with v_t = cos t·z − sin t·x0 — EDM's weighting and preconditioning in
// TrigFlow variables — optionally with EDM2's learned per-t uncertainty (e^{w}·err − w), as the paper's
// teachers use.
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { checkBatch, meanPerSample, timeColumn } from "./time.js";
import { adaptiveWeighted, type LogvarHead } from "./weighting.js";

/** What every loss takes: the network, the optional logvar head, σ_d and one batch (x0, z, t). */
export interface LossBatchInputs {
  /** The network F_θ(x_t/σ_d, t), closed over its (differentiated) parameters. */
  readonly F: RawNetwork;
  /** The logvar head w_φ(t) (adaptive weighting); omit for unweighted. */
  readonly logvar?: LogvarHead;
  /** σ_d, the data standard deviation (the paper: 0.5); the network sees x_t/σ_d. */
  readonly sigmaData: number;
  /** Clean data x0, [B, …D]. */
  readonly x0: Tensor;
  /** Noise z ~ N(0, σ_d² I), [B, …D] (already scaled by σ_d). */
  readonly z: Tensor;
  /** Times, [B]. */
  readonly t: Tensor;
}

/** Inputs of the diffusion loss. */
export type DiffusionLossInputs = LossBatchInputs;

// math.md, "The diffusion loss and the teacher's times": L = E[w(t)·‖σ_d F − v_t‖²], here ‖F − v_t/σ_d‖²
// (uniform in TrigFlow).
/** The diffusion (teacher) loss of one batch. */
export function diffusionLoss(inp: DiffusionLossInputs): {
  /** The batch mean of `perSample`, a scalar: what to differentiate. */
  loss: Tensor;
  /** Per sample, [B]: the mean over D of (F_θ − v_t/σ_d)², or e^{w}·that − w with the logvar head. */
  perSample: Tensor;
  /** w_φ(t) per sample, [B]; undefined without a logvar head. */
  logvar: Tensor | undefined;
  /** The unweighted error per sample, [B]: the mean over D of (F_θ − v_t/σ_d)². */
  err: Tensor;
} {
  const { sigmaData, x0, z, t } = inp;
  checkBatch("diffusionLoss", x0, t);
  const tc = timeColumn(t, x0.ndim);
  const cos = c.cos(tc), sin = c.sin(tc);
  const xt = c.add(c.mul(cos, x0), c.mul(sin, z));
  const v = c.sub(c.mul(cos, z), c.mul(sin, x0));
  const err = meanPerSample(c.square(c.sub(inp.F(c.div(xt, sigmaData), t), c.div(v, sigmaData))));
  const { loss, perSample, w } = adaptiveWeighted(err, t, inp.logvar);
  return { loss, perSample, logvar: w, err };
}
