// The optimizer protocol, Optax's init/update pair over pytrees: `init(params)` builds the state and
// `update(grads, state, params)` returns `[updates, newState]`, both pure, so a whole training step
// (forward, JVP, backward, update) can be one jitted call. Updates are added with `applyUpdates`.
// The learning rate may be a number or a schedule of the step count (a float32 scalar tensor).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** A learning-rate schedule: the count of updates done so far (float32 scalar, ≥ 1 inside update) → rate. */
export type Schedule = (count: Tensor) => Tensor;

/** A learning rate: a constant or a schedule. */
export type LearningRate = number | Schedule;

/** The state of Adam-family optimizers: update count and the first and second moment estimates. */
export interface MomentState<P> {
  /** Updates applied so far (float32 scalar). */
  readonly count: Tensor;
  /** First moment m (like the params). */
  readonly mu: P;
  /** Second moment v (like the params). */
  readonly nu: P;
}

/** An optimizer: pure init and update over a parameter pytree. */
export interface Optimizer {
  /** The initial state for `params` (moments zero, count 0). */
  init<P>(params: P): MomentState<P>;
  /** The additive updates for `grads` and the next state. */
  update<P>(grads: P, state: MomentState<P>, params: P): [P, MomentState<P>];
}

/** params + updates, leaf by leaf. */
export function applyUpdates<P>(params: P, updates: P): P {
  return c.treeMapN([params, updates], (p: Tensor, u: Tensor) => c.add(p, u), "applyUpdates") as P;
}

/** The rate at `count` as a float32 scalar tensor. */
export function rateAt(lr: LearningRate, count: Tensor): Tensor {
  return typeof lr === "number" ? c.full([], lr) : lr(count);
}

/** A scalar tensor cast to a leaf's dtype (moments of float64 params stay float64). */
export function like(x: Tensor, leaf: Tensor): Tensor {
  return x.dtype === leaf.dtype ? x : c.astype(x, leaf.dtype);
}

/** Zero moments and a zero count. */
export function initMoments<P>(params: P): MomentState<P> {
  const zeros = () => c.treeMap(params, (p: Tensor) => c.zerosLike(p));
  return { count: c.zeros([]), mu: zeros(), nu: zeros() };
}

/** Decays every leaf with at least two axes (weights, not biases, gains or frozen frequencies). */
export function decayMatrices(leaf: Tensor): boolean {
  return leaf.ndim >= 2;
}
