// Improved precision/recall: agreement with a brute-force reading of the definition on random small sets,
// (1, 1) for a set against itself, (0, 0) for far-apart sets, and on oracle mixtures a model that
// covers one of two modes well scores precision ≈ 1 and recall ≈ ½.
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { array } from "@scm-ts/core";
import { fcParams } from "@scm-ts/testing";
import { drawGaussian, drawMixture } from "./gaussian-draws.test-support.js";
import { precisionRecall } from "./precision-recall.js";
import type { HostSamples } from "./samples.js";

function bruteForce(real: number[][], fake: number[][], k: number): { precision: number; recall: number } {
  const dist = (a: number[], b: number[]): number => Math.hypot(...a.map((v, i) => v - b[i]!));
  const radii = (set: number[][]): number[] => set.map((p, i) => set.filter((_, j) => j !== i).map((q) => dist(p, q)).sort((a, b) => a - b)[k - 1]!);
  const inside = (query: number[][], set: number[][]): number => {
    const r = radii(set);
    return query.filter((q) => set.some((p, i) => dist(q, p) <= r[i]! * (1 + 1e-12))).length / query.length;
  };
  return { precision: inside(fake, real), recall: inside(real, fake) };
}

const host = (points: number[][]): HostSamples => ({ rows: points.length, cols: points[0]!.length, data: points.flat() });

describe("precision and recall (k-NN manifolds)", () => {
  it("agree with a brute-force reading of the definition", async () => {
    const setArb = (n: number) => fc.array(fc.array(fc.integer({ min: -20, max: 20 }).map((v) => v / 4), { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n + 15 });
    await fc.assert(
      fc.asyncProperty(setArb(6), setArb(6), fc.integer({ min: 1, max: 5 }), async (real, fake, k) => {
        const got = await precisionRecall(host(real), host(fake), { k });
        expect(got).toEqual(bruteForce(real, fake, k));
      }),
      fcParams(40),
    );
  });

  it("score (1, 1) for a set against itself and (0, 0) for far-apart sets", async () => {
    const x = drawGaussian([0, 0, 0], { kind: "isotropic", variance: 1 }, 300, 1);
    expect(await precisionRecall(x, x)).toEqual({ precision: 1, recall: 1 });
    const far = drawGaussian([100, 0, 0], { kind: "isotropic", variance: 1 }, 300, 2);
    expect(await precisionRecall(x, far)).toEqual({ precision: 0, recall: 0 });
  });

  it("a model that covers one of two modes: precision ≈ 1, recall ≈ ½", async () => {
    const modes = [
      { weight: 1, mean: [-4, 0], covariance: { kind: "isotropic", variance: 0.25 } as const },
      { weight: 1, mean: [4, 0], covariance: { kind: "isotropic", variance: 0.25 } as const },
    ];
    const real = drawMixture(modes, 1200, 3);
    const oneMode = drawGaussian([-4, 0], { kind: "isotropic", variance: 0.25 }, 600, 4);
    const { precision, recall } = await precisionRecall(real, oneMode, { k: 3 });
    expect(precision).toBeGreaterThan(0.95);
    expect(Math.abs(recall - 0.5)).toBeLessThan(0.05);
  });

  it("rejects k out of range and mismatched dimensions", async () => {
    await expect(precisionRecall(array([0, 1, 2], [3, 1]), array([0, 1, 2], [3, 1]), { k: 3 })).rejects.toThrow(/k = 3 with 3 points/);
    await expect(precisionRecall(array([0, 1, 2, 3], [4, 1]), array([0, 1, 2, 3], [2, 2]))).rejects.toThrow(/dimensions 1 and 2/);
  });
});
