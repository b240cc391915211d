// The exact mixture density: log p equals trigflow's oracle at t = 0 (an independent implementation, by
// eigendecomposition) and, for random diagonal mixtures, the textbook formula; modeOf is the component of
// highest posterior; in 16 dimensions with a full covariance, 99.73% of true draws are "near" (the χ²_16
// quantile at work); true draws of a well-separated mixture are assigned to the component they came from;
// a singular covariance, a bad point array and non-finite points are handled as documented.
import { random, type MixtureComponent } from "@scm-ts/core";
import { gaussianMixtureOracle } from "@scm-ts/trigflow";
import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { gaussianMixture, ringOfGaussians } from "./gaussian-mixture.js";
import { gaussianMixtureDensity } from "./mixture-density.js";
import { threeSigmaProbability } from "./chi-square.js";
import { fcParams } from "../test-fixtures/fc-params.js";

const anisotropic: MixtureComponent[] = [
  { weight: 1, mean: [-0.5, 0.2], covariance: { kind: "full", matrix: [[0.04, 0.018], [0.018, 0.02]] } },
  { weight: 3, mean: [0.4, -0.3], covariance: { kind: "diagonal", variances: [0.01, 0.09] } },
  { weight: 2, mean: [0.1, 0.6], covariance: { kind: "isotropic", variance: 0.0225 } },
];

// A d × d SPD matrix A·Aᵀ + 0.05·I from a seed (rows of sines: deterministic, well conditioned).
function spd(d: number, seed: number): number[][] {
  const a = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => 0.3 * Math.sin(seed * 3.1 + i * 1.7 + j * 2.3)));
  return a.map((row, i) => a.map((other, j) => row.reduce((s, v, k) => s + v * other[k]!, 0) + (i === j ? 0.05 : 0)));
}

describe("gaussianMixtureDensity", () => {
  test("log p and the mode equal trigflow's oracle at t = 0 on random points", () => {
    const density = gaussianMixtureDensity(anisotropic);
    const oracle = gaussianMixtureOracle({ components: anisotropic });
    const coordinate = fc.double({ min: -3, max: 3, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(coordinate, coordinate), { minLength: 1, maxLength: 20 }), (pts) => {
        const points = Float64Array.from(pts.flat());
        const logs = density.logDensity(points);
        const modes = density.modeOf(points);
        pts.forEach((x, i) => {
          expect(logs[i]!).toBeCloseTo(oracle.logDensity(x, 0), 9);
          const w = oracle.posteriorWeights(x, 0);
          expect(w[modes[i]!]!).toBeGreaterThanOrEqual(Math.max(...w) * (1 - 1e-9));
        });
      }),
      fcParams(50),
    );
    expect(density.modes.map((m) => m.weight)).toEqual([1 / 6, 3 / 6, 2 / 6]);
    expect(density.modes[0]!.label).toBe("component 0 at (-0.50, 0.20)");
  });

  test("random diagonal mixtures in 1–5 dimensions match the textbook formula", () => {
    const mixtureArb = fc.integer({ min: 1, max: 5 }).chain((d) =>
      fc.tuple(
        fc.array(
          fc.record({
            weight: fc.double({ min: 0.1, max: 5, noNaN: true }),
            mean: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
            variances: fc.array(fc.double({ min: 0.05, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d }),
      ),
    );
    fc.assert(
      fc.property(mixtureArb, ([cs, x]) => {
        const total = cs.reduce((s, c) => s + c.weight, 0);
        let p = 0;
        for (const c of cs) {
          let q = c.weight / total;
          c.mean.forEach((mu, i) => (q *= Math.exp(-((x[i]! - mu) ** 2) / (2 * c.variances[i]!)) / Math.sqrt(2 * Math.PI * c.variances[i]!)));
          p += q;
        }
        const density = gaussianMixtureDensity(cs.map((c) => ({ weight: c.weight, mean: c.mean, covariance: { kind: "diagonal", variances: c.variances } })));
        expect(density.logDensity(Float64Array.from(x))[0]!).toBeCloseTo(Math.log(p), 9);
      }),
      fcParams(100),
    );
  });

  test("in R^16 with a full covariance, 99.73% of true draws are near (χ²_16 quantile)", async () => {
    const d = 16;
    const mixture = gaussianMixture([
      { weight: 1, mean: Array.from({ length: d }, (_, i) => Math.cos(i)), covariance: { kind: "full", matrix: spd(d, 1) } },
      { weight: 2, mean: Array.from({ length: d }, (_, i) => -2 * Math.sin(i)), covariance: { kind: "full", matrix: spd(d, 2) } },
    ]);
    const n = 20_000;
    const x = Float64Array.from(await mixture.sample(random.key(5), n, { dtype: "float64" }).data());
    const near = mixture.density().near(x);
    const fraction = near.reduce((s, v) => s + v, 0) / n;
    // Binomial standard error √(0.0027·0.9973/20000) = 0.00037: allow 4σ.
    expect(Math.abs(fraction - threeSigmaProbability)).toBeLessThan(0.0015);
    const logs = mixture.density().logDensity(x);
    expect(logs.every((v) => Number.isFinite(v))).toBe(true);
  });

  test("true draws of each ring component are assigned to it and 99.73% of them are near", async () => {
    const ring = ringOfGaussians();
    const density = ring.density();
    let agree = 0;
    let near = 0;
    const per = 2500;
    for (const [k, c] of ring.components.entries()) {
      const x = Float64Array.from(await gaussianMixture([c]).sample(random.key(40 + k), per, { dtype: "float64" }).data());
      density.modeOf(x).forEach((m) => (agree += m === k ? 1 : 0));
      near += density.near(x).reduce((s, v) => s + v, 0);
    }
    // Neighbouring modes are 6.6σ apart: a draw crosses the midpoint with probability ≈ 2Φ(−3.3) ≈ 0.001.
    expect(agree / (8 * per)).toBeGreaterThan(0.996);
    expect(Math.abs(near / (8 * per) - threeSigmaProbability)).toBeLessThan(0.0015);
  });

  test("a singular covariance is refused naming the component; bad point arrays and non-finite points", () => {
    const ok = anisotropic[2]!;
    expect(() => gaussianMixtureDensity([ok, { ...ok, covariance: { kind: "isotropic", variance: 0 } }])).toThrow(/component 1: the covariance is singular/);
    expect(() => gaussianMixtureDensity([{ ...ok, covariance: { kind: "full", matrix: [[1, 1], [1, 1]] } }])).toThrow(/component 0: the covariance is singular/);
    expect(() => gaussianMixtureDensity([ok, { ...ok, mean: [1] }])).toThrow(/component 1 has a mean of length 1 but component 0 has 2/);
    expect(() => gaussianMixture([{ ...ok, covariance: { kind: "isotropic", variance: 0 } }]).density()).toThrow(/singular/);
    const density = gaussianMixtureDensity(anisotropic);
    expect(() => density.logDensity(Float64Array.of(1, 2, 3))).toThrow(/3 values are not whole points of dimension 2/);
    const points = Float64Array.of(0.4, -0.3, Number.NaN, 1, 1e3, -1e3);
    const logs = density.logDensity(points);
    expect(Number.isFinite(logs[0]!) && Number.isNaN(logs[1]!) && Number.isFinite(logs[2]!)).toBe(true);
    expect([...density.modeOf(points)][1]).toBe(-1);
    expect([...density.near(points)]).toEqual([1, 0, 0]);
  });
});
