// Test data with exact ground truth: draws from Gaussians (and their mixtures) through the trigflow
// oracles, whose means and covariances are known in closed form, seeded by the counter-based RNG.
import type { Covariance, MixtureComponent } from "@scm-ts/core";
import { counterRandom, gaussianMixtureOracle, gaussianOracle } from "@scm-ts/trigflow";
import type { HostSamples } from "./samples.js";

/** n draws from N(mean, covariance) as a host matrix [n, d]. */
export function drawGaussian(mean: readonly number[], covariance: Covariance, n: number, seed: number): HostSamples {
  const oracle = gaussianOracle({ mean, covariance });
  const random = counterRandom(seed);
  const d = mean.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) data.set(oracle.sample(random), i * d);
  return { rows: n, cols: d, data };
}

/** n draws from a Gaussian mixture as a host matrix [n, d]. */
export function drawMixture(components: readonly MixtureComponent[], n: number, seed: number): HostSamples {
  const oracle = gaussianMixtureOracle({ components });
  const random = counterRandom(seed);
  const d = oracle.dimension;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) data.set(oracle.sample(random), i * d);
  return { rows: n, cols: d, data };
}
