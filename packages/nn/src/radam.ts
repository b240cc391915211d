// Rectified Adam (Liu et al. 2020, Algorithm 2), the optimizer of the sCM CIFAR-10 runs (β = (0.9, 0.99),
// docs/guide/math.md, "The paper's settings"): while the variance of the adaptive rate is intractable (ρ_t ≤ 5)
// it takes momentum-SGD steps m̂, then Adam steps scaled by the rectification r_t:
//   ρ∞ = 2/(1−β₂) − 1,  ρ_t = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ),
//   r_t = sqrt((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t)),  Δ = −η·r_t·m̂/(√v̂ + ε)  (else Δ = −η·m̂).
// ρ_t is computed in the parameters' dtype; in float32, 1 − β₂ᵗ loses digits for β₂ → 1, so with
// β₂ = 0.999 the step where ρ_t crosses 5 (t = 5 or 6) may differ by one from a float64 reference.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkLearningRate, checkMomentConfig, updateMoments } from "./adam.js";
import { decayMatrices, initMoments, like, rateAt, type LearningRate, type MomentState, type Optimizer } from "./optimizer.js";

/** Configuration of RAdam. */
export interface RAdamConfig {
  /** Learning rate η (number or schedule). */
  readonly learningRate: LearningRate;
  /** β₁ (default 0.9). */
  readonly b1?: number;
  /** β₂ (default 0.999). */
  readonly b2?: number;
  /** ε (default 1e-8). */
  readonly eps?: number;
  /** Threshold on ρ_t above which steps are rectified (default 5, as PyTorch and Optax). */
  readonly threshold?: number;
  /** Decoupled weight decay λ (default 0). */
  readonly weightDecay?: number;
  /** Which leaves weight decay applies to (default: leaves with ≥ 2 axes). */
  readonly decayMask?: (leaf: Tensor) => boolean;
}

// r_t and whether to rectify, from the count t (Liu et al. 2020, Eq. 6 and Algorithm 2).
/** The rectification r_t (0 where ρ_t ≤ threshold) and the boolean "rectify" flag, as scalars. */
export function rectification(count: Tensor, b2: number, threshold = 5): {
  /** r_t, a scalar of count's dtype; 0 where ρ_t ≤ threshold. */
  r: Tensor;
  /** Boolean scalar: ρ_t > threshold, i.e. take the rectified Adam step (else momentum SGD). */
  rectify: Tensor;
} {
  const rhoInf = 2 / (1 - b2) - 1;
  const b2t = c.pow(c.full([], b2, { dtype: count.dtype }), count);
  const rho = c.sub(rhoInf, c.div(c.mul(c.mul(count, 2), b2t), c.sub(1, b2t)));
  const rectify = c.greater(rho, threshold);
  const num = c.mul(c.mul(c.sub(rho, 4), c.sub(rho, 2)), rhoInf);
  const den = c.mul((rhoInf - 4) * (rhoInf - 2), rho);
  const r = c.where(rectify, c.sqrt(c.maximum(c.div(num, c.where(rectify, den, 1)), 0)), 0);
  return { r, rectify };
}

/** RAdam. */
export function radam(config: RAdamConfig): Optimizer {
  checkLearningRate("radam", config.learningRate);
  checkMomentConfig("radam", config);
  const b1 = config.b1 ?? 0.9, b2 = config.b2 ?? 0.999, eps = config.eps ?? 1e-8;
  const wd = config.weightDecay ?? 0;
  const mask = config.decayMask ?? decayMatrices;
  return {
    init: initMoments,
    update<P>(grads: P, state: MomentState<P>, params: P): [P, MomentState<P>] {
      const { count, t, mu, nu, bc1, bc2 } = updateMoments(grads, state, b1, b2);
      const lr = rateAt(config.learningRate, count);
      const { r, rectify } = rectification(t, b2, config.threshold ?? 5);
      const updates = c.treeMapN([mu, nu, params], (m: Tensor, v: Tensor, p: Tensor) => {
        const mHat = c.div(m, like(bc1, m));
        const vHat = c.div(v, like(bc2, v));
        const adaptive = c.mul(c.div(mHat, c.add(c.sqrt(vHat), eps)), like(r, m)); // r_t·m̂/(√v̂ + ε)
        let step = c.where(rectify, adaptive, mHat);
        if (wd > 0 && mask(p)) step = c.add(step, c.mul(p, wd));
        return c.mul(step, c.neg(like(lr, m)));
      }, "radam: params") as P;
      return [updates, { count, mu, nu }];
    },
  };
}
