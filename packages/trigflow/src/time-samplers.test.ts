// Training-time distributions: sampled times against their exact CDFs (Kolmogorov–Smirnov at a fixed seed, with
// a power check), density = CDF', quantile = CDF⁻¹, the paper's medians and 95% ranges of the presets, the
// equivalence of a logit-normal flow-matching time with the log-normal proposal, and argument validation.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { timeFromFlow } from "./converters.js";
import { counterRandom } from "./counter-random.js";
import { floatingNumber, sigmoid } from "./floating.js";
import { floatingVector } from "./floating-vector.js";
import {
  logitNormalTimeDistribution,
  logNormalPresets,
  logNormalTime,
  logNormalTimeDistribution,
  uniformTimeDistribution,
  type LogNormalPreset,
  type TimeDistribution,
} from "./time-samplers.js";

/** The two-sided Kolmogorov–Smirnov statistic sup |F_n − F|. */
function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let worst = 0;
  sorted.forEach((x, i) => {
    const F = cdf(x);
    worst = Math.max(worst, (i + 1) / n - F, F - i / n);
  });
  return worst;
}

/** The KS critical value at significance 1e−3 (asymptotic: 1.949/√n). */
const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

function draw(distribution: TimeDistribution, seed: number, n: number): number[] {
  const random = counterRandom(seed);
  return Array.from({ length: n }, () => distribution.sample(random));
}

const presets = Object.keys(logNormalPresets) as LogNormalPreset[];

describe("Kolmogorov–Smirnov against the exact CDF (fixed seeds)", () => {
  test.each(presets)("log-normal preset %s", (preset) => {
    const distribution = logNormalTimeDistribution(preset);
    const samples = draw(distribution, 1000 + presets.indexOf(preset), 4000);
    expect(samples.every((t) => t > 0 && t < Math.PI / 2)).toBe(true);
    expect(ksStatistic(samples, distribution.cdf)).toBeLessThan(ksCritical(samples.length));
  });

  test("log-normal, logit-normal and uniform with random parameters", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 1, noNaN: true }),
        fc.double({ min: 0.3, max: 2, noNaN: true }),
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (mean, std, sigmaData, seed) => {
          const distributions = [
            logNormalTimeDistribution({ pMean: mean, pStd: std }, sigmaData),
            logitNormalTimeDistribution(mean, std),
            uniformTimeDistribution(0.1 * std, 0.7 * std),
          ];
          for (const distribution of distributions) {
            const samples = draw(distribution, seed, 2000);
            expect(ksStatistic(samples, distribution.cdf)).toBeLessThan(ksCritical(samples.length));
          }
        },
      ),
      { seed: 42, numRuns: 20 },
    );
  });

  test("the test has power: the proposal with P_mean off by 0.2 is rejected", () => {
    const samples = draw(logNormalTimeDistribution("imagenet512"), 5, 4000);
    const wrong = logNormalTimeDistribution({ pMean: -0.6, pStd: 1.6 });
    expect(ksStatistic(samples, wrong.cdf)).toBeGreaterThan(ksCritical(samples.length));
  });
});

describe("density, quantile and the paper's numbers", () => {
  test("the density is the derivative of the CDF and the quantile inverts it", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: Math.PI / 2 - 0.01, noNaN: true }), fc.constantFrom(...presets), (t, preset) => {
        for (const distribution of [logNormalTimeDistribution(preset), logitNormalTimeDistribution(0.3, 1.2), uniformTimeDistribution()]) {
          const h = 1e-6;
          const derivative = (distribution.cdf(t + h) - distribution.cdf(t - h)) / (2 * h);
          expect(Math.abs(derivative - distribution.density(t))).toBeLessThan(1e-6 * (1 + distribution.density(t)));
          const u = distribution.cdf(t);
          expect(Math.abs(distribution.quantile(u) - t)).toBeLessThan(1e-9);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("medians and 95% ranges of the CM presets match docs/guide/trigflow-scm.md#training-times", () => {
    const expected: [LogNormalPreset, number, number, number][] = [
      ["cifar10", 0.634, 0.047, 1.484],
      ["imagenet64", 0.634, 0.032, 1.512],
      ["imagenet512", 0.732, 0.039, 1.523],
    ];
    for (const [preset, median, low, high] of expected) {
      const distribution = logNormalTimeDistribution(preset);
      // The spec prints three decimals (its ImageNet 512 upper end, 1.5225, is printed as 1.523).
      expect(Math.abs(distribution.quantile(0.5) - median)).toBeLessThan(1e-3);
      expect(Math.abs(distribution.quantile(0.025) - low)).toBeLessThan(1e-3);
      expect(Math.abs(distribution.quantile(0.975) - high)).toBeLessThan(1e-3);
    }
  });

  test("a logit-normal flow-matching time is the log-normal proposal: arctan(s/(σ_d(1−s))) = arctan(e^τ/σ_d)", () => {
    fc.assert(
      fc.property(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }), (tau, sigmaData) => {
        const s = sigmoid(floatingNumber, tau);
        const viaFlow = timeFromFlow(floatingNumber, s, sigmaData);
        expect(Math.abs(viaFlow - logNormalTime(floatingNumber, tau, 0, 1, sigmaData))).toBeLessThan(1e-12);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("the generic map gives the same times on Float64Array as on numbers", () => {
    const normals = Float64Array.of(-3, -0.5, 0, 0.7, 2.5);
    const times = logNormalTime(floatingVector, normals, -0.8, 1.6, 0.5);
    normals.forEach((n, i) => expect(times[i]).toBe(logNormalTime(floatingNumber, n, -0.8, 1.6, 0.5)));
  });
});

describe("validation", () => {
  test("bad parameters are rejected with the offending value", () => {
    expect(() => logNormalTimeDistribution({ pMean: 0, pStd: 0 })).toThrow(/pStd must be positive and finite, got 0/);
    expect(() => logNormalTimeDistribution({ pMean: Number.NaN, pStd: 1 })).toThrow(/pMean must be finite/);
    expect(() => logNormalTimeDistribution("cifar10", -0.5)).toThrow(/sigmaData must be positive/);
    expect(() => logitNormalTimeDistribution(0, -1)).toThrow(/std must be positive/);
    expect(() => uniformTimeDistribution(1, 0.5)).toThrow(/need 0 ≤ tMin < tMax ≤ π\/2, got tMin 1, tMax 0.5/);
    expect(() => uniformTimeDistribution(0, 2)).toThrow(/tMax 2/);
    expect(() => uniformTimeDistribution().quantile(1.2)).toThrow(/probability must lie in \[0, 1\], got 1.2/);
  });
});
