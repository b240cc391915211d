// The sCM loss (docs/guide/trigflow-scm.md, "The loss, with adaptive weighting", eq. 8; Algorithm 1):
// E[(e^{w}/D)·‖F_θ − F_θ⁻ − g‖² − w], for sCT (dx_t/dt = cos t·z − sin t·x0 from data and noise) and sCD
// (dx_t/dt = σ_d·F_teacher(x_t/σ_d, t)). One forward+JVP pass gives F_θ (its primal, which carries the
// parameter gradient) and the tangent; F_θ⁻, dF⁻/dt, g and the teacher are constants, so the backward pass
// touches only F_θ.
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { scmTangent, type TangentNormalization } from "./tangent.js";
import { checkBatch, meanPerSample, timeColumn } from "./time.js";
import { adaptiveWeighted } from "./weighting.js";
import type { LossBatchInputs } from "./diffusion-loss.js";

/** Inputs of the sCM loss. */
export interface ScmLossInputs extends LossBatchInputs {
  /** sCD: the teacher F_pretrain(x_t/σ_d, t); omit for sCT. */
  readonly teacher?: RawNetwork;
  /** Tangent warm-up r ∈ [0, 1]. */
  readonly r?: number | Tensor;
  /** How the tangent g is normalised (default g/(‖g‖₂ + 0.1), the paper's). */
  readonly normalization?: TangentNormalization;
}

/** The loss and what a training log wants to see. */
export interface ScmLoss {
  /** The batch mean of `perSample`, a scalar: what to differentiate (eq. 8). */
  readonly loss: Tensor;
  /** Per sample, [B]: (e^{w}/D)·‖F_θ − F_θ⁻ − g‖² − w with the logvar head, else the mean over D of (F_θ − F_θ⁻ − g)². */
  readonly perSample: Tensor;
  /** Per-sample ‖g‖₂ before normalisation, [B] (where ‖g‖ ≪ c the normalisation shrinks the step). */
  readonly gNorm: Tensor;
  /** w_φ(t) per sample, [B]; undefined without a logvar head. */
  readonly logvar: Tensor | undefined;
  /** The unweighted error per sample, [B]: the mean over D of (F_θ − F_θ⁻ − g)², i.e. of g² in value. */
  readonly err: Tensor;
  /** F_θ(x_t/σ_d, t), [B, …D]: the JVP's primal output, which carries the parameter gradient. */
  readonly F: Tensor;
}

// Algorithm 1 steps 1–5 for one batch (x0, z, t given).
/** The sCT / sCD loss of one batch. */
export function scmLoss(inp: ScmLossInputs): ScmLoss {
  const { sigmaData, x0, z, t } = inp;
  checkBatch("scmLoss", x0, t);
  if (z.shape.join() !== x0.shape.join()) throw new Error(`scmLoss: noise has shape [${z.shape.join(",")}] but data has [${x0.shape.join(",")}]`);
  const tc = timeColumn(t, x0.ndim);
  const xt = c.add(c.mul(c.cos(tc), x0), c.mul(c.sin(tc), z));
  let dxdt: Tensor;
  if (inp.teacher) {
    const v = inp.teacher(c.div(xt, sigmaData), t);
    if (v.shape.join() !== x0.shape.join()) throw new Error(`scmLoss: the teacher returned shape [${v.shape.join(",")}] for data [${x0.shape.join(",")}]; teacher and student must take and return the data shape`);
    dxdt = c.stopGradient(c.mul(v, sigmaData));
  } else {
    dxdt = c.sub(c.mul(c.cos(tc), z), c.mul(c.sin(tc), x0));
  }
  const tan = scmTangent({ F: inp.F, sigmaData, xt, t, dxdt, r: inp.r ?? 1, ...(inp.normalization ? { normalization: inp.normalization } : {}) });
  const err = meanPerSample(c.square(c.sub(c.sub(tan.F, c.stopGradient(tan.F)), tan.g)));
  const { loss, perSample, w } = adaptiveWeighted(err, t, inp.logvar);
  return { loss, perSample, gNorm: tan.gNorm, logvar: w, err, F: tan.F };
}
