// Training times as tensors, drawn inside the jitted step from a key: the log-normal proposal t =
// arctan(e^τ/σ_d), τ ~ N(P_mean, P_std²) (docs/guide/trigflow-scm.md, "Training times"), and, for the
// discrete-time CM, pairs (t_{i+1}, t_i) of a grid drawn from the same proposal split over the grid
// (docs/guide/math.md, "Discrete-time consistency models").
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { discreteTimeDistribution, edmTimeGrid, floatingTensor, logNormalTime, type LogNormalParameters } from "@scm-ts/trigflow";

/** t [B] from the log-normal proposal. */
export function sampleLogNormalTime(key: Tensor, batch: number, p: LogNormalParameters, sigmaData: number): Tensor {
  return logNormalTime(floatingTensor, c.random.normal(key, [batch]), p.pMean, p.pStd, sigmaData);
}

/** A sampler of (t, t′) pairs on an EDM grid with N intervals. */
export function discretePairSampler(intervals: number, p: LogNormalParameters, sigmaData: number): (key: Tensor, batch: number) => {
  /** The later grid time t_{i+1} per sample, [B]. */
  t: Tensor;
  /** The adjacent earlier grid time t′ = t_i < t, [B]. */
  tPrev: Tensor;
} {
  const dist = discreteTimeDistribution(edmTimeGrid(intervals, { sigmaData }), p, sigmaData);
  const n = dist.probabilities.length;
  let run = 0;
  const cumulative = Array.from(dist.probabilities.slice(0, n - 1), (q) => (run += q));
  const upper = Array.from(dist.grid.slice(1)), lower = Array.from(dist.grid.slice(0, n));
  return (key, batch) => {
    // index = #{i : u ≥ cumulative_i}, then t = grid[index + 1], t′ = grid[index] through a one-hot
    const u = c.reshape(c.random.uniform(key, [batch]), [batch, 1]);
    const idx = n > 1 ? c.sum(c.astype(c.greaterEqual(u, c.array(cumulative)), "float32"), 1, true) : c.zeros([batch, 1]);
    const onehot = c.astype(c.equal(idx, c.arange(n)), "float32");
    return { t: c.sum(c.mul(onehot, c.array(upper)), 1), tPrev: c.sum(c.mul(onehot, c.array(lower)), 1) };
  };
}
