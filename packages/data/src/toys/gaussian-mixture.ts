// Gaussian mixtures with known parameters, p0 = Σ_k π_k N(μ_k, Σ_k) in R^d (docs/guide/math.md,
// "Gaussian mixtures in closed form"): sampled from a key with engine ops (a one-hot component draw, then μ_k +
// L_k·n with L_k L_kᵀ = Σ_k), with exact moments. The components are core's `MixtureComponent`, the type
// `@scm-ts/trigflow`'s `gaussianMixtureOracle` takes too, so sCD tests get the exact teacher of the very data
// they train on: `gaussianMixtureOracle(mixture.oracleSpec())`, without this package importing trigflow
// (docs/guide/design.md, "Packages and their dependencies"). Its density (exact, for sample-quality
// metrics) is `gaussianMixtureDensity` of the same components. Presets: a ring of Gaussians (the demo's
// data) and a square grid, both scaled so σ_d = 0.5 is right.
import { add, array, matmul, random, reshape, tidy, type MixtureComponent, type Tensor } from "@scm-ts/core";
import { normaliseWeights, oneHotCategorical } from "./categorical.js";
import { choleskyFactor, fullMatrix } from "./covariance.js";
import { gaussianMixtureDensity } from "./mixture-density.js";
import { checkSampleCount, type Toy, type ToySampleOptions } from "./toy.js";

/** The argument of trigflow's `gaussianMixtureOracle` for this data (its `GaussianMixtureSpec`). */
export interface MixtureOracleSpec {
  /** The components, weights normalised. */
  readonly components: readonly MixtureComponent[];
  /** σ_d of the TrigFlow process. */
  readonly sigmaData: number;
}

/** A Gaussian mixture toy: sampling, exact moments, and its oracle description. */
export interface GaussianMixture extends Toy {
  /** The validated components with normalised weights. */
  readonly components: readonly MixtureComponent[];
  /** The spec for `gaussianMixtureOracle` with the given σ_d (default 0.5). */
  oracleSpec(sigmaData?: number): MixtureOracleSpec;
}

/** A Gaussian mixture from its components; throws a RangeError naming the first invalid parameter. */
export function gaussianMixture(components: readonly MixtureComponent[]): GaussianMixture {
  const probabilities = normaliseWeights("gaussianMixture", components.map((c) => c.weight));
  const d = components[0]!.mean.length;
  if (d === 0) throw new RangeError("gaussianMixture: component 0 has an empty mean; pass means of length d ≥ 1");
  const K = components.length;
  const sigmas = components.map((c, k) => {
    const context = `gaussianMixture: component ${k}`;
    if (c.mean.length !== d) throw new RangeError(`${context} has a mean of length ${c.mean.length} but component 0 has ${d}`);
    c.mean.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new RangeError(`${context}: mean[${i}] is ${v}; means must be finite`);
    });
    return fullMatrix(context, c.covariance, d);
  });
  const factors = sigmas.map((s, k) => choleskyFactor(`gaussianMixture: component ${k}`, s, d));
  const normalised = components.map((c, k) => ({ weight: probabilities[k]!, mean: [...c.mean], covariance: c.covariance }));
  const means = components.flatMap((c) => [...c.mean]); // [K, d]
  const factorRows = factors.flatMap((L) => [...L]); // [K, d·d]

  const mixture: GaussianMixture = {
    name: `gaussian mixture (${K} components in R^${d})`,
    dimension: d,
    components: normalised,
    // x = onehot·M + L_sel·n, L_sel = reshape(onehot·[L_k], [n, d, d]), n ~ N(0, I).
    sample(key: Tensor, n: number, options: ToySampleOptions = {}): Tensor {
      checkSampleCount("gaussianMixture.sample", n);
      return tidy(() => {
        const dtype = options.dtype ?? "float32";
        const [componentKey, noiseKey] = random.split(key, 2) as [Tensor, Tensor];
        const oneHot = oneHotCategorical(componentKey, n, probabilities, dtype); // [n, K]
        const centre = matmul(oneHot, array(means, [K, d], { dtype })); // [n, d]
        const factor = reshape(matmul(oneHot, array(factorRows, [K, d * d], { dtype })), [n, d, d]);
        const noise = reshape(random.normal(noiseKey, [n, d], { dtype }), [n, d, 1]);
        return add(centre, reshape(matmul(factor, noise), [n, d])); // [n, d]
      });
    },
    mean() {
      const m = new Float64Array(d);
      components.forEach((c, k) => c.mean.forEach((mu, i) => (m[i] = m[i]! + probabilities[k]! * mu)));
      return m;
    },
    // Σ = Σ_k π_k (Σ_k + μ_k μ_kᵀ) − m mᵀ.
    covariance() {
      const m = mixture.mean();
      const out = new Float64Array(d * d);
      components.forEach((c, k) => {
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
          out[i * d + j] = out[i * d + j]! + probabilities[k]! * (sigmas[k]![i * d + j]! + c.mean[i]! * c.mean[j]!);
        }
      });
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] = out[i * d + j]! - m[i]! * m[j]!;
      return out;
    },
    oracleSpec(sigmaData = 0.5) {
      if (!(sigmaData > 0 && Number.isFinite(sigmaData))) throw new RangeError(`gaussianMixture.oracleSpec: sigmaData must be positive and finite, got ${sigmaData}`);
      return { components: normalised, sigmaData };
    },
    density: () => gaussianMixtureDensity(normalised),
  };
  return mixture;
}

