// The Gaussian-mixture oracle (docs/guide/math.md, "Exact oracles"): its velocity agrees with every equivalent
// form, with the density through the continuity equation, and with a Monte-Carlo estimate of E[dx_t/dt | x_t]
// that uses only draws from p0; the score is the gradient of the log density; f* is constant along integrated
// trajectories; a one-component mixture reproduces the closed form; and noise pushed through the exact flow map
// from π/2 to 0 reproduces the mixture's moments to 1e−3 (stratified sampling at a fixed seed).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { counterRandom } from "./counter-random.js";
import type { Covariance, MixtureComponent } from "@scm-ts/core";
import { gaussianMixtureOracle } from "./gaussian-mixture-oracle.js";

const sigmaData = 0.5;
const interior = fc.double({ min: 0.05, max: Math.PI / 2 - 0.05, noNaN: true });

/** A random covariance of dimension d with variances in [0.04, 0.3] (s ≥ 0.2 keeps the ODE non-stiff). */
function covariance(d: number): fc.Arbitrary<Covariance> {
  const variance = fc.double({ min: 0.04, max: 0.3, noNaN: true });
  return fc.oneof(
    variance.map((v): Covariance => ({ kind: "isotropic", variance: v })),
    fc.array(variance, { minLength: d, maxLength: d }).map((vs): Covariance => ({ kind: "diagonal", variances: vs })),
    fc.tuple(fc.array(variance, { minLength: d, maxLength: d }), fc.double({ min: -0.9, max: 0.9, noNaN: true })).map(([vs, rho]): Covariance => ({
      kind: "full",
      matrix: vs.map((vi, i) => vs.map((vj, j) => (i === j ? vi : (rho * Math.sqrt(vi * vj)) / (d - 1)))),
    })),
  );
}

