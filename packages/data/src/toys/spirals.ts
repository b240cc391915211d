// Interleaved Archimedean spirals: arm a ∈ {0, …, A−1} uniformly, s ~ U[0, 1), and the point
// s·(cos θ, sin θ) with θ = 2π(turns·s + a/A), plus isotropic Gaussian noise; centred at the exact mean
// (0 for A ≥ 2 by symmetry) and scaled. The exact moments are one-dimensional integrals over s, computed by
// composite Simpson quadrature (error far below 1e−10); the noise adds noise² to the diagonal. Its density
// is (1/A)·Σ_arm ∫₀¹ N(y; arm(s), noise² I) ds in canonical coordinates y = x/scale + mean, by quadrature
// (`curveDensity`); the arms are its modes.
import { add, array, astype, concat, cos, mul, random, sin, slice, sub, tidy, type Tensor } from "@scm-ts/core";
import { curveDensity, curveSigma } from "./curve-density.js";
import type { ToyDensity } from "./density.js";
import { checkNoise, checkSampleCount, resolveScale, type Toy, type ToySampleOptions, type ToyScaleOptions } from "./toy.js";

/** Options of `spirals`. */
export interface SpiralsOptions extends ToyScaleOptions {
  /** The number of arms A (default 2). */
  readonly arms?: number;
  /** Turns of each arm from the centre to radius 1 (default 1). */
  readonly turns?: number;
  /** The std of the Gaussian noise added before scaling (default 0.02, in units of the outer radius). */
  readonly noise?: number;
}

/** The spiral curve point of arm `arm` at parameter s ∈ [0, 1) (canonical, uncentred). */
export function spiralPoint(s: number, arm: number, arms: number, turns: number): [number, number] {
  const theta = 2 * Math.PI * (turns * s + arm / arms);
  return [s * Math.cos(theta), s * Math.sin(theta)];
}

// Canonical mean and covariance by Simpson's rule over s for every arm.
function canonicalMoments(arms: number, turns: number, noise: number): { mean: Float64Array; covariance: Float64Array } {
  const intervals = 4000;
  const first = new Float64Array(2);
  const second = new Float64Array(3); // E[x²], E[xy], E[y²]
  for (let k = 0; k <= intervals; k++) {
    const s = k / intervals;
    const w = (k === 0 || k === intervals ? 1 : k % 2 === 1 ? 4 : 2) / (3 * intervals * arms);
    for (let a = 0; a < arms; a++) {
      const [x, y] = spiralPoint(s, a, arms, turns);
      first[0] = first[0]! + w * x;
      first[1] = first[1]! + w * y;
      second[0] = second[0]! + w * x * x;
      second[1] = second[1]! + w * x * y;
      second[2] = second[2]! + w * y * y;
    }
  }
  const [mx, my] = [first[0]!, first[1]!];
  const cxy = second[1]! - mx * my;
  return {
    mean: first,
    covariance: Float64Array.of(second[0]! - mx * mx + noise * noise, cxy, cxy, second[2]! - my * my + noise * noise),
  };
}

// The validated options with the canonical moments and the resolved scale.
function resolve(options: SpiralsOptions) {
  const arms = options.arms ?? 2;
  const turns = options.turns ?? 1;
  if (!Number.isInteger(arms) || arms < 1) throw new RangeError(`spirals: arms must be a positive integer, got ${arms}`);
  if (!(turns > 0 && Number.isFinite(turns))) throw new RangeError(`spirals: turns must be positive and finite, got ${turns}`);
  const noise = checkNoise("spirals", options.noise ?? 0.02);
  const { mean, covariance } = canonicalMoments(arms, turns, noise);
  return { arms, turns, noise, mean, covariance, s: resolveScale("spirals", options, covariance, 2) };
}

/**
 * The density of `spirals(options)`: the arms are the modes ("arm a"); near = within 3σ of the arm (canonical
 * units; σ = noise, or `curveSmoothingStd` for noise 0, whose density is smoothed).
 */
export function spiralsDensity(options: SpiralsOptions = {}): ToyDensity {
  const { arms, turns, noise, mean, s } = resolve(options);
  const { sigma, how } = curveSigma(noise);
  return curveDensity({
    context: "spirals.density",
    modes: Array.from({ length: arms }, (_, a) => ({
      label: `arm ${a}`,
      weight: 1 / arms,
      curve: (t: number) => spiralPoint(t, a, arms, turns),
      speed: Math.hypot(1, 2 * Math.PI * turns), // |c′(s)| = √(1 + (2π·turns·s)²) ≤ this
    })),
    sigma,
    scale: s,
    centre: [mean[0]!, mean[1]!],
    description: `spirals (${arms} arms): ${how}, a midpoint rule over s with spacing ≤ σ/8 per arm; near = within 3σ of the arm`,
  });
}

/** The spirals toy in R²: centred, and scaled so σ_d is right unless `scale` is given. */
export function spirals(options: SpiralsOptions = {}): Toy {
  const { arms, turns, noise, mean, covariance, s } = resolve(options);
  return {
    name: `spirals (${arms} arms, ${turns} turns, noise ${noise}, scale ${s.toPrecision(4)})`,
    dimension: 2,
    sample(key: Tensor, n: number, sampleOptions: ToySampleOptions = {}): Tensor {
      checkSampleCount("spirals.sample", n);
      return tidy(() => {
        const dtype = sampleOptions.dtype ?? "float32";
        const [uniformKey, noiseKey] = random.split(key, 2) as [Tensor, Tensor];
        const u = random.uniform(uniformKey, [n, 2], { dtype });
        const along = slice(u, [0, 0], [n, 1]); // s, [n, 1]
        const arm = astype(astype(mul(slice(u, [0, 1], [n, 2]), arms), "int32"), dtype); // a, [n, 1]
        const theta = mul(add(mul(along, turns), mul(arm, 1 / arms)), 2 * Math.PI);
        const point = mul(concat([cos(theta), sin(theta)], 1), along); // [n, 2]
        const centred = sub(point, array([mean[0]!, mean[1]!], [1, 2], { dtype }));
        const noisy = noise > 0 ? add(centred, mul(random.normal(noiseKey, [n, 2], { dtype }), noise)) : centred;
        return mul(noisy, s);
      });
    },
    mean: () => new Float64Array(2),
    covariance: () => covariance.map((v) => v * s * s),
    density: () => spiralsDensity(options),
  };
}
