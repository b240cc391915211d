// What every architecture exposes to the losses and samplers: a `Network` bundles a config with
// `init(key)` → { net: θ, logvar: φ } and `apply(params, u, t, options)` = F_θ(u, c_noise(t)) with
// u = x_t/σ_d, c_noise(t) = t and optional conditioning (class labels, guidance scale, dropout key),
// plus the separate adaptive-weighting head w_φ(t) (docs/guide/trigflow-scm.md, adaptive weighting). The preconditioning (c_skip,
// c_out, c_in) stays outside, in the losses, as in EDM2.
import type { Tensor } from "@scm-ts/core";
import type { LogvarParams } from "./logvar-head.js";

/** Per-call inputs besides u and t. */
export interface ApplyOptions {
  /** One-hot class rows [B, K] for class-conditional models (a zero row = unconditional). */
  readonly classLabels?: Tensor;
  /** Dropout key; omit for no dropout. Give the JVP pass and the gradient pass the same key. */
  readonly dropoutKey?: Tensor | null;
  /**
   * Guidance scales w [B] for guidance-conditioned students (config `guidanceEmbedding: true`; required
   * there, ignored otherwise): the w of the teacher's F_u + w·(F_c − F_u) the student was distilled at.
   */
  readonly guidance?: Tensor;
}

/** The parameters of a network: the backbone θ and the logvar head φ, one pytree for grad. */
export interface ModelParams<P> {
  /** Backbone parameters θ. */
  readonly net: P;
  /** Logvar head parameters φ. */
  readonly logvar: LogvarParams;
}

/** An architecture with its config. */
export interface Network<C, P> {
  /** Architecture name ("mlp", "unet", "dit"). */
  readonly name: string;
  /** The (validated) configuration. */
  readonly config: C;
  /** Shape of one input sample (without the batch axis). */
  readonly sampleShape: readonly number[];
  /** Draws θ and φ from `key` (same key, same parameters). */
  init(key: Tensor): ModelParams<P>;
  /** F_θ(u, c_noise(t)): u [B, ...sampleShape], t [B] → [B, ...sampleShape]. */
  apply(params: ModelParams<P>, u: Tensor, t: Tensor, options?: ApplyOptions): Tensor;
  /** w_φ(t): t [B] → [B]. */
  logvar(params: ModelParams<P>, t: Tensor): Tensor;
}
