// Training-time distributions on the TrigFlow interval (docs/guide/trigflow-scm.md, "Training times";
// docs/guide/math.md, "The diffusion loss and the teacher's times"): the paper's log-normal proposal t =
// arctan(e^τ/σ_d), τ ~ N(P_mean, P_std²), with its per-dataset presets; a logit-normal on the normalised time
// 2t/π; a uniform; and (in discrete-grid.ts) the categorical grid of the discrete-time CM. The maps from a
// normal draw to t are generic over `Floating` so a training step can push engine-sampled normals through them;
// the `TimeDistribution` objects sample plain numbers from an injected `RandomSource` and expose their exact
// CDF, density and quantile for tests.
import type { RandomSource } from "./counter-random.js";
import { sigmoid, type Floating, floatingNumber } from "./floating.js";
import { normalCdf, normalPdf, normalQuantile } from "./normal-distribution.js";
import { paperSigmaData } from "./trigflow.js";

/** A continuous distribution of training times on [0, π/2]. */
export interface TimeDistribution {
  /** A short description, e.g. "logNormal(-1, 1.4; σ_d 0.5)". */
  readonly name: string;
  /** One draw of t, using the injected random source. */
  sample(random: RandomSource): number;
  /** P(T ≤ t). */
  cdf(t: number): number;
  /** The probability density of T at t. */
  density(t: number): number;
  /** The inverse CDF: the t with P(T ≤ t) = u, for u ∈ [0, 1]. */
  quantile(u: number): number;
}

/** Parameters (P_mean, P_std) of the log-normal proposal log(σ_d tan t) ~ N(P_mean, P_std²). */
export interface LogNormalParameters {
  /** P_mean, the mean of τ = log σ. */
  readonly pMean: number;
  /** P_std, the standard deviation of τ. */
  readonly pStd: number;
}

/**
 * The paper's log-normal presets (σ_d = 0.5). CM proposals (paper App. G; math.md, "The paper's settings"):
 * CIFAR-10 (−1.0, 1.4), ImageNet 64 (−1.0, 1.6), ImageNet 512 (−0.8, 1.6), and the ECT comparison on
 * CIFAR-10 (−1.0, 1.8). Teacher proposals (math.md, "The diffusion loss and the teacher's times"):
 * ImageNet 64 (−0.8, 1.6), ImageNet 512 (−0.4, 1.0); the CIFAR-10 teacher is "same as EDM", read as
 * (−1.2, 1.2), which the paper does not confirm for the TrigFlow teacher (UNVERIFIED).
 */
export const logNormalPresets = {
  /** The CM proposal on CIFAR-10 (sCT and sCD, App. G). */
  cifar10: {
    /** P_mean: median σ = σ_d tan t = e^−1.0 ≈ 0.37, median t ≈ 0.634. */
    pMean: -1.0,
    /** P_std: 95 % of t in about [0.047, 1.484]. */
    pStd: 1.4,
  },
  /** The CM proposal on ImageNet 64×64 (App. G, Table 4). */
  imagenet64: {
    /** P_mean: median σ ≈ 0.37, median t ≈ 0.634. */
    pMean: -1.0,
    /** P_std: 95 % of t in about [0.032, 1.512]. */
    pStd: 1.6,
  },
  /** The CM proposal on ImageNet 512×512 latents (App. G, Table 5). */
  imagenet512: {
    /** P_mean: median σ ≈ 0.45, median t ≈ 0.732. */
    pMean: -0.8,
    /** P_std: 95 % of t in about [0.039, 1.522]. */
    pStd: 1.6,
  },
  /** The wider proposal of the ECT comparison on CIFAR-10 (App. E.3). */
  cifar10Ect: {
    /** P_mean: median σ ≈ 0.37, median t ≈ 0.634. */
    pMean: -1.0,
    /** P_std: 95 % of t in about [0.022, 1.531]. */
    pStd: 1.8,
  },
  /**
   * The CIFAR-10 teacher's proposal, EDM's (UNVERIFIED for the TrigFlow teacher, math.md,
   * "The diffusion loss and the teacher's times").
   */
  cifar10Teacher: {
    /** P_mean: median σ ≈ 0.30, median t ≈ 0.542. */
    pMean: -1.2,
    /** P_std: 95 % of t in about [0.057, 1.414]. */
    pStd: 1.2,
  },
  /** The ImageNet 64 teachers' proposal (EDM2 config G, math.md, "The diffusion loss and the teacher's times"). */
  imagenet64Teacher: {
    /** P_mean: median σ ≈ 0.45, median t ≈ 0.732. */
    pMean: -0.8,
    /** P_std: 95 % of t in about [0.039, 1.522]. */
    pStd: 1.6,
  },
  /** The ImageNet 512 teachers' proposal (math.md, "The diffusion loss and the teacher's times"). */
  imagenet512Teacher: {
    /** P_mean: median σ ≈ 0.67, median t ≈ 0.930. */
    pMean: -0.4,
    /** P_std: 95 % of t in about [0.187, 1.466]. */
    pStd: 1.0,
  },
} as const satisfies Record<string, LogNormalParameters>;

/** The name of a log-normal preset. */
export type LogNormalPreset = keyof typeof logNormalPresets;

