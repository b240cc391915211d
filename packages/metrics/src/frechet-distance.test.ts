// Fréchet distance: the Gaussian formula against independent closed forms (2-D: tr √M = √(tr M + 2√det M);
// commuting covariances: Σ√(a_i b_i); general: trigflow's Jacobi matrix square root), the sample version
// against the formula on oracle draws, ≈ 0 for identical sets, monotone growth with added noise, and the
// feature network as a parameter (batched, on engine tensors).
import { describe, expect, it } from "vitest";
import { array, matmul, random, reshape, type Tensor } from "@scm-ts/core";
import { matMul, matrix, symmetricMatrixFunction as jacobiFunction, transpose } from "@scm-ts/trigflow";
import { drawGaussian } from "./gaussian-draws.test-support.js";
import { frechetDistance, frechetDistanceBetweenGaussians } from "./frechet-distance.js";
import { gaussianFit, type GaussianFit } from "./gaussian-fit.js";
import { toSamples } from "./samples.js";

const fit = (mean: number[], cov: number[][]): GaussianFit => ({ d: mean.length, mean: Float64Array.from(mean), covariance: Float64Array.from(cov.flat()) });

/** ‖Δ‖² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂) with the 2×2 identity tr √M = √(tr M + 2√det M). */
function closedForm2d(m1: number[], s1: number[][], m2: number[], s2: number[][]): number {
  const p = [
    [s1[0]![0]! * s2[0]![0]! + s1[0]![1]! * s2[1]![0]!, s1[0]![0]! * s2[0]![1]! + s1[0]![1]! * s2[1]![1]!],
    [s1[1]![0]! * s2[0]![0]! + s1[1]![1]! * s2[1]![0]!, s1[1]![0]! * s2[0]![1]! + s1[1]![1]! * s2[1]![1]!],
  ];
  const tr = p[0]![0]! + p[1]![1]!, det = p[0]![0]! * p[1]![1]! - p[0]![1]! * p[1]![0]!;
  const mean = (m1[0]! - m2[0]!) ** 2 + (m1[1]! - m2[1]!) ** 2;
  return mean + s1[0]![0]! + s1[1]![1]! + s2[0]![0]! + s2[1]![1]! - 2 * Math.sqrt(tr + 2 * Math.sqrt(det));
}

/** A random SPD matrix B·Bᵀ + 0.1·I from a seed. */
function spd(d: number, seed: number): number[][] {
  const b = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed * 7.1 + i * 3.3 + j * 1.7)));
  return b.map((row, i) => b.map((other, j) => row.reduce((s, v, k) => s + v * other[k]!, 0) + (i === j ? 0.1 : 0)));
}

describe("Fréchet distance between Gaussians", () => {
  it("matches the 2-D closed form", () => {
    const cases: [number[], number[][], number[], number[][]][] = [
      [[0, 0], [[1, 0], [0, 1]], [0, 0], [[1, 0], [0, 1]]],
      [[1, 2], [[2, 0.5], [0.5, 1]], [-1, 0.5], [[0.3, -0.1], [-0.1, 4]]],
      [[0, 0], [[1, 0.99], [0.99, 1]], [3, -3], [[1e-3, 0], [0, 2]]],
    ];
    for (const [m1, s1, m2, s2] of cases) {
      const expected = closedForm2d(m1, s1, m2, s2);
      expect(frechetDistanceBetweenGaussians(fit(m1, s1), fit(m2, s2))).toBeCloseTo(Math.max(0, expected), 10);
    }
  });

  it("matches Σ√(a_i b_i) for commuting covariances and a Jacobi-based reference for full ones", () => {
    const a = [1, 4, 0.25, 9, 2], b = [2, 1, 1, 0.5, 2];
    const diag = (v: number[]): number[][] => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const expected = 1 + a.reduce((s, ai, i) => s + ai + b[i]! - 2 * Math.sqrt(ai * b[i]!), 0);
    expect(frechetDistanceBetweenGaussians(fit([1, 0, 0, 0, 0], diag(a)), fit([0, 0, 0, 0, 0], diag(b)))).toBeCloseTo(expected, 10);
    for (const d of [3, 8, 20]) {
      const s1 = spd(d, d), s2 = spd(d, d + 1);
      const m1 = Array.from({ length: d }, (_, i) => Math.cos(i)), m2 = Array.from({ length: d }, (_, i) => Math.sin(i));
      const root1 = jacobiFunction(matrix(s1), (v) => Math.sqrt(Math.max(v, 0)));
      const inner = matMul(matMul(root1, matrix(s2)), transpose(root1));
      const root = jacobiFunction(inner, (v) => Math.sqrt(Math.max(v, 0)));
      let reference = 0;
      for (let i = 0; i < d; i++) reference += (m1[i]! - m2[i]!) ** 2 + s1[i]![i]! + s2[i]![i]! - 2 * root.data[i * d + i]!;
      expect(Math.abs(frechetDistanceBetweenGaussians(fit(m1, s1), fit(m2, s2)) - reference)).toBeLessThan(1e-9 * Math.max(1, reference));
    }
    expect(() => frechetDistanceBetweenGaussians(fit([0], [[1]]), fit([0, 0], [[1, 0], [0, 1]]))).toThrow(/dimensions 1 and 2/);
  });
});

