// Adaptive weighting (docs/guide/trigflow-scm.md, "The loss, with adaptive weighting", eq. 8; EDM2's learned
// uncertainty): per sample e^{w(t)}·err − w(t), where err is the mean squared error over the D data entries.
// Minimising over w gives e^{w*} = 1/E[err | t], equalising the loss scale across t.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** The logvar head w_φ(t): t [B] → [B] (or [B, 1]). */
export type LogvarHead = (t: Tensor) => Tensor;

/**
 * e^{w}·err − w per sample, and the batch mean; without a head, plain err.
 *
 * Caveat (measured in train/quality.test.ts): the optimum e^{w*} = 1/E[err | t] is flat in t only while the
 * normalised tangent has norm ≈ 1 (‖g‖ ≫ c, as in the paper's D ≥ 3072, or sCT's noisy g). For sCD from an
 * exact or near-exact teacher in low dimension, ‖g‖ → 0 below c, so e^{w*} grows as 1/error² and the weighted
 * gradient stops shrinking as f_θ converges; there, training without the head (plain err) converges better.
 */
export function adaptiveWeighted(err: Tensor, t: Tensor, logvar?: LogvarHead): {
  /** The batch mean of `perSample`, a scalar. */
  loss: Tensor;
  /** e^{w}·err − w per sample, [B] (err itself without a head). */
  perSample: Tensor;
  /** w = w_φ(t), [B]; undefined without a head. */
  w: Tensor | undefined;
} {
  if (!logvar) return { loss: c.mean(err), perSample: err, w: undefined };
  const w = c.reshape(logvar(t), [t.shape[0]!]);
  const perSample = c.sub(c.mul(c.exp(w), err), w);
  return { loss: c.mean(perSample), perSample, w };
}
