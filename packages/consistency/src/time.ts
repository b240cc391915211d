// Per-sample times against data of any rank: the losses take t as [B] (what networks receive as
// c_noise(t) = t) and broadcast it as [B, 1, …, 1] against data [B, …D].
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

/** t [B] reshaped to [B, 1, …, 1] so it broadcasts against data of rank `rank`. */
export function timeColumn(t: Tensor, rank: number): Tensor {
  if (t.ndim !== 1) throw new Error(`time must be a vector [B] of per-sample times, got shape [${t.shape.join(",")}]`);
  return c.reshape(t, [t.shape[0]!, ...new Array<number>(rank - 1).fill(1)]);
}

/** Checks that a batch of data and its times agree. */
export function checkBatch(where: string, x: Tensor, t: Tensor): void {
  if (x.ndim < 2) throw new Error(`${where}: data must be [B, …D], got shape [${x.shape.join(",")}]`);
  if (t.ndim !== 1 || t.shape[0] !== x.shape[0]) throw new Error(`${where}: times must be [${x.shape[0]}] for data [${x.shape.join(",")}], got [${t.shape.join(",")}]`);
}

/** Mean over all axes but the batch axis: [B, …D] → [B]. */
export function meanPerSample(x: Tensor): Tensor {
  return c.mean(x, Array.from({ length: x.ndim - 1 }, (_, i) => i + 1));
}

/** Sum over all axes but the batch axis, keeping them: [B, …D] → [B, 1, …, 1]. */
export function sumPerSampleKeep(x: Tensor): Tensor {
  return c.sum(x, Array.from({ length: x.ndim - 1 }, (_, i) => i + 1), true);
}
