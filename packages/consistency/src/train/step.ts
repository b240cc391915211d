// One training step as one jitted call (docs/guide/design.md, "The training step"): draw noise, times, label
// dropout, dropout masks and guidance scales from the step key, take the loss (given the batch's class ids when
// the objective is class-conditional) and its gradient, clip by global norm, apply the optimizer, update the
// EMA — and, if the loss, the gradient or any of the updated parameters, optimizer moments and EMA is not
// finite, keep the old state (the NaN guard; the host counts the skip). A finite gradient can still overflow an
// update (a learning rate of 1e39 does in float32), so the new state itself is checked.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { applyUpdates, clipByGlobalNorm, emaUpdate, globalNorm, type MomentState, type Optimizer } from "@scm-ts/nn";
import type { Objective, ObjectiveOutput } from "./objective.js";

/** Everything that changes during training; a pytree of tensors (checkpointable as is). */
export interface TrainState<P> {
  /** The trained parameters θ (and φ of the logvar head), a pytree of tensors. */
  readonly params: P;
  /** The optimizer's state: step count and moments m, v shaped like `params`. */
  readonly opt: MomentState<P>;
  /** The EMA of `params`, ema ← β·ema + (1 − β)·params after each applied update; what is sampled from. */
  readonly ema: P;
  /** The PRNG key of the next step. */
  readonly key: Tensor;
}

/** Quantities of one step (scalar tensors). */
export interface StepMetrics {
  /** The objective's batch loss. */
  readonly loss: Tensor;
  /** Global L2 norm of the gradient, before clipping. */
  readonly gradNorm: Tensor;
  /** Batch mean of the per-sample ‖g‖₂ before normalisation (0 for the diffusion loss). */
  readonly gNorm: Tensor;
  /** Batch mean of w_φ(t) (0 without a logvar head). */
  readonly logvar: Tensor;
  /** Batch mean of the unweighted per-dimension error. */
  readonly err: Tensor;
  /** 1 when the update was applied, 0 when the NaN guard skipped it. */
  readonly finite: Tensor;
}

/** Step settings. */
export interface StepConfig {
  /** The optimizer whose updates are applied (e.g. nn's `adam` or `radam`); its state lives in `TrainState.opt`. */
  readonly optimizer: Optimizer;
  /** Clip the gradient to this global norm (none when absent). */
  readonly clipNorm?: number;
}

/** The initial state: optimizer state from the params, EMA = params. */
export function initTrainState<P>(params: P, optimizer: Optimizer, key: Tensor): TrainState<P> {
  return { params, opt: optimizer.init(params), ema: c.treeMap(params, (p: Tensor) => c.mul(p, 1)), key };
}

// x − x = 0 exactly for finite x, NaN for ±Inf and NaN.
const isFinite = (x: Tensor): Tensor => c.equal(c.sub(x, x), 0);

// 1 when every float entry of a pytree is finite, else 0: Σ(x − x) is 0 exactly for finite entries and
// NaN as soon as one is ±∞ or NaN — one cheap reduction per leaf.
const treeFinite = (tree: unknown): Tensor => {
  const leaves = c.treeLeaves<Tensor>(tree).filter((t) => t.dtype.startsWith("float") || t.dtype.startsWith("bfloat"));
  const total = leaves.reduce<Tensor>((acc, t) => c.add(acc, c.astype(c.sum(c.sub(t, t)), "float32")), c.zeros([]));
  return c.astype(isFinite(total), "float32");
};

/** The jitted step: (state, x0, r, EMA β, class ids [B] of a class-conditional objective) → [next state, metrics]. */
export type TrainStep<P> = (state: TrainState<P>, x0: Tensor, r: Tensor, beta: Tensor, labels?: Tensor) => [TrainState<P>, StepMetrics];

/**
 * The jitted step: (state, x0 batch, r, EMA β, labels?) → [next state, metrics]. `objective` is the
 * output of makeObjective; everything random (noise, times, label dropout, dropout masks, guidance
 * scales) derives from state.key. `labels` are the batch's int class ids [B], required exactly when
 * the objective was built with `classes` (a call without them traces, and caches, its own program).
 */
export function makeTrainStep<P>(objective: Objective<P>, config: StepConfig) {
  return c.jit((state: TrainState<P>, x0: Tensor, r: Tensor, beta: Tensor, labels?: Tensor): [TrainState<P>, StepMetrics] => {
    const [kNext, kStep] = c.random.split(state.key, 2);
    const [[loss, aux], grads] = c.valueAndGrad((p: P) => {
      const out = objective(p, x0, kStep!, r, labels);
      return [out.loss, out.aux];
    }, { hasAux: true })(state.params) as [[Tensor, ObjectiveOutput["aux"]], P];
    const [clipped, gradNorm] = config.clipNorm !== undefined ? clipByGlobalNorm(grads, config.clipNorm) : [grads, globalNorm(grads)];
    const [updates, opt] = config.optimizer.update(clipped, state.opt, state.params);
    const params = applyUpdates(state.params, updates);
    const ema = emaUpdate(state.ema, params, beta);
    const inputsOk = c.mul(c.astype(isFinite(loss), "float32"), c.astype(isFinite(gradNorm), "float32"));
    const ok = c.reshape(c.mul(inputsOk, treeFinite({ params, opt, ema })), []);
    const keepIf = <T>(next: T, prev: T): T => c.treeMapN([next, prev], (n: Tensor, o: Tensor) => c.where(c.greater(ok, 0), n, o), "NaN guard") as T;
    const next: TrainState<P> = { params: keepIf(params, state.params), opt: keepIf(opt, state.opt), ema: keepIf(ema, state.ema), key: kNext! };
    return [next, { loss: c.reshape(loss, []), gradNorm: c.reshape(gradNorm, []), gNorm: aux.gNorm, logvar: aux.logvar, err: aux.err, finite: ok }];
  }, { name: "trainStep" });
}
