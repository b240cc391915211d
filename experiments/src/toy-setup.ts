// The shared 2-D setting of the toy experiments (docs/guide/math.md, "Exact oracles"): the ring of 8 Gaussians of
// @scm-ts/data (per-coordinate std σ_d = 0.5, mode std 0.08), its exact TrigFlow teacher F* as a
// tensor network (jittable, for sCD and the teacher ODE) and as a float64 oracle (for the exact flow
// map), the MLP every method trains, and the paper's hyper-parameters mapped to this scale.
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { mixtureTeacher, type TangentNormalization } from "@scm-ts/consistency";
import { ringOfGaussians, type GaussianMixture, type RingOptions } from "@scm-ts/data";
import { mlp, type ModelParams, type Network } from "@scm-ts/models";
import { gaussianMixtureOracle, type AnalyticOracle, type LogNormalParameters } from "@scm-ts/trigflow";

/** σ_d, the paper's. */
export const sigmaData = 0.5;

/** Any network of the models protocol (params opaque). */
export type AnyNetwork = Network<unknown, unknown>;
/** Parameters of such a network. */
export type AnyParams = ModelParams<unknown>;

/** The toy problem: data, exact teacher, oracle. */
export interface ToyProblem {
  readonly data: GaussianMixture;
  /** F*(u, t) of the data, on tensors (float32). */
  readonly exactTeacher: RawNetwork;
  /** The float64 oracle (exact flow map Φ_{t→0}). */
  readonly oracle: AnalyticOracle;
}

/** The ring of 8 Gaussians (or another ring, e.g. the issue-6 quality test's 6 modes of std 0.12) and its exact teacher. */
export function ringProblem(options: RingOptions = {}): ToyProblem {
  const data = ringOfGaussians(options);
  const spec = data.oracleSpec(sigmaData);
  return { data, exactTeacher: mixtureTeacher(spec.components, sigmaData), oracle: gaussianMixtureOracle(spec) };
}

/** The experiments' network: the residual MLP of @scm-ts/models, width 128, 3 blocks (the "small" preset). */
export function toyNetwork(): AnyNetwork {
  return mlp({ dataDim: 2, width: 128, depth: 3 }) as unknown as AnyNetwork;
}

/** A raw network F(u, t) from a network and its parameters. */
export function rawNetwork(net: AnyNetwork, params: AnyParams): RawNetwork {
  return (u: Tensor, t: Tensor) => net.apply(params, u, t);
}

/**
 * The paper's CM settings (math.md, "The paper's settings") at toy scale: log-normal proposal (−1.0, 1.4) (CIFAR-10),
 * tangent normalisation g/(‖g‖ + 0.1), adaptive weighting, Adam β = (0.9, 0.99), warm-up over the
 * first 10% of the iterations (the paper: 10k of 100k–400k), batch 256, and a constant learning rate
 * one tenth of the teacher's (CIFAR-10: teacher 1e−3, CM 1e−4; ImageNet: one hundredth).
 */
export const paperCm = {
  time: { pMean: -1.0, pStd: 1.4 } as LogNormalParameters,
  normalization: { kind: "l2", c: 0.1 } as TangentNormalization,
  adaptiveWeighting: true,
  warmupFraction: 0.1,
  lr: 1e-4,
  batch: 256,
  ema: 0.995,
};

/** The diffusion pre-training that initialises every CM (the paper starts CMs from the teacher's EMA). */
export const paperDiffusion = {
  time: { pMean: -1.0, pStd: 1.4 } as LogNormalParameters,
  adaptiveWeighting: true,
  lr: 1e-3,
  batch: 256,
  ema: 0.995,
};
