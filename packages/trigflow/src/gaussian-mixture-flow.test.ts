// The mixture oracle's integrated PF-ODE flow (docs/guide/math.md, "The exact flow and consistency function"):
// a one-component mixture reproduces the closed form, f* is constant along integrated trajectories (T2), noise
// pushed through the exact flow map from π/2 to 0 reproduces the mixture's moments to 1e−3, and bad input is
// rejected.
//
// The moment checks use stratified sampling with antithetic pairs at a fixed seed, an unbiased estimator with
// far less variance than plain Monte Carlo (which would need ~10^7 ODE solves for 1e−3). In 1-D the noise is
// stratified into equal-probability cells; in 2-D in polar form, radius in strata of equal width (so the tail
// gets its own small strata) and angle on a randomly rotated equispaced set. Over seeds 1–6 the largest error
// was 9e−5 (1-D) and 1.3e−4 (2-D), with typical errors near 3e−5, so 1e−3 is a margin of about 20 standard errors.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { counterRandom } from "./counter-random.js";
import type { Covariance } from "@scm-ts/core";
import { gaussianMixtureOracle } from "./gaussian-mixture-oracle.js";
import { gaussianOracle } from "./gaussian-oracle.js";
import { normalQuantile } from "./normal-distribution.js";

const sigmaData = 0.5;

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("integrated flow", () => {
  test("a one-component mixture's integrated flow and f* match the closed-form Gaussian to 1e−9", () => {
    const spec = { mean: [0.1, -0.6, 0.4], covariance: { kind: "full", matrix: [[0.2, -0.06, 0.02], [-0.06, 0.12, 0.01], [0.02, 0.01, 0.09]] } as Covariance };
    const closed = gaussianOracle({ ...spec, sigmaData });
    const integrated = gaussianMixtureOracle({ components: [{ ...spec, weight: 2 }], sigmaData });
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0.01, max: Math.PI / 2, noNaN: true }),
        fc.double({ min: 0, max: Math.PI / 2, noNaN: true }),
        (x, t, tEnd) => {
          expect(maxDifference(integrated.flowMap(x, t, tEnd), closed.flowMap(x, t, tEnd))).toBeLessThan(1e-9);
          expect(maxDifference(integrated.f(x, t), closed.f(x, t))).toBeLessThan(1e-9);
          if (t > 0.1) expect(maxDifference(integrated.consistencyF(x, t), closed.consistencyF(x, t))).toBeLessThan(1e-8);
        },
      ),
      { seed: 42, numRuns: 20 },
    );
  });

  test("f* is constant along integrated mixture trajectories: f*(Φ_{t→t′}(x), t′) = f*(x, t) (T2)", () => {
    const oracle = gaussianMixtureOracle({
      sigmaData,
      components: [
        { weight: 0.4, mean: [-0.7, 0.2, 0.5], covariance: { kind: "isotropic", variance: 0.04 } },
        { weight: 0.6, mean: [0.6, -0.3, 0.1], covariance: { kind: "full", matrix: [[0.1225, 0.03, 0], [0.03, 0.09, -0.02], [0, -0.02, 0.06]] } },
      ],
    });
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0.05, max: Math.PI / 2, noNaN: true }),
        fc.double({ min: 0.05, max: Math.PI / 2, noNaN: true }),
        (x, t, tPrime) => {
          const moved = oracle.flowMap(x, t, tPrime);
          expect(maxDifference(oracle.f(moved, tPrime), oracle.f(x, t))).toBeLessThan(1e-8);
        },
      ),
      { seed: 42, numRuns: 15 },
    );
  });
});