// Paper Algorithm 1, trigflow-scm.md, "Training times": τ = P_mean + P_std·n, t = arctan(e^τ/σ_d).
/** Maps a standard normal draw n to the log-normal proposal time t = arctan(exp(P_mean + P_std·n)/σ_d). */
export function logNormalTime<A>(num: Floating<A>, n: A, pMean: number, pStd: number, sigmaData: number): A {
  const tau = num.add(num.fromNumber(pMean), num.mul(num.fromNumber(pStd), n));
  return num.atan(num.div(num.exp(tau), num.fromNumber(sigmaData)));
}

// Logit-normal on the normalised time: 2t/π = sigmoid(mean + std·n).
/** Maps a standard normal draw n to t = (π/2)·sigmoid(mean + std·n). */
export function logitNormalTime<A>(num: Floating<A>, n: A, mean: number, std: number): A {
  const logit = num.add(num.fromNumber(mean), num.mul(num.fromNumber(std), n));
  return num.mul(num.fromNumber(Math.PI / 2), sigmoid(num, logit));
}

function checkPositive(context: string, name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`${context}: ${name} must be positive and finite, got ${value}`);
}

function checkFinite(context: string, name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${context}: ${name} must be finite, got ${value}`);
}

function checkUnit(context: string, u: number): void {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`${context}.quantile: probability must lie in [0, 1], got ${u}`);
}

/**
 * The log-normal proposal log(σ_d tan t) ~ N(P_mean, P_std²) (trigflow-scm.md, "Training times"), from a preset name or explicit
 * parameters. Density p(t) = φ(z)/(P_std sin t cos t), z = (log(σ_d tan t) − P_mean)/P_std.
 */
export function logNormalTimeDistribution(
  parameters: LogNormalParameters | LogNormalPreset,
  sigmaData: number = paperSigmaData,
): TimeDistribution {
  const { pMean, pStd } = typeof parameters === "string" ? logNormalPresets[parameters] : parameters;
  checkFinite("logNormalTimeDistribution", "pMean", pMean);
  checkPositive("logNormalTimeDistribution", "pStd", pStd);
  checkPositive("logNormalTimeDistribution", "sigmaData", sigmaData);
  const standardise = (t: number): number => (Math.log(sigmaData * Math.tan(t)) - pMean) / pStd;
  return {
    name: `logNormal(${pMean}, ${pStd}; σ_d ${sigmaData})`,
    sample: (random) => logNormalTime(floatingNumber, random.normal(), pMean, pStd, sigmaData),
    cdf: (t) => (t <= 0 ? 0 : t >= Math.PI / 2 ? 1 : normalCdf(standardise(t))),
    density: (t) => (t <= 0 || t >= Math.PI / 2 ? 0 : normalPdf(standardise(t)) / (pStd * Math.sin(t) * Math.cos(t))),
    quantile: (u) => {
      checkUnit("logNormalTimeDistribution", u);
      return u === 1 ? Math.PI / 2 : logNormalTime(floatingNumber, normalQuantile(u), pMean, pStd, sigmaData);
    },
  };
}

/**
 * Logit-normal on the normalised time: logit(2t/π) ~ N(mean, std²). (A logit-normal on the flow-matching
 * time s, as in SD3 or SANA's "logit_normal_trigflow", maps through t = arctan(s/(σ_d(1 − s))) onto exactly
 * the log-normal proposal with P_mean = mean, P_std = std; use `logNormalTimeDistribution` for that.)
 */
export function logitNormalTimeDistribution(mean = 0, std = 1): TimeDistribution {
  checkFinite("logitNormalTimeDistribution", "mean", mean);
  checkPositive("logitNormalTimeDistribution", "std", std);
  const standardise = (t: number): number => {
    const u = t / (Math.PI / 2);
    return (Math.log(u / (1 - u)) - mean) / std;
  };
  return {
    name: `logitNormal(${mean}, ${std})`,
    sample: (random) => logitNormalTime(floatingNumber, random.normal(), mean, std),
    cdf: (t) => (t <= 0 ? 0 : t >= Math.PI / 2 ? 1 : normalCdf(standardise(t))),
    density: (t) => {
      if (t <= 0 || t >= Math.PI / 2) return 0;
      const u = t / (Math.PI / 2);
      return normalPdf(standardise(t)) / (std * u * (1 - u) * (Math.PI / 2));
    },
    quantile: (u) => {
      checkUnit("logitNormalTimeDistribution", u);
      if (u === 0) return 0;
      if (u === 1) return Math.PI / 2;
      return logitNormalTime(floatingNumber, normalQuantile(u), mean, std);
    },
  };
}

/** The uniform distribution on [tMin, tMax] ⊆ [0, π/2] (defaults: the whole interval). */
export function uniformTimeDistribution(tMin = 0, tMax = Math.PI / 2): TimeDistribution {
  if (!(tMin >= 0 && tMin < tMax && tMax <= Math.PI / 2)) {
    throw new RangeError(`uniformTimeDistribution: need 0 ≤ tMin < tMax ≤ π/2, got tMin ${tMin}, tMax ${tMax}`);
  }
  const width = tMax - tMin;
  return {
    name: `uniform(${tMin}, ${tMax})`,
    sample: (random) => tMin + width * random.uniform(),
    cdf: (t) => Math.min(1, Math.max(0, (t - tMin) / width)),
    density: (t) => (t >= tMin && t <= tMax ? 1 / width : 0),
    quantile: (u) => {
      checkUnit("uniformTimeDistribution", u);
      return tMin + width * u;
    },
  };
}
