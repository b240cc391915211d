// Sliced Wasserstein: the exact 1-D distance on hand-computed cases and against the equal-size sorted
// matching of replicated samples; directions uniform on the sphere; and SW between Gaussians drawn from
// the trigflow oracles against the per-direction closed form and its direction average ‖Δ‖²/d.
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { array, random } from "@scm-ts/core";
import { fcParams } from "@scm-ts/testing";
import { drawGaussian } from "./gaussian-draws.test-support.js";
import { randomDirections, slicedWasserstein, slicedWassersteinTerms } from "./sliced-wasserstein.js";
import { toSamples } from "./samples.js";
import { wasserstein1d, wassersteinPowerSorted } from "./wasserstein-1d.js";

describe("exact 1-D Wasserstein", () => {
  it("hand-computed cases", () => {
    expect(wasserstein1d([0], [0, 1]) ** 2).toBeCloseTo(0.5, 15);
    expect(wasserstein1d([0, 1, 2], [0, 2]) ** 2).toBeCloseTo(1 / 3, 15);
    expect(wasserstein1d([3, 1, 2], [2, 3, 4])).toBeCloseTo(1, 15);
    expect(wasserstein1d([0, 0], [1, 3], 1)).toBeCloseTo(2, 15);
    expect(() => wasserstein1d([], [1])).toThrow(/empty sample/);
    expect(() => wasserstein1d([1], [1], 0.5)).toThrow(/p ≥ 1/);
  });

  it("different sizes equal the sorted matching of the samples replicated to a common size", () => {
    const sample = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, fc.constantFrom(1, 2, 3), (a, b, p) => {
        const ra = a.flatMap((v) => Array<number>(b.length).fill(v)), rb = b.flatMap((v) => Array<number>(a.length).fill(v));
        const sorted = (v: number[]): Float64Array => Float64Array.from(v).sort();
        const expected = wassersteinPowerSorted(sorted(ra), sorted(rb), p);
        expect(Math.abs(wassersteinPowerSorted(sorted(a), sorted(b), p) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
        // Translation moves W by exactly the shift for equal samples.
        expect(wasserstein1d(a, a.map((v) => v + 2.5), p)).toBeCloseTo(2.5, 9);
      }),
      fcParams(100),
    );
  });
});

/** The per-direction closed form of W₂² between N(μ₁, Σ₁) and N(μ₂, Σ₂) projected on unit θ. */
function gaussianSliceW2(theta: Float64Array, mu1: number[], s1: number[][], mu2: number[], s2: number[][]): number {
  const d = mu1.length;
  let shift = 0, v1 = 0, v2 = 0;
  for (let i = 0; i < d; i++) {
    shift += theta[i]! * (mu1[i]! - mu2[i]!);
    for (let j = 0; j < d; j++) (v1 += theta[i]! * s1[i]![j]! * theta[j]!), (v2 += theta[i]! * s2[i]![j]! * theta[j]!);
  }
  return shift ** 2 + (Math.sqrt(v1) - Math.sqrt(v2)) ** 2;
}

