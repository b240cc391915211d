// The sampling prior of TrigFlow: at t = π/2 (and, to within cos t_max = 0.00625, at t_max) the state is pure
// noise z ~ N(0, σ_d² I) (docs/guide/math.md, "Multistep consistency sampling"). Every sampler of this package
// starts from `samplePrior`, or from noise the caller passes in, which must have the requested shape and dtype.
import { mul, random, tidy, type Tensor } from "@scm-ts/core";
import { checkSigmaData } from "./raw-network.js";

/** Options shared by the samplers for their starting noise. */
export interface PriorOptions {
  /** The key all randomness of the sampler derives from. */
  readonly key: Tensor;
  /** The shape of the batch of samples, [B, ...] (e.g. [B, 2] or [B, C, H, W]). */
  readonly shape: readonly number[];
  /** σ_d (default 0.5, the paper's). */
  readonly sigmaData?: number;
  /** The dtype of the samples (default float32; float64 for oracle tests on the CPU backend). */
  readonly dtype?: "float32" | "float64";
  /** The starting noise z (shape `shape`), instead of drawing it from the key (e.g. to reuse one z across checkpoints). */
  readonly noise?: Tensor;
}

/** z = σ_d·ε, ε ~ N(0, I) of `shape`, from `key`. */
export function samplePrior(key: Tensor, shape: readonly number[], sigmaData = 0.5, dtype: "float32" | "float64" = "float32"): Tensor {
  checkSigmaData("samplePrior", sigmaData);
  return tidy(() => mul(random.normal(key, shape, { dtype }), sigmaData));
}

/** The starting noise of a sampler: `options.noise` (checked against shape and dtype) or `samplePrior(key, …)`. */
export function startingNoise(context: string, key: Tensor, options: PriorOptions): Tensor {
  const sigmaData = options.sigmaData ?? 0.5;
  checkSigmaData(context, sigmaData);
  const { shape } = options;
  if (shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`${context}: shape [${shape.join(", ")}] must be a batch shape [B, ...] of positive integers`);
  }
  const dtype = options.dtype ?? "float32";
  const { noise } = options;
  if (noise === undefined) return samplePrior(key, shape, sigmaData, dtype);
  if (noise.shape.length !== shape.length || noise.shape.some((n, i) => n !== shape[i]) || noise.dtype !== dtype) {
    throw new RangeError(`${context}: noise is ${noise.dtype} [${noise.shape.join(", ")}] but the requested samples are ${dtype} [${shape.join(", ")}]`);
  }
  return noise;
}