describe("Fréchet distance of sample sets", () => {
  it("estimates the closed form from oracle draws, and is ≈ 0 for a set against itself", async () => {
    const m1 = [0, 1], s1 = [[1, 0.4], [0.4, 0.5]], m2 = [0.5, 0], s2 = [[0.6, -0.2], [-0.2, 1.5]];
    const x = drawGaussian(m1, { kind: "full", matrix: s1 }, 20000, 1);
    const y = drawGaussian(m2, { kind: "full", matrix: s2 }, 20000, 2);
    const exact = closedForm2d(m1, s1, m2, s2);
    expect(Math.abs((await frechetDistance(x, y)) - exact)).toBeLessThan(0.02 + 0.03 * exact);
    expect(await frechetDistance(x, x)).toBeLessThan(1e-9);
  });

  it("grows monotonically with the noise added to a feature set", async () => {
    const d = 8, n = 2000;
    const x = await toSamples(drawGaussian(Array<number>(d).fill(0), { kind: "full", matrix: spd(d, 3) }, n, 5), "x");
    const noise = await toSamples(drawGaussian(Array<number>(d).fill(0), { kind: "isotropic", variance: 1 }, n, 6), "noise");
    const scales = [0, 0.05, 0.1, 0.2, 0.5, 1, 2, 4];
    const fds = scales.map((s) => {
      const y = Float64Array.from(x.data, (v, i) => v + s * noise.data[i]!);
      return frechetDistanceBetweenGaussians(gaussianFit(x), gaussianFit({ n, d, data: y }));
    });
    expect(fds[0]).toBeLessThan(1e-9);
    for (let k = 1; k < fds.length; k++) expect(fds[k]!).toBeGreaterThan(fds[k - 1]!);
  });

  it("takes the feature network as a parameter, batched over engine tensors", async () => {
    // 10 "images" [10, 1, 2, 2]; features = a fixed linear map of the flattened pixels to 3 dimensions.
    const images = random.normal(random.key(3), [10, 1, 2, 2]);
    const other = random.normal(random.key(4), [12, 1, 2, 2]);
    const w = array([1, 0, 2, 0, 1, -1, 0.5, 0.5, 0, 3, 0, 1], [4, 3]);
    const calls: number[] = [];
    const features = (batch: Tensor): Tensor => {
      calls.push(batch.shape[0]!);
      return matmul(reshape(batch, [batch.shape[0]!, 4]), w);
    };
    const fd = await frechetDistance(images, other, { features, batchSize: 4 });
    expect(calls).toEqual([4, 4, 2, 4, 4, 4]);
    const direct = frechetDistanceBetweenGaussians(
      gaussianFit(await toSamples(matmul(reshape(images, [10, 4]), w), "x")),
      gaussianFit(await toSamples(matmul(reshape(other, [12, 4]), w), "y")),
    );
    expect(fd).toBeCloseTo(direct, 10);
    // Without a network the inputs are flattened.
    expect(await frechetDistance(images, images)).toBeLessThan(1e-9);
    await expect(frechetDistance(images, other, { features: (b) => reshape(b, [-1]) })).rejects.toThrow(/must keep the batch axis/);
    await expect(frechetDistance(array([1, 2], [1, 2]), array([1, 2, 3, 4], [2, 2]))).rejects.toThrow(/frechetDistance: x: 1 points; a covariance needs at least 2/);
  });
});
