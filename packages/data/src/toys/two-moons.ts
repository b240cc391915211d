// Two interleaving half-circles (scikit-learn's `make_moons`, with a uniformly random angle instead of a
// grid): the upper moon (cos θ, sin θ) and the lower moon (1 − cos θ, ½ − sin θ), θ ~ U[0, π), each with
// probability ½, plus isotropic Gaussian noise; then centred at the exact mean (½, ¼) and scaled. The exact
// canonical moments: Var x = ¾, Var y = 9/16 − 1/π, Cov(x, y) = 1/8 − 1/π, plus noise² on the diagonal.
// Its density is ½·Σ_moon ∫ N(y; moon(θ), noise² I) dθ/π in canonical coordinates y = x/scale + (½, ¼), by
// quadrature (`curveDensity`); the two moons are its modes.
import { add, array, astype, concat, cos, less, mul, random, sin, slice, sub, tidy, type Tensor } from "@scm-ts/core";
import { curveDensity, curveSigma } from "./curve-density.js";
import type { ToyDensity } from "./density.js";
import { checkNoise, checkSampleCount, resolveScale, type Toy, type ToySampleOptions, type ToyScaleOptions } from "./toy.js";

/** Options of `twoMoons`. */
export interface TwoMoonsOptions extends ToyScaleOptions {
  /** The std of the Gaussian noise added before scaling (default 0.05, in units of the moon radius). */
  readonly noise?: number;
}

/** The exact mean of the canonical (unscaled, uncentred) moons. */
export const twoMoonsCanonicalMean: readonly [number, number] = [0.5, 0.25];

function canonicalCovariance(noise: number): Float64Array {
  const noise2 = noise * noise;
  return Float64Array.of(0.75 + noise2, 1 / 8 - 1 / Math.PI, 1 / 8 - 1 / Math.PI, 9 / 16 - 1 / Math.PI + noise2);
}

/**
 * The density of `twoMoons(options)`: modes "upper moon" and "lower moon"; near = within 3σ of the moon's curve
 * (canonical units; σ = noise, or `curveSmoothingStd` for noise 0, whose density is smoothed).
 */
export function twoMoonsDensity(options: TwoMoonsOptions = {}): ToyDensity {
  const noise = checkNoise("twoMoons", options.noise ?? 0.05);
  const s = resolveScale("twoMoons", options, canonicalCovariance(noise), 2);
  const { sigma, how } = curveSigma(noise);
  const moon = (label: string, curve: (t: number) => readonly [number, number]) => ({ label, weight: 0.5, curve, speed: Math.PI });
  return curveDensity({
    context: "twoMoons.density",
    modes: [
      moon("upper moon", (t) => [Math.cos(Math.PI * t), Math.sin(Math.PI * t)]),
      moon("lower moon", (t) => [1 - Math.cos(Math.PI * t), 0.5 - Math.sin(Math.PI * t)]),
    ],
    sigma,
    scale: s,
    centre: twoMoonsCanonicalMean,
    description: `two moons: ${how}, a midpoint rule over θ with spacing ≤ σ/8 per moon; near = within 3σ of the moon's curve`,
  });
}

/** The two-moons toy in R²: centred, and scaled so σ_d is right unless `scale` is given. */
export function twoMoons(options: TwoMoonsOptions = {}): Toy {
  const noise = checkNoise("twoMoons", options.noise ?? 0.05);
  const covariance = canonicalCovariance(noise);
  const s = resolveScale("twoMoons", options, covariance, 2);
  return {
    name: `two moons (noise ${noise}, scale ${s.toPrecision(4)})`,
    dimension: 2,
    sample(key: Tensor, n: number, sampleOptions: ToySampleOptions = {}): Tensor {
      checkSampleCount("twoMoons.sample", n);
      return tidy(() => {
        const dtype = sampleOptions.dtype ?? "float32";
        const [uniformKey, noiseKey] = random.split(key, 2) as [Tensor, Tensor];
        const u = random.uniform(uniformKey, [n, 2], { dtype });
        const theta = mul(slice(u, [0, 0], [n, 1]), Math.PI); // [n, 1]
        const lower = astype(less(slice(u, [0, 1], [n, 2]), 0.5), dtype); // 1 on the lower moon
        const c = cos(theta);
        const sn = sin(theta);
        // upper (c, s); lower (1 − c, ½ − s) = upper + b·(1 − 2c, ½ − 2s)
        const x = add(c, mul(lower, sub(1, mul(c, 2))));
        const y = add(sn, mul(lower, sub(0.5, mul(sn, 2))));
        const centred = sub(concat([x, y], 1), array([...twoMoonsCanonicalMean], [1, 2], { dtype })); // [n, 2]
        const noisy = noise > 0 ? add(centred, mul(random.normal(noiseKey, [n, 2], { dtype }), noise)) : centred;
        return mul(noisy, s);
      });
    },
    mean: () => new Float64Array(2),
    covariance: () => covariance.map((v) => v * s * s),
    density: () => twoMoonsDensity(options),
  };
}
