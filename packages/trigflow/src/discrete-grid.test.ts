// The discrete-time CM grid and its categorical time distribution: grid endpoints and ρ-spacing, the split of
// the log-normal proposal over the intervals, sampled frequencies against those probabilities (χ² at a fixed
// seed, with a power check), pairs (t, t′) = (t_{i+1}, t_i), and validation.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { counterRandom } from "./counter-random.js";
import { discreteTimeDistribution, edmTimeGrid } from "./discrete-grid.js";
import { logNormalTimeDistribution, logNormalPresets } from "./time-samplers.js";

describe("edmTimeGrid", () => {
  test("starts at 0, spans arctan(σ_min/σ_d)…arctan(σ_max/σ_d), increases, and is ρ-spaced in σ", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.double({ min: 0.1, max: 2, noNaN: true }), (n, sigmaData) => {
        const grid = edmTimeGrid(n, { sigmaData });
        expect(grid.length).toBe(n + 1);
        expect(grid[0]).toBe(0);
        expect(grid[1]).toBeCloseTo(Math.atan(0.002 / sigmaData), 14);
        expect(grid[n]).toBeCloseTo(Math.atan(80 / sigmaData), 14);
        expect(grid.every((t, i) => i === 0 || t > grid[i - 1]!)).toBe(true);
        // σ^{1/7} is evenly spaced over the positive grid points.
        const root = Array.from(grid.subarray(1), (t) => (sigmaData * Math.tan(t)) ** (1 / 7));
        const step = root[1]! - root[0]!;
        const worst = Math.max(...root.map((r, i) => Math.abs(r - root[0]! - i * step)));
        expect(worst).toBeLessThan(1e-10);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("rejects too few intervals and bad σ settings", () => {
    expect(() => edmTimeGrid(1)).toThrow(/intervals N ≥ 2, got 1/);
    expect(() => edmTimeGrid(10, { sigmaMin: 5, sigmaMax: 1 })).toThrow(/sigmaMin 5, sigmaMax 1/);
    expect(() => edmTimeGrid(10, { rho: 0 })).toThrow(/rho must be positive/);
  });
});

describe("discreteTimeDistribution", () => {
  const parameters = logNormalPresets.cifar10;
  const grid = edmTimeGrid(16);
  const distribution = discreteTimeDistribution(grid, parameters);

  test("interval probabilities are the log-normal masses, renormalised over the grid", () => {
    const continuous = logNormalTimeDistribution(parameters);
    const total = continuous.cdf(grid[16]!);
    distribution.probabilities.forEach((p, i) => {
      expect(p).toBeCloseTo((continuous.cdf(grid[i + 1]!) - continuous.cdf(grid[i]!)) / total, 14);
    });
    expect(distribution.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  test("sampled frequencies match the probabilities (χ², 15 degrees of freedom, fixed seed)", () => {
    const random = counterRandom(31415);
    const n = 40_000;
    const counts = new Array<number>(16).fill(0);
    let mismatchedPairs = 0;
    for (let j = 0; j < n; j++) {
      const pair = distribution.sample(random);
      if (pair.t !== grid[pair.index + 1] || pair.tPrime !== grid[pair.index]) mismatchedPairs++;
      counts[pair.index]!++;
    }
    expect(mismatchedPairs).toBe(0);
    const chiSquare = counts.reduce((sum, count, i) => {
      const expected = n * distribution.probabilities[i]!;
      return sum + (count - expected) ** 2 / expected;
    }, 0);
    expect(chiSquare).toBeLessThan(37.7); // the 0.999 quantile of χ²(15)
    // Power: the same counts against a shifted proposal's probabilities are rejected.
    const shifted = discreteTimeDistribution(grid, { pMean: parameters.pMean + 0.2, pStd: parameters.pStd });
    const chiShifted = counts.reduce((sum, count, i) => sum + (count - n * shifted.probabilities[i]!) ** 2 / (n * shifted.probabilities[i]!), 0);
    expect(chiShifted).toBeGreaterThan(37.7);
  });

  test("rejects grids that do not start at 0 or do not increase", () => {
    expect(() => discreteTimeDistribution([0.1, 0.5], parameters)).toThrow(/must start at t_0 = 0, got 0.1/);
    expect(() => discreteTimeDistribution([0, 0.5, 0.4], parameters)).toThrow(/grid\[2\] = 0.4 must exceed grid\[1\] = 0.5/);
    expect(() => discreteTimeDistribution([0], parameters)).toThrow(/at least 2 points/);
  });
});
