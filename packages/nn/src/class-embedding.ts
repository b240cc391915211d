// Class conditioning: labels become one-hot rows (the engine has no gather, and EDM2 feeds one-hot
// vectors to a linear map too) multiplied by an embedding table, [B, K]·[K, E] → [B, E]. A zero row
// is the "no class" input of classifier-free guidance; `dropLabels` zeroes rows with a keyed mask
// (label dropout, 10% for the ImageNet-512 teacher, docs/guide/math.md, "The paper's settings").
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositiveInt, checkRange } from "./config-check.js";
import { normal, type FloatDType } from "./initializers.js";

/** Configuration of the class embedding. */
export interface ClassEmbeddingConfig {
  /** Number of classes K. */
  readonly numClasses: number;
  /** Embedding width E. */
  readonly dim: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** The embedding table. */
export interface ClassEmbeddingParams {
  /** Row k embeds class k; entries start as N(0, 1) draws. */
  readonly table: Tensor; // [K, E]
}

/** Draws the table with unit-variance entries. */
export function init(key: Tensor, config: ClassEmbeddingConfig): ClassEmbeddingParams {
  checkPositiveInt("classEmbedding.init", "numClasses", config.numClasses);
  checkPositiveInt("classEmbedding.init", "dim", config.dim);
  return { table: normal(key, [config.numClasses, config.dim], 1, config.dtype ?? "float32") };
}

/** One-hot rows of int32 labels [B] (values in [0, K)) as `dtype`. */
export function oneHot(labels: Tensor, numClasses: number, dtype: FloatDType = "float32"): Tensor {
  if (labels.ndim !== 1) throw new Error(`oneHot: labels must be [B], got [${labels.shape.join(",")}]`);
  const ids = c.reshape(c.astype(labels, "int32"), [-1, 1]); // [B, 1]
  return c.astype(c.equal(ids, c.arange(numClasses, undefined, 1, { dtype: "int32" })), dtype); // [B, K]
}

/** Zeroes each one-hot row with probability `rate` (keyed, for classifier-free guidance). */
export function dropLabels(key: Tensor, onehot: Tensor, rate: number): Tensor {
  checkRange("dropLabels", "rate", rate, 0, 1, true);
  if (rate === 0) return onehot;
  const keep = c.astype(c.greaterEqual(c.random.uniform(key, [onehot.shape[0]!, 1], { dtype: onehot.dtype === "float64" ? "float64" : "float32" }), rate), onehot.dtype);
  return c.mul(onehot, keep); // [B, K]
}

/** Embeds one-hot (or soft) class rows [B, K] → [B, E]. */
export function apply(params: ClassEmbeddingParams, onehot: Tensor): Tensor {
  if (onehot.ndim !== 2 || onehot.shape[1] !== params.table.shape[0]) {
    throw new Error(`classEmbedding.apply: labels [${onehot.shape.join(",")}] must be one-hot rows [B, ${params.table.shape[0]}]; convert int labels with oneHot()`);
  }
  return c.matmul(onehot, params.table); // [B, E]
}