describe("sliced Wasserstein on Gaussians (trigflow oracle draws)", () => {
  it("directions are unit vectors, uniform on the sphere: E(θ·Δ)² = ‖Δ‖²/d", async () => {
    const d = 4, L = 20000;
    const dirs = await randomDirections(random.key(11), L, d);
    let mean = 0;
    for (let l = 0; l < L; l++) {
      let norm = 0;
      for (let k = 0; k < d; k++) norm += dirs[l * d + k]! ** 2;
      expect(norm).toBeCloseTo(1, 12);
      mean += (dirs[l * d]! + 2 * dirs[l * d + 1]!) ** 2 / L; // Δ = (1, 2, 0, 0)
    }
    expect(mean).toBeCloseTo(5 / 4, 1);
    expect(Math.abs(mean - 5 / 4)).toBeLessThan(0.03);
  });

  it("matches the per-direction closed form for anisotropic full-covariance Gaussians", async () => {
    const mu1 = [0, 0, 0], mu2 = [1, -0.5, 0.25];
    const s1 = [[1, 0.3, 0], [0.3, 0.5, 0.1], [0, 0.1, 0.8]], s2 = [[2, 0, -0.2], [0, 1, 0], [-0.2, 0, 0.3]];
    const x = await toSamples(drawGaussian(mu1, { kind: "full", matrix: s1 }, 6000, 1), "x");
    const y = await toSamples(drawGaussian(mu2, { kind: "full", matrix: s2 }, 5000, 2), "y");
    const L = 48;
    const dirs = await randomDirections(random.key(5), L, 3);
    const terms = slicedWassersteinTerms(x, y, dirs);
    let estimate = 0, truth = 0;
    for (let l = 0; l < L; l++) {
      const exact = gaussianSliceW2(dirs.subarray(3 * l, 3 * l + 3), mu1, s1, mu2, s2);
      expect(Math.abs(terms[l]! - exact)).toBeLessThan(0.04 + 0.06 * exact);
      estimate += terms[l]! / L;
      truth += exact / L;
    }
    expect(Math.abs(estimate - truth)).toBeLessThan(0.02 + 0.03 * truth);
    // The public function uses the same directions for the same key.
    expect(await slicedWasserstein(drawGaussian(mu1, { kind: "full", matrix: s1 }, 6000, 1), drawGaussian(mu2, { kind: "full", matrix: s2 }, 5000, 2), { key: random.key(5), projections: L })).toBeCloseTo(Math.sqrt(estimate), 12);
  });

  it("SW₂² between N(μ₁, σ²I) and N(μ₂, σ²I) is ‖μ₁ − μ₂‖²/d; equal means differ only by (σ₁ − σ₂)²", async () => {
    const d = 4, L = 400;
    const x = drawGaussian([0, 0, 0, 0], { kind: "isotropic", variance: 0.5 }, 2000, 3);
    const y = drawGaussian([1, 1, -1, 1], { kind: "isotropic", variance: 0.5 }, 2000, 4);
    const sw = await slicedWasserstein(x, y, { key: random.key(7), projections: L });
    // Given the directions, the population value is mean (θ·Δ)²; sampling error is small against it.
    const dirs = await randomDirections(random.key(7), L, d);
    let given = 0;
    for (let l = 0; l < L; l++) given += (dirs[4 * l]! + dirs[4 * l + 1]! - dirs[4 * l + 2]! + dirs[4 * l + 3]!) ** 2 / L;
    expect(Math.abs(sw ** 2 - given)).toBeLessThan(0.03);
    // Over directions its expectation is ‖Δ‖²/d = 1; (θ·Δ)² has relative spread 1, so L = 400 leaves ±0.05 (1σ).
    expect(Math.abs(sw ** 2 - 4 / d)).toBeLessThan(0.15);
    const wide = drawGaussian([0, 0, 0, 0], { kind: "isotropic", variance: 4 }, 4000, 5);
    const sw2 = await slicedWasserstein(x, wide, { key: random.key(8), projections: 64 });
    expect(Math.abs(sw2 ** 2 - (2 - Math.SQRT1_2) ** 2)).toBeLessThan(0.03 * (2 - Math.SQRT1_2) ** 2);
    // Same distribution, independent draws: near 0.
    const again = drawGaussian([0, 0, 0, 0], { kind: "isotropic", variance: 0.5 }, 4000, 6);
    expect(await slicedWasserstein(x, again, { key: random.key(9), projections: 64 })).toBeLessThan(0.05);
  });

  it("takes engine tensors and rejects bad input with the set named", async () => {
    const a = array([0, 0, 1, 1, 2, 2], [3, 2]), b = array([0, 0, 1, 1, 2, 2], [3, 2]);
    expect(await slicedWasserstein(a, b, { key: random.key(0) })).toBe(0);
    await expect(slicedWasserstein(array([0, NaN], [1, 2]), b, { key: random.key(0) })).rejects.toThrow(/slicedWasserstein: x: point 0 has the non-finite value NaN at coordinate 1/);
    await expect(slicedWasserstein(a, array([1, 2, 3], [1, 3]), { key: random.key(0) })).rejects.toThrow(/dimensions 2 and 3/);
    await expect(slicedWasserstein(array([1, 2, 3]), b, { key: random.key(0) })).rejects.toThrow(/pass points as \[N, D\]/);
  });
});
