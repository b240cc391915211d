// What every architecture exposes to the losses and samplers: a `Network` bundles a config with
// `init(key)` → { net: θ, logvar: φ } and is a core `Model` of those parameters — `apply(params, u, t,
// options)` = F_θ(u, c_noise(t)) with u = x_t/σ_d, c_noise(t) = t and optional conditioning (core's
// `NetworkOptions`: class labels, guidance scale, dropout key), plus the adaptive-weighting head w_φ(t)
// (docs/guide/trigflow-scm.md, adaptive weighting). The preconditioning (c_skip, c_out, c_in) stays
// outside, in the losses, as in EDM2.
import type { Model, NetworkOptions, Tensor } from "@scm-ts/core";
import type { LogvarParams } from "./logvar-head.js";

/** @deprecated The per-call options are core's `NetworkOptions`: import that from @scm-ts/core. */
export type ApplyOptions = NetworkOptions;

/** The parameters of a network: the backbone θ and the logvar head φ, one pytree for grad. */
export interface ModelParams<P> {
  /** Backbone parameters θ. */
  readonly net: P;
  /** Logvar head parameters φ. */
  readonly logvar: LogvarParams;
}

/** An architecture with its config: a core `Model` of `ModelParams<P>` whose logvar head always exists. */
export interface Network<C, P> extends Model<ModelParams<P>> {
  /** Architecture name ("mlp", "unet", "dit"). */
  readonly name: string;
  /** The (validated) configuration. */
  readonly config: C;
  /** Shape of one input sample (without the batch axis). */
  readonly sampleShape: readonly number[];
  /** Draws θ and φ from `key` (same key, same parameters). */
  init(key: Tensor): ModelParams<P>;
  /**
   * F_θ(u, c_noise(t)): u [B, ...sampleShape], t [B] → [B, ...sampleShape]. A guidance-conditioned
   * network (config `guidanceEmbedding: true`) requires `options.guidance`; give the JVP pass and the
   * gradient pass the same `options.dropoutKey`.
   */
  apply(params: ModelParams<P>, u: Tensor, t: Tensor, options?: NetworkOptions): Tensor;
  /** w_φ(t): t [B] → [B]. */
  logvar(params: ModelParams<P>, t: Tensor): Tensor;
}
