// Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019, decoupled weight decay):
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ),
//   Δ = −η·(m̂/(√v̂ + ε) + λ·θ).
// ε is configurable down to 1e-11 (the sCM ImageNet setting, docs/guide/math.md, "Network changes"); it sits outside the
// square root as in PyTorch and Optax, so tiny gradients give steps of size ≈ η rather than NaN.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositive, checkRange, ConfigError } from "./config-check.js";
import { decayMatrices, initMoments, like, rateAt, type LearningRate, type MomentState, type Optimizer } from "./optimizer.js";

/** Configuration of Adam / AdamW. */
export interface AdamConfig {
  /** Learning rate η (number or schedule). */
  readonly learningRate: LearningRate;
  /** β₁ (default 0.9). */
  readonly b1?: number;
  /** β₂ (default 0.999). */
  readonly b2?: number;
  /** ε (default 1e-8; 1e-11 for the sCM ImageNet runs). */
  readonly eps?: number;
  /** Decoupled weight decay λ (default 0: plain Adam). */
  readonly weightDecay?: number;
  /** Which leaves weight decay applies to (default: leaves with ≥ 2 axes). */
  readonly decayMask?: (leaf: Tensor) => boolean;
}

/** Checks that a learning rate is a positive number or a schedule function. */
export function checkLearningRate(where: string, lr: unknown): void {
  if (typeof lr === "function") return;
  if (typeof lr !== "number" || !(lr > 0) || !Number.isFinite(lr)) {
    throw new ConfigError(where, "learningRate", `must be a positive number or a schedule (count ↦ rate), got ${String(lr)}`);
  }
}

/** Checks β₁, β₂ ∈ [0, 1), ε > 0. */
export function checkMomentConfig(where: string, config: { b1?: number; b2?: number; eps?: number }): void {
  checkRange(where, "b1", config.b1 ?? 0.9, 0, 1);
  checkRange(where, "b2", config.b2 ?? 0.999, 0, 1);
  checkPositive(where, "eps", config.eps ?? 1e-8);
}

/**
 * The moment updates shared by Adam and RAdam: next count, m, v, and the bias corrections and step
 * number t computed in the gradients' float dtype (float64 parameters get float64 scalars).
 */
export function updateMoments<P>(grads: P, state: MomentState<P>, b1: number, b2: number): { count: Tensor; t: Tensor; mu: P; nu: P; bc1: Tensor; bc2: Tensor } {
  const count = c.add(state.count, 1);
  const first = c.treeLeaves<Tensor>(grads)[0];
  const t = c.astype(count, first?.dtype === "float64" ? "float64" : "float32");
  const mu = c.treeMapN([state.mu, grads], (m: Tensor, g: Tensor) => c.add(c.mul(m, b1), c.mul(g, 1 - b1)), "adam: moments and grads") as P;
  const nu = c.treeMapN([state.nu, grads], (v: Tensor, g: Tensor) => c.add(c.mul(v, b2), c.mul(c.square(g), 1 - b2)), "adam: moments and grads") as P;
  const bc1 = c.sub(1, c.pow(c.full([], b1, { dtype: t.dtype }), t)); // 1 − β₁ᵗ
  const bc2 = c.sub(1, c.pow(c.full([], b2, { dtype: t.dtype }), t)); // 1 − β₂ᵗ
  return { count, t, mu, nu, bc1, bc2 };
}

/** Adam, or AdamW when `weightDecay` > 0. */
export function adam(config: AdamConfig): Optimizer {
  checkMomentConfig("adam", config);
  checkLearningRate("adam", config.learningRate);
  const b1 = config.b1 ?? 0.9, b2 = config.b2 ?? 0.999, eps = config.eps ?? 1e-8;
  const wd = config.weightDecay ?? 0;
  const mask = config.decayMask ?? decayMatrices;
  return {
    init: initMoments,
    update<P>(grads: P, state: MomentState<P>, params: P): [P, MomentState<P>] {
      const { count, mu, nu, bc1, bc2 } = updateMoments(grads, state, b1, b2);
      const lr = rateAt(config.learningRate, count);
      const updates = c.treeMapN([mu, nu, params], (m: Tensor, v: Tensor, p: Tensor) => {
        const mHat = c.div(m, like(bc1, m));
        const vHat = c.div(v, like(bc2, v));
        let step = c.div(mHat, c.add(c.sqrt(vHat), eps)); // m̂/(√v̂ + ε)
        if (wd > 0 && mask(p)) step = c.add(step, c.mul(p, wd)); // + λθ (decoupled)
        return c.mul(step, c.neg(like(lr, m)));
      }, "adam: params") as P;
      return [updates, { count, mu, nu }];
    },
  };
}

/** AdamW: Adam with decoupled weight decay λ (default 1e-2, PyTorch's). */
export function adamw(config: AdamConfig): Optimizer {
  return adam({ ...config, weightDecay: config.weightDecay ?? 1e-2 });
}