/** Options of `ringOfGaussians`. */
export interface RingOptions {
  /** The number of modes (default 8). */
  readonly count?: number;
  /** The standard deviation of each mode (default 0.08). */
  readonly std?: number;
  /** The ring radius; default √(2(σ_d² − std²)) so the per-coordinate std is σ_d. */
  readonly radius?: number;
  /** σ_d the default radius aims at (default 0.5). */
  readonly sigmaData?: number;
}

/** `count` equal-weight isotropic Gaussians evenly spaced on a circle (the demo's data). */
export function ringOfGaussians(options: RingOptions = {}): GaussianMixture {
  const count = options.count ?? 8;
  const std = options.std ?? 0.08;
  const sigmaData = options.sigmaData ?? 0.5;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`ringOfGaussians: count must be an integer ≥ 2, got ${count}`);
  if (options.radius === undefined && !(std < sigmaData)) throw new RangeError(`ringOfGaussians: std ${std} must be below sigmaData ${sigmaData} to derive the radius; pass radius`);
  const radius = options.radius ?? Math.sqrt(2 * (sigmaData ** 2 - std ** 2));
  return gaussianMixture(
    Array.from({ length: count }, (_, k) => ({
      weight: 1,
      mean: [radius * Math.cos((2 * Math.PI * k) / count), radius * Math.sin((2 * Math.PI * k) / count)],
      covariance: { kind: "isotropic" as const, variance: std * std },
    })),
  );
}

/** Options of `gridOfGaussians`. */
export interface GridOptions {
  /** Modes per side (default 5, so 25 modes). */
  readonly side?: number;
  /** The standard deviation of each mode (default 0.05). */
  readonly std?: number;
  /** The distance between neighbouring modes; default √(12(σ_d² − std²)/(side² − 1)) so the per-coordinate std is σ_d. */
  readonly spacing?: number;
  /** σ_d the default spacing aims at (default 0.5). */
  readonly sigmaData?: number;
}

/** side × side equal-weight isotropic Gaussians on a square grid centred at the origin. */
export function gridOfGaussians(options: GridOptions = {}): GaussianMixture {
  const side = options.side ?? 5;
  const std = options.std ?? 0.05;
  const sigmaData = options.sigmaData ?? 0.5;
  if (!Number.isInteger(side) || side < 2) throw new RangeError(`gridOfGaussians: side must be an integer ≥ 2, got ${side}`);
  if (options.spacing === undefined && !(std < sigmaData)) throw new RangeError(`gridOfGaussians: std ${std} must be below sigmaData ${sigmaData} to derive the spacing; pass spacing`);
  const spacing = options.spacing ?? Math.sqrt((12 * (sigmaData ** 2 - std ** 2)) / (side * side - 1));
  const offset = ((side - 1) * spacing) / 2;
  const components: MixtureComponent[] = [];
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) {
    components.push({ weight: 1, mean: [i * spacing - offset, j * spacing - offset], covariance: { kind: "isotropic", variance: std * std } });
  }
  return gaussianMixture(components);
}