describe("pushing noise through the exact flow map from π/2 to 0 reproduces the mixture", () => {
  test("1-D, three components of unequal weight and width: mean, variance and third central moment to 1e−3", () => {
    const oracle = gaussianMixtureOracle({
      sigmaData,
      ode: { rtol: 1e-9, atol: 1e-11 },
      components: [
        { weight: 0.2, mean: [-1.0], covariance: { kind: "isotropic", variance: 0.04 } },
        { weight: 0.5, mean: [0.3], covariance: { kind: "isotropic", variance: 0.1225 } },
        { weight: 0.3, mean: [1.2], covariance: { kind: "diagonal", variances: [0.0625] } },
      ],
    });
    const random = counterRandom(1);
    const strata = 2048;
    const z = new Float64Array(2 * strata);
    for (let i = 0; i < strata; i++) {
      const u = random.uniform();
      z[2 * i] = sigmaData * normalQuantile((i + u) / strata);
      z[2 * i + 1] = sigmaData * normalQuantile((i + 1 - u) / strata);
    }
    const x = oracle.flowMapBatch(z, Math.PI / 2, 0);
    const n = x.length;
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const third = x.reduce((a, b) => a + (b - mean) ** 3, 0) / n;
    // Exact moments: E[x] = Σπμ, E[x²] = Σπ(μ² + s²), E[x³] = Σπ(μ³ + 3μs²).
    const parts = [[0.2, -1.0, 0.04], [0.5, 0.3, 0.1225], [0.3, 1.2, 0.0625]] as const;
    const m1 = parts.reduce((a, [w, mu]) => a + w * mu, 0);
    const m2 = parts.reduce((a, [w, mu, s2]) => a + w * (mu * mu + s2), 0);
    const m3 = parts.reduce((a, [w, mu, s2]) => a + w * (mu ** 3 + 3 * mu * s2), 0);
    expect(Math.abs(mean - m1)).toBeLessThan(1e-3);
    expect(Math.abs(variance - (m2 - m1 * m1))).toBeLessThan(1e-3);
    expect(Math.abs(third - (m3 - 3 * m1 * m2 + 2 * m1 ** 3))).toBeLessThan(1e-3);
    expect(Math.abs(oracle.mean()[0]! - m1)).toBeLessThan(1e-15);
    expect(Math.abs(oracle.covariance().data[0]! - (m2 - m1 * m1))).toBeLessThan(1e-15);
  });

  test("2-D, full, diagonal and isotropic covariances: mean and covariance to 1e−3", () => {
    const oracle = gaussianMixtureOracle({
      sigmaData,
      ode: { rtol: 1e-9, atol: 1e-11 },
      components: [
        { weight: 0.35, mean: [-0.5, 0.3], covariance: { kind: "full", matrix: [[0.16, 0.05], [0.05, 0.1]] } },
        { weight: 0.4, mean: [0.5, 0.4], covariance: { kind: "diagonal", variances: [0.12, 0.2] } },
        { weight: 0.25, mean: [0.1, -0.6], covariance: { kind: "isotropic", variance: 0.15 } },
      ],
    });
    const random = counterRandom(2);
    const radialStrata = 128;
    const angles = 16;
    const rMax = 7; // P(|z|/σ_d > 7) = e^{−24.5}: the last stratum [7, ∞) carries only that mass.
    const z: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < radialStrata; i++) {
      const lo = (i * rMax) / (radialStrata - 1);
      const hi = i === radialStrata - 1 ? Infinity : ((i + 1) * rMax) / (radialStrata - 1);
      // |z|/σ_d has survival function e^{−r²/2}; draw r in [lo, hi) by inverse CDF, with its antithetic partner.
      const survivalLo = Math.exp(-(lo * lo) / 2);
      const mass = survivalLo - Math.exp(-(hi * hi) / 2);
      const u = random.uniform();
      for (const v of [u, 1 - u]) {
        const r = Math.sqrt(-2 * Math.log(survivalLo - v * mass));
        const phase = 2 * Math.PI * random.uniform();
        for (let j = 0; j < angles; j++) {
          const theta = phase + (2 * Math.PI * j) / angles;
          z.push(sigmaData * r * Math.cos(theta), sigmaData * r * Math.sin(theta));
          weights.push(mass / (2 * angles));
        }
      }
    }
    const x = oracle.flowMapBatch(z, Math.PI / 2, 0);
    const mean = [0, 1].map((i) => weights.reduce((a, w, k) => a + w * x[2 * k + i]!, 0));
    const exactMean = oracle.mean();
    const exactCovariance = oracle.covariance();
    expect(maxDifference(mean, exactMean)).toBeLessThan(1e-3);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const cij = weights.reduce((a, w, k) => a + w * (x[2 * k + i]! - mean[i]!) * (x[2 * k + j]! - mean[j]!), 0);
        expect(Math.abs(cij - exactCovariance.data[2 * i + j]!)).toBeLessThan(1e-3);
      }
    }
    // The exact moments of this mixture, by hand: mean Σπμ and covariance Σπ(Σ_k + μμᵀ) − mmᵀ.
    expect(exactMean[0]).toBeCloseTo(0.35 * -0.5 + 0.4 * 0.5 + 0.25 * 0.1, 15);
    expect(exactCovariance.data[1]).toBeCloseTo(0.35 * (0.05 + -0.5 * 0.3) + 0.4 * (0.5 * 0.4) + 0.25 * (0.1 * -0.6) - exactMean[0]! * exactMean[1]!, 15);
  });
});

describe("validation", () => {
  test("bad mixtures and arguments are rejected with the offending values", () => {
    const component = { weight: 1, mean: [0, 0], covariance: { kind: "isotropic", variance: 0.1 } as Covariance };
    expect(() => gaussianMixtureOracle({ components: [] })).toThrow(/no components/);
    expect(() => gaussianMixtureOracle({ components: [component, { ...component, weight: 0 }] })).toThrow(/component 1 has weight 0; weights must be positive/);
    expect(() => gaussianMixtureOracle({ components: [component, { ...component, mean: [0] }] })).toThrow(/component 1 has dimension 1 but component 0 has 2/);
    expect(() => gaussianMixtureOracle({ components: [{ ...component, mean: [0, Number.NaN] }] })).toThrow(/component 0: mean\[1\] must be finite, got NaN/);
    const oracle = gaussianMixtureOracle({ components: [component, { ...component, covariance: { kind: "isotropic", variance: 0 } }] });
    expect(() => oracle.velocity([0, 0], 0)).toThrow(/component 1 has zero variance along a direction, so p_t is singular at t = 0/);
    expect(() => oracle.flowMapBatch([0, 0, 0], 1, 0.5)).toThrow(/3 values are not a whole number of points of dimension 2/);
    expect(() => oracle.consistencyF([0, 0], 0)).toThrow(/needs t > 0 for a mixture/);
    expect(() => oracle.denoiser([0, 0], 1.6)).toThrow(/time 1.6 is outside the TrigFlow interval/);
  });
});
