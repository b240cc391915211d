// The MLP of @scm-ts/models with a choice of time embedding, for the Fourier-16 vs positional ablation (paper
// Fig. 4/5; docs/guide/math.md, "Time conditioning"): the same residual blocks with adaptive double
// normalisation, fed either the positional embedding of c_noise(t) = t (sCM's choice) or EDM's random Fourier
// features with scale 16, whose derivative 2π·16·ω·cos(·) is large and oscillatory. The models package's MLP
// has no embedding switch, so this experiment-local copy keeps both arms identical but for that.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { initLogvar, applyLogvar, type ModelParams, type Network } from "@scm-ts/models";
import { adaptiveDoubleNorm, fourierEmbedding, layerNorm, linear, positionalEmbedding } from "@scm-ts/nn";

/** Which time embedding feeds the conditioning MLP. */
export type TimeEmbedding = "positional" | "fourier16";

/** Configuration: width, blocks and the embedding. */
export interface TimeEmbeddingMlpConfig {
  readonly width: number;
  readonly depth: number;
  readonly embedding: TimeEmbedding;
  /** Time features (even; default 64). */
  readonly timeFeatures?: number;
}

interface Block {
  readonly adn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  readonly fc0: linear.LinearParams;
  readonly fc1: linear.LinearParams;
}

/** Parameters θ (the Fourier frequencies are frozen: the embedding stops their gradient). */
export interface TimeEmbeddingMlpParams {
  readonly fourier?: fourierEmbedding.FourierEmbeddingParams;
  readonly mapNoise0: linear.LinearParams;
  readonly mapNoise1: linear.LinearParams;
  readonly fcIn: linear.LinearParams;
  readonly blocks: readonly Block[];
  readonly outAdn: adaptiveDoubleNorm.AdaptiveDoubleNormParams;
  readonly fcOut: linear.LinearParams;
}

/** The 2-D MLP with the chosen time embedding, as a models `Network`. */
export function timeEmbeddingMlp(config: TimeEmbeddingMlpConfig): Network<TimeEmbeddingMlpConfig, TimeEmbeddingMlpParams> {
  const w = config.width, features = config.timeFeatures ?? 64;
  if (config.embedding !== "positional" && config.embedding !== "fourier16") throw new Error(`timeEmbeddingMlp: embedding must be "positional" or "fourier16", got ${String(config.embedding)}`);
  const embed = (p: TimeEmbeddingMlpParams, t: Tensor): Tensor => (p.fourier ? fourierEmbedding.apply(p.fourier, t) : positionalEmbedding(t, { dim: features }));
  return {
    name: `mlp-${config.embedding}`,
    config,
    sampleShape: [2],
    init(key: Tensor): ModelParams<TimeEmbeddingMlpParams> {
      const k = c.random.split(key, 8 + config.depth);
      const adn = (kk: Tensor) => adaptiveDoubleNorm.init(kk, { embDim: w, channels: w });
      const net: TimeEmbeddingMlpParams = {
        ...(config.embedding === "fourier16" ? { fourier: fourierEmbedding.init(k[6]!, { dim: features, scale: 16 }) } : {}),
        mapNoise0: linear.init(k[0]!, { inFeatures: features, outFeatures: w }),
        mapNoise1: linear.init(k[1]!, { inFeatures: w, outFeatures: w }),
        fcIn: linear.init(k[2]!, { inFeatures: 2, outFeatures: w }),
        blocks: Array.from({ length: config.depth }, (_, i) => {
          const kb = c.random.split(k[8 + i]!, 3);
          return { adn: adn(kb[0]!), fc0: linear.init(kb[1]!, { inFeatures: w, outFeatures: w }), fc1: linear.init(kb[2]!, { inFeatures: w, outFeatures: w, initScale: 0 }) };
        }),
        outAdn: adn(k[3]!),
        fcOut: linear.init(k[4]!, { inFeatures: w, outFeatures: 2, initScale: 0 }),
      };
      return { net, logvar: initLogvar(k[5]!) };
    },
    apply(params, u, t) {
      const p = params.net;
      const emb = c.silu(linear.apply(p.mapNoise1, c.silu(linear.apply(p.mapNoise0, embed(p, t))))); // [B, W]
      let h = linear.apply(p.fcIn, u); // [B, W]
      for (const b of p.blocks) h = c.add(h, linear.apply(b.fc1, c.silu(linear.apply(b.fc0, adaptiveDoubleNorm.apply(b.adn, layerNorm.apply({}, h), emb)))));
      return linear.apply(p.fcOut, c.silu(adaptiveDoubleNorm.apply(p.outAdn, layerNorm.apply({}, h), emb))); // [B, 2]
    },
    logvar: (params, t) => applyLogvar(params.logvar, t),
  };
}
