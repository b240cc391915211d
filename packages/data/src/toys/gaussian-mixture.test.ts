// Gaussian mixtures: the exact moments agree with trigflow's oracle built from `oracleSpec()` (which also
// type-checks that the formats agree), samples match those moments and the component weights, full
// covariances are honoured, presets make σ_d = 0.5 right, and invalid parameters are refused by name.
import { random, type MixtureComponent } from "@scm-ts/core";
import { counterRandom, gaussianMixtureOracle } from "@scm-ts/trigflow";
import { describe, expect, test } from "vitest";
import { gaussianMixture, gridOfGaussians, ringOfGaussians } from "./gaussian-mixture.js";
import { moments } from "../test-fixtures/moments.js";

const anisotropic: MixtureComponent[] = [
  { weight: 1, mean: [-0.5, 0.2], covariance: { kind: "full", matrix: [[0.04, 0.018], [0.018, 0.02]] } },
  { weight: 3, mean: [0.4, -0.3], covariance: { kind: "diagonal", variances: [0.01, 0.09] } },
  { weight: 2, mean: [0.1, 0.6], covariance: { kind: "isotropic", variance: 0.0225 } },
];

describe("gaussianMixture", () => {
  test("exact moments equal those of trigflow's oracle for oracleSpec()", () => {
    for (const mixture of [gaussianMixture(anisotropic), ringOfGaussians(), gridOfGaussians({ side: 3 })]) {
      const spec = mixture.oracleSpec(0.5);
      const oracle = gaussianMixtureOracle(spec);
      expect(oracle.sigmaData).toBe(0.5);
      expect(oracle.dimension).toBe(mixture.dimension);
      const mean = mixture.mean();
      oracle.mean().forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 12));
      const covariance = mixture.covariance();
      oracle.covariance().data.forEach((v, i) => expect(v).toBeCloseTo(covariance[i]!, 12));
    }
  });

  test("samples match the exact moments and the component weights (1 : 3 : 2)", async () => {
    const mixture = gaussianMixture(anisotropic);
    const n = 30_000;
    const x = await mixture.sample(random.key(21), n).data();
    const { mean, covariance } = moments(x, 2);
    mixture.mean().forEach((v, i) => expect(Math.abs(mean[i]! - v)).toBeLessThan(0.01));
    mixture.covariance().forEach((v, i) => expect(Math.abs(covariance[i]! - v)).toBeLessThan(0.006));
    // Assign each draw to the component of highest posterior under the oracle (t = 0): frequencies ≈ weights.
    const oracle = gaussianMixtureOracle(mixture.oracleSpec());
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const w = oracle.posteriorWeights([x[2 * i]!, x[2 * i + 1]!], 1e-9);
      counts[w.indexOf(Math.max(...w))]!++;
    }
    [1 / 6, 3 / 6, 2 / 6].forEach((p, k) => expect(Math.abs(counts[k]! / 3000 - p)).toBeLessThan(0.04));
  });

  test("a single full-covariance component reproduces its covariance; float64 draws on request", async () => {
    const mixture = gaussianMixture([{ weight: 1, mean: [1, -2, 0.5], covariance: { kind: "full", matrix: [[0.25, 0.1, 0], [0.1, 0.16, -0.05], [0, -0.05, 0.09]] } }]);
    const draws = mixture.sample(random.key(2), 20_000, { dtype: "float64" });
    expect(draws.dtype).toBe("float64");
    expect(draws.shape).toEqual([20_000, 3]);
    const { mean, covariance } = moments(await draws.data(), 3);
    mixture.mean().forEach((v, i) => expect(Math.abs(mean[i]! - v)).toBeLessThan(0.012));
    mixture.covariance().forEach((v, i) => expect(Math.abs(covariance[i]! - v)).toBeLessThan(0.006));
  });

  test("a zero-variance component is a point mass", async () => {
    const x = await gaussianMixture([{ weight: 1, mean: [0.3, -0.2], covariance: { kind: "isotropic", variance: 0 } }]).sample(random.key(0), 10).data();
    for (let i = 0; i < 10; i++) expect([x[2 * i], x[2 * i + 1]].map((v) => Math.round(v! * 1e6) / 1e6)).toEqual([0.3, -0.2]);
  });

  test("matches the distribution of the oracle's own sampler (second moments)", async () => {
    const mixture = ringOfGaussians({ count: 4 });
    const oracle = gaussianMixtureOracle(mixture.oracleSpec());
    const random64 = counterRandom(9);
    const reference = new Float64Array(2 * 20_000);
    for (let i = 0; i < 20_000; i++) reference.set(oracle.sample(random64), 2 * i);
    const ours = moments(await mixture.sample(random.key(9), 20_000).data(), 2);
    const theirs = moments(reference, 2);
    ours.covariance.forEach((v, i) => expect(Math.abs(v - theirs.covariance[i]!)).toBeLessThan(0.012));
  });
});

describe("presets", () => {
  test("ring and grid make the per-coordinate std σ_d and place the modes as stated", () => {
    for (const mixture of [ringOfGaussians(), gridOfGaussians(), ringOfGaussians({ count: 5, std: 0.1 })]) {
      const c = mixture.covariance();
      expect((c[0]! + c[3]!) / 2).toBeCloseTo(0.25, 12);
    }
    const ring = ringOfGaussians({ count: 4, radius: 2, std: 0.1 });
    expect(ring.components.map((c) => c.mean.map((v) => Math.round(v * 1e9) / 1e9))).toEqual([[2, 0], [0, 2], [-2, 0], [-0, -2]]);
    expect(ring.components.every((c) => c.weight === 0.25)).toBe(true);
    const grid = gridOfGaussians({ side: 2, spacing: 1, std: 0.1 });
    expect(grid.components.map((c) => c.mean)).toEqual([[-0.5, -0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, 0.5]]);
  });
});

describe("bad parameters", () => {
  test("are refused with the component and the value", () => {
    const ok = anisotropic[2]!;
    expect(() => gaussianMixture([])).toThrow(/no categories/);
    expect(() => gaussianMixture([{ ...ok, weight: 0 }])).toThrow(/weight 0 is 0; weights must be positive/);
    expect(() => gaussianMixture([ok, { ...ok, mean: [1, 2, 3] }])).toThrow(/component 1 has a mean of length 3 but component 0 has 2/);
    expect(() => gaussianMixture([{ ...ok, mean: [Number.NaN, 0] }])).toThrow(/mean\[0\] is NaN/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "isotropic", variance: -1 } }])).toThrow(/variances must be finite and ≥ 0/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "diagonal", variances: [1] } }])).toThrow(/1 diagonal variances for a mean of length 2/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "full", matrix: [[1, 2], [2, 1]] } }])).toThrow(/not positive semi-definite/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "full", matrix: [[1, 0.5], [0, 1]] } }])).toThrow(/not symmetric/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "full", matrix: [[1, 0]] } }])).toThrow(/not 2×2/);
    expect(() => ringOfGaussians({ count: 1 })).toThrow(/count must be an integer ≥ 2/);
    expect(() => ringOfGaussians({ std: 0.6 })).toThrow(/std 0.6 must be below sigmaData 0.5/);
    expect(() => gaussianMixture([ok]).oracleSpec(0)).toThrow(/sigmaData must be positive/);
  });
});
