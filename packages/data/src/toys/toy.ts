// The contract of a synthetic data distribution ("toy"): draws as an engine tensor that is a pure
// function of an explicit PRNG key — built from `random.uniform`/`random.normal` and elementwise ops only,
// so it runs on any backend and can be traced inside a jitted training step — together with its exact
// mean and covariance, which tests and metrics compare samples against. Also the scale that makes a toy's
// per-coordinate standard deviation equal σ_d (paper: σ_d = 0.5), and materialising draws as a dataset.
// Every toy also knows its density (`ToyDensity`: log p, modes, "within 3σ"), for metrics that see modes.
import type { Tensor } from "@scm-ts/core";
import { arrayDataset, type ArrayDataset } from "../array-dataset.js";
import type { ToyDensity } from "./density.js";

/** Options of `Toy.sample`. */
export interface ToySampleOptions {
  /** The dtype of the draws (default float32; float64 for oracle comparisons on the CPU backend). */
  readonly dtype?: "float32" | "float64";
}

/** A synthetic distribution in R^d with exact moments and key-driven sampling. */
export interface Toy {
  /** A short description with its parameters, for logs. */
  readonly name: string;
  /** The dimension d of one example. */
  readonly dimension: number;
  /** `n` independent draws as an [n, d] tensor, determined by `key` alone. */
  sample(key: Tensor, n: number, options?: ToySampleOptions): Tensor;
  /** The exact mean (length d). */
  mean(): Float64Array;
  /** The exact covariance, row-major d × d. */
  covariance(): Float64Array;
  /** Its density on the host in float64 (exact, by quadrature, or smoothed: its `description` says which). */
  density(): ToyDensity;
}

/** Options shared by the curve-shaped toys (moons, checkerboard, spirals). */
export interface ToyScaleOptions {
  /** A factor applied after centring; default: the one that makes the RMS per-coordinate std equal `sigmaData`. */
  readonly scale?: number;
  /** σ_d the default scale aims at (default 0.5, the paper's). */
  readonly sigmaData?: number;
}

/** Throws unless n is a positive integer (the number of draws). */
export function checkSampleCount(context: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${context}: the number of draws must be a positive integer, got ${n}`);
}

/** The factor s for which s²·trace(Σ)/d = σ_d², i.e. scaled draws have RMS per-coordinate std σ_d. */
export function sigmaDataScale(covariance: ArrayLike<number>, dimension: number, sigmaData = 0.5): number {
  if (!(sigmaData > 0 && Number.isFinite(sigmaData))) throw new RangeError(`sigmaDataScale: sigmaData must be positive and finite, got ${sigmaData}`);
  let trace = 0;
  for (let i = 0; i < dimension; i++) trace += covariance[i * dimension + i]!;
  return sigmaData / Math.sqrt(trace / dimension);
}

/** Resolves the `scale` option of a curve toy whose canonical covariance is `covariance`. */
export function resolveScale(context: string, options: ToyScaleOptions, covariance: ArrayLike<number>, dimension: number): number {
  if (options.scale === undefined) return sigmaDataScale(covariance, dimension, options.sigmaData ?? 0.5);
  if (!(options.scale > 0 && Number.isFinite(options.scale))) throw new RangeError(`${context}: scale must be positive and finite, got ${options.scale}`);
  return options.scale;
}

/** Validates a non-negative, finite noise level. */
export function checkNoise(context: string, noise: number): number {
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`${context}: noise must be a finite number ≥ 0, got ${noise}`);
  return noise;
}

/** `n` draws of `toy` from `key`, read back into an in-memory dataset of shape [n, d]. */
export async function sampleDataset(toy: Toy, key: Tensor, n: number): Promise<ArrayDataset> {
  checkSampleCount("sampleDataset", n);
  const values = Float32Array.from(await toy.sample(key, n).data());
  return arrayDataset(values, [n, toy.dimension]);
}
