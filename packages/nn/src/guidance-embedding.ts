// Embedding of the classifier-free guidance scale w for guidance-conditioned (distilled) students, as
// SANA-Sprint's cfg embedding (docs/guide/math.md, "Guidance-conditioned students"): w·inputScale goes through
// the positional embedding and a two-layer MLP whose last layer starts at zero, so adding it to the time
// embedding leaves a network initialised from an unguided teacher unchanged.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositiveInt } from "./config-check.js";
import type { FloatDType } from "./initializers.js";
import * as linear from "./linear.js";
import { positionalEmbedding, checkConfig } from "./positional-embedding.js";

/** Configuration of the guidance-scale embedding. */
export interface GuidanceEmbeddingConfig {
  /** Width of the positional features (even). */
  readonly featureDim: number;
  /** Output width (the time-embedding width it is added to). */
  readonly dim: number;
  /** Multiplier of w before embedding (default 0.1, SANA-Sprint's value). */
  readonly inputScale?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** The MLP of the guidance embedding. */
export interface GuidanceEmbeddingParams {
  /** First layer (features → dim). */
  readonly fc1: linear.LinearParams;
  /** Last layer (dim → dim), zero at init. */
  readonly fc2: linear.LinearParams;
}

/** Draws the MLP; its last layer is zero. */
export function init(key: Tensor, config: GuidanceEmbeddingConfig): GuidanceEmbeddingParams {
  checkConfig({ dim: config.featureDim });
  checkPositiveInt("guidanceEmbedding.init", "dim", config.dim);
  const [k1, k2] = c.random.split(key);
  const dtype = config.dtype ?? "float32";
  return {
    fc1: linear.init(k1!, { inFeatures: config.featureDim, outFeatures: config.dim, dtype }),
    fc2: linear.init(k2!, { inFeatures: config.dim, outFeatures: config.dim, initScale: 0, dtype }),
  };
}

// emb(w) = W₂·silu(W₁·pos(s·w) + b₁) + b₂
/** Embeds guidance scales w [B] → [B, dim]. */
export function apply(params: GuidanceEmbeddingParams, w: Tensor, config: Pick<GuidanceEmbeddingConfig, "featureDim" | "inputScale">): Tensor {
  const feats = positionalEmbedding(w, { dim: config.featureDim, scale: config.inputScale ?? 0.1 }); // [B, F]
  return linear.apply(params.fc2, c.silu(linear.apply(params.fc1, feats))); // [B, dim]
}