/** A random mixture of 2–3 components in R^d (d = 1…3) and a point x in its range. */
const mixture = fc.integer({ min: 1, max: 3 }).chain((d) =>
  fc.record({
    components: fc.array(
      fc.record({
        weight: fc.double({ min: 0.1, max: 3, noNaN: true }),
        mean: fc.array(fc.double({ min: -1.2, max: 1.2, noNaN: true }), { minLength: d, maxLength: d }),
        covariance: covariance(d),
      }),
      { minLength: 2, maxLength: 3 },
    ),
    x: fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: d, maxLength: d }),
  }),
);

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("exact quantities", () => {
  test("posterior weights sum to 1 and equal the prior weights at t = π/2", () => {
    fc.assert(
      fc.property(mixture, interior, ({ components, x }, t) => {
        const oracle = gaussianMixtureOracle({ components, sigmaData });
        expect(oracle.posteriorWeights(x, t).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
        const total = components.reduce((a, c) => a + c.weight, 0);
        expect(maxDifference(oracle.posteriorWeights(x, Math.PI / 2), components.map((c) => c.weight / total))).toBeLessThan(1e-12);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("v = cos t·Ẑ − sin t·D = (cos t·x − D)/sin t = −tan t·(x + σ_d²∇log p_t) (T7)", () => {
    fc.assert(
      fc.property(mixture, interior, ({ components, x }, t) => {
        const oracle = gaussianMixtureOracle({ components, sigmaData });
        const v = oracle.velocity(x, t);
        const D = oracle.denoiser(x, t);
        const Z = oracle.noisePrediction(x, t);
        const score = oracle.score(x, t);
        expect(maxDifference(v, Z.map((z, i) => Math.cos(t) * z - Math.sin(t) * D[i]!))).toBeLessThan(1e-13);
        expect(maxDifference(v, D.map((dValue, i) => (Math.cos(t) * x[i]! - dValue) / Math.sin(t)))).toBeLessThan(1e-12);
        expect(maxDifference(v, score.map((s, i) => -Math.tan(t) * (x[i]! + sigmaData ** 2 * s)))).toBeLessThan(1e-11);
        expect(maxDifference(oracle.diffusionF(x.map((value) => value / sigmaData), t), v.map((value) => value / sigmaData))).toBeLessThan(1e-14);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("the score is the gradient of log p_t, and p_t and v satisfy ∂p/∂t + ∇·(p v) = 0", () => {
    fc.assert(
      fc.property(mixture, interior, ({ components, x }, t) => {
        const oracle = gaussianMixtureOracle({ components, sigmaData });
        const h = 1e-5;
        const shifted = (i: number, delta: number): number[] => x.map((v, j) => (i === j ? v + delta : v));
        const gradient = x.map((_, i) => (oracle.logDensity(shifted(i, h), t) - oracle.logDensity(shifted(i, -h), t)) / (2 * h));
        expect(maxDifference(gradient, oracle.score(x, t))).toBeLessThan(1e-6 * (1 + Math.max(...gradient.map(Math.abs))));
        const p = (y: number[], s: number): number => Math.exp(oracle.logDensity(y, s));
        const flux = (y: number[], i: number): number => p(y, t) * oracle.velocity(y, t)[i]!;
        let residual = (p(x, t + h) - p(x, t - h)) / (2 * h);
        x.forEach((_, i) => (residual += (flux(shifted(i, h), i) - flux(shifted(i, -h), i)) / (2 * h)));
        expect(Math.abs(residual)).toBeLessThan(1e-6 * (1 + p(x, t)));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("a one-dimensional p_t integrates to 1", () => {
    const oracle = gaussianMixtureOracle({
      sigmaData,
      components: [
        { weight: 1, mean: [-1], covariance: { kind: "isotropic", variance: 0.04 } },
        { weight: 3, mean: [0.5], covariance: { kind: "isotropic", variance: 0.2 } },
      ],
    });
    for (const t of [0.05, 0.8, Math.PI / 2]) {
      let integral = 0;
      const h = 0.002;
      for (let x = -8; x <= 8; x += h) integral += Math.exp(oracle.logDensity([x], t)) * h;
      expect(integral).toBeCloseTo(1, 9);
    }
  });
});

describe("Monte Carlo", () => {
  const components: MixtureComponent[] = [
    { weight: 0.3, mean: [-0.8, 0.4], covariance: { kind: "full", matrix: [[0.09, 0.03], [0.03, 0.06]] } },
    { weight: 0.45, mean: [0.6, 0.5], covariance: { kind: "diagonal", variances: [0.05, 0.12] } },
    { weight: 0.25, mean: [0.1, -0.9], covariance: { kind: "isotropic", variance: 0.1 } },
  ];
  const oracle = gaussianMixtureOracle({ components, sigmaData });
  const prior = counterRandom(2024);
  const x0s = Array.from({ length: 40_000 }, () => oracle.sample(prior));

  test("velocity = E[dx_t/dt | x_t], estimated by importance sampling of x0 ~ p0 (within 5 standard errors)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.35, max: 1.5, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), (t, seed) => {
        const random = counterRandom(seed);
        // A typical x_t: one draw of the forward process x_t = cos t·x0 + sin t·z.
        const base = oracle.sample(random);
        const x = base.map((v) => Math.cos(t) * v + Math.sin(t) * sigmaData * random.normal());
        // v_t given (x0, x_t) is (cos t·x_t − x0)/sin t; weight each prior draw by N(x_t; cos t·x0, σ_d² sin²t I).
        const weights = x0s.map((x0) => Math.exp(-x0.reduce((s, v, i) => s + (x[i]! - Math.cos(t) * v) ** 2, 0) / (2 * (sigmaData * Math.sin(t)) ** 2)));
        const total = weights.reduce((a, b) => a + b, 0);
        const effective = total ** 2 / weights.reduce((a, w) => a + w * w, 0);
        expect(effective).toBeGreaterThan(200);
        const exact = oracle.velocity(x, t);
        for (let i = 0; i < 2; i++) {
          const values = x0s.map((x0) => (Math.cos(t) * x[i]! - x0[i]!) / Math.sin(t));
          const estimate = values.reduce((a, v, k) => a + weights[k]! * v, 0) / total;
          const standardError = Math.sqrt(values.reduce((a, v, k) => a + (weights[k]! * (v - estimate)) ** 2, 0)) / total;
          expect(standardError).toBeLessThan(0.05);
          expect(Math.abs(estimate - exact[i]!)).toBeLessThan(5 * standardError);
        }
      }),
      { seed: 42, numRuns: 8 },
    );
  });

  test("exact posterior draws have the denoiser as mean (so v_t averages to the velocity) and Tweedie's covariance", () => {
    const random = counterRandom(77);
    const x = [0.2, 0.1];
    const t = 0.9;
    const n = 20_000;
    const draws = Array.from({ length: n }, () => oracle.posteriorSample(x, t, random));
    const D = oracle.denoiser(x, t);
    const v = oracle.velocity(x, t);
    for (let i = 0; i < 2; i++) {
      const mean = draws.reduce((a, d) => a + d[i]!, 0) / n;
      const sd = Math.sqrt(draws.reduce((a, d) => a + (d[i]! - mean) ** 2, 0) / (n - 1));
      expect(Math.abs(mean - D[i]!)).toBeLessThan((5 * sd) / Math.sqrt(n));
      const velocityMean = (Math.cos(t) * x[i]! - mean) / Math.sin(t);
      expect(Math.abs(velocityMean - v[i]!)).toBeLessThan((5 * sd) / Math.sqrt(n) / Math.sin(t));
    }
    // Second-order Tweedie: Cov[x0 | x_t] = σ_d² tan²t·(I + σ_d² sin²t·∇² log p_t(x)), Hessian by differencing the score.
    const h = 1e-5;
    const hessian = [0, 1].map((j) => {
      const plus = oracle.score(x.map((value, k) => (k === j ? value + h : value)), t);
      const minus = oracle.score(x.map((value, k) => (k === j ? value - h : value)), t);
      return plus.map((value, k) => (value - minus[k]!) / (2 * h));
    });
    const means = [0, 1].map((i) => draws.reduce((a, d) => a + d[i]!, 0) / n);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const products = draws.map((d) => (d[i]! - means[i]!) * (d[j]! - means[j]!));
        const cij = products.reduce((a, b) => a + b, 0) / n;
        const spread = Math.sqrt(products.reduce((a, b) => a + (b - cij) ** 2, 0) / n);
        const tweedie = (sigmaData * Math.tan(t)) ** 2 * ((i === j ? 1 : 0) + (sigmaData * Math.sin(t)) ** 2 * hessian[j]![i]!);
        expect(Math.abs(cij - tweedie)).toBeLessThan((5 * spread) / Math.sqrt(n));
      }
    }
  });

  test("sample() draws match mean() and covariance() (within 5 standard errors)", () => {
    const n = x0s.length;
    const m = oracle.mean();
    const c = oracle.covariance();
    for (let i = 0; i < 2; i++) {
      const mean = x0s.reduce((a, x0) => a + x0[i]!, 0) / n;
      expect(Math.abs(mean - m[i]!)).toBeLessThan(5 * Math.sqrt(c.data[i * 2 + i]! / n));
      for (let j = 0; j < 2; j++) {
        const products = x0s.map((x0) => (x0[i]! - m[i]!) * (x0[j]! - m[j]!));
        const cij = products.reduce((a, b) => a + b, 0) / n;
        const spread = Math.sqrt(products.reduce((a, b) => a + (b - cij) ** 2, 0) / n);
        expect(Math.abs(cij - c.data[i * 2 + j]!)).toBeLessThan((5 * spread) / Math.sqrt(n));
      }
    }
  });
});
