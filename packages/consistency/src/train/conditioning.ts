// What a training step conditions the network on besides (x_t, t), all drawn from the step's key:
// class labels with label dropout for classifier-free guidance (a dropped label is the null label, a
// zero one-hot row), the dropout key of the student's sub-network, and — for sCD from a guided
// class-conditional teacher (the paper's sCD with classifier-free guidance) — a guidance scale w per example, with
// the teacher's velocity F_u + w·(F_c − F_u) (the paper's convention: w = 1 is the conditional
// teacher, no guidance; rCM's F_c + w·(F_c − F_u) would put w = 1 at twice the guidance).
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { classEmbedding } from "@scm-ts/nn";
import { timeColumn } from "../time.js";

/** Class conditioning of an objective: labels are int class ids [B] passed with each batch. */
export interface ClassConditioning {
  /** K: ids lie in [0, K); any other id (use −1) is the null label, an unconditional example. */
  readonly numClasses: number;
  /** Label dropout: each label becomes the null label with this probability (default 0.1, as in classifier-free guidance training), so the model also learns F_u for CFG. */
  readonly pUncond?: number;
}

/** Guidance distillation (sCD from a class-conditional teacher): the range of the per-example scale w. */
export interface GuidanceConditioning {
  /** w ~ U[min, max] per example (the paper: [1, 2]); [w, w] fixes it. The student receives w as `guidance`. */
  readonly scales: readonly [number, number];
}

/** The keys of one objective call, all from the step key. */
export interface ObjectiveKeys {
  /** Draws the noise z. */
  readonly noise: Tensor;
  /** Draws the times t (or the grid pairs of cm-discrete). */
  readonly time: Tensor;
  /** The student's dropout key: one key for every network call of the step (see makeObjective). */
  readonly dropout: Tensor;
  /** Draws the label-dropout mask. */
  readonly labels: Tensor;
  /** Draws the guidance scales w. */
  readonly guidance: Tensor;
}

/**
 * Splits the step key. noise and time are `split(key, 2)`, as before conditioning existed, so runs
 * without labels reproduce their earlier draws bit for bit; the other three come from the third key of
 * `split(key, 3)`, whose counters are disjoint from those of `split(key, 2)`.
 */
export function objectiveKeys(key: Tensor): ObjectiveKeys {
  const [noise, time] = c.random.split(key, 2);
  const [dropout, labels, guidance] = c.random.split(c.random.split(key, 3)[2]!, 3);
  return { noise: noise!, time: time!, dropout: dropout!, labels: labels!, guidance: guidance! };
}

/** Checks a class conditioning (and returns p_uncond). */
export function checkClasses(where: string, classes: ClassConditioning): number {
  if (!Number.isInteger(classes.numClasses) || classes.numClasses < 1) throw new Error(`${where}: classes.numClasses must be a positive integer, got ${classes.numClasses}`);
  const p = classes.pUncond ?? 0.1;
  if (!(p >= 0 && p < 1)) throw new Error(`${where}: classes.pUncond must lie in [0, 1), got ${p}`);
  return p;
}

/** Checks a guidance range (finite, min ≤ max). */
export function checkGuidance(where: string, g: GuidanceConditioning): void {
  const [lo, hi] = g.scales;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) throw new Error(`${where}: guidance.scales must be finite [min, max] with min ≤ max, got [${lo}, ${hi}]`);
}

/**
 * One-hot rows [B, K] of int class ids [B] in `dtype`, each replaced by the null label (a zero row)
 * with probability pUncond; ids outside [0, K) (e.g. −1) are null already.
 */
export function classLabelRows(key: Tensor, labels: Tensor, batch: number, classes: ClassConditioning, dtype: c.DType): Tensor {
  if (labels.ndim !== 1 || labels.shape[0] !== batch) {
    throw new Error(`objective: labels must be int class ids [${batch}] (−1 = null label), got shape [${labels.shape.join(",")}]; for one-hot rows take their argmax`);
  }
  const rows = classEmbedding.oneHot(labels, classes.numClasses, dtype === "float64" ? "float64" : "float32"); // [B, K]
  const p = classes.pUncond ?? 0.1;
  return p > 0 ? classEmbedding.dropLabels(key, rows, p) : rows;
}

/** w ~ U[min, max], [B]. */
export function sampleGuidanceScales(key: Tensor, batch: number, g: GuidanceConditioning, dtype: c.DType): Tensor {
  const [lo, hi] = g.scales;
  return c.random.uniform(key, [batch], { minval: lo, maxval: hi, dtype: dtype === "float64" ? "float64" : "float32" });
}

// F_w = F_u + w·(F_c − F_u), with F_c and F_u from one call on the doubled batch [u; u], [c; null].
/**
 * The classifier-free-guided teacher at per-example scales w [B] (or one number) for one-hot rows
 * [B, K]; the teacher is called once on the batch stacked with itself, the second half with null labels.
 */
export function guidedTeacher(teacher: RawNetwork, classLabels: Tensor, w: Tensor | number): RawNetwork {
  return (u, t) => {
    const B = u.shape[0]!;
    const both = teacher(c.concat([u, u], 0), c.concat([t, t], 0), { classLabels: c.concat([classLabels, c.zerosLike(classLabels)], 0) });
    const Fc = c.slice(both, [0, ...u.shape.slice(1).map(() => 0)], [B, ...u.shape.slice(1)]);
    const Fu = c.slice(both, [B, ...u.shape.slice(1).map(() => 0)], [2 * B, ...u.shape.slice(1)]);
    const scale = typeof w === "number" ? w : timeColumn(w, u.ndim);
    return c.add(Fu, c.mul(scale, c.sub(Fc, Fu)));
  };
}
