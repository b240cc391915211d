// Gradient clipping by global norm (Pascanu et al. 2013; Optax's clip_by_global_norm): when
// ‖g‖ = sqrt(Σ_leaves Σ g²) exceeds `maxNorm`, every leaf is scaled by maxNorm/‖g‖, keeping the
// direction. The norm is returned too, so a training loop can log it and skip non-finite steps.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositive } from "./config-check.js";

/** ‖g‖ over all leaves, as a scalar of the first leaf's dtype. */
export function globalNorm(tree: unknown): Tensor {
  const leaves = c.treeLeaves<Tensor>(tree);
  if (leaves.length === 0) return c.zeros([]);
  const dtype = leaves[0]!.dtype;
  const total = leaves.map((g) => c.sum(c.square(c.astype(g, dtype)))).reduce((a, b) => c.add(a, b));
  return c.sqrt(total);
}

// g ← g · min(1, maxNorm/‖g‖)
/** The clipped gradients and the global norm before clipping. */
export function clipByGlobalNorm<P>(grads: P, maxNorm: number): [P, Tensor] {
  checkPositive("clipByGlobalNorm", "maxNorm", maxNorm);
  const norm = globalNorm(grads);
  const factor = c.where(c.greater(norm, maxNorm), c.div(maxNorm, c.maximum(norm, 1e-30)), 1);
  return [c.treeMap(grads, (g: Tensor) => c.mul(g, c.astype(factor, g.dtype))), norm];
}
