// MMD with the RBF kernel against its closed form on Gaussian mixtures (drawn from the trigflow oracles):
// for k(x, y) = exp(−‖x − y‖²/(2h²)), X ~ N(a, A), Y ~ N(b, B) with diagonal covariances,
// E k(X, Y) = Π_i (h²/(h² + A_i + B_i))^{1/2} · exp(−½ Σ_i (a_i − b_i)²/(h² + A_i + B_i)),
// and MMD² = E k(X, X') + E k(Y, Y') − 2 E k(X, Y) sums that over component pairs. Also the estimator's
// unbiasedness under the null, the median heuristic and input checks.
import { describe, expect, it } from "vitest";
import { array } from "@scm-ts/core";
import type { MixtureComponent } from "@scm-ts/core";
import { drawGaussian, drawMixture } from "./gaussian-draws.test-support.js";
import { mmd } from "./mmd.js";

interface DiagonalComponent {
  readonly weight: number;
  readonly mean: number[];
  readonly variances: number[];
}

function expectedKernel(p: readonly DiagonalComponent[], q: readonly DiagonalComponent[], h: number): number {
  const wp = p.reduce((s, c) => s + c.weight, 0), wq = q.reduce((s, c) => s + c.weight, 0);
  let sum = 0;
  for (const a of p) {
    for (const b of q) {
      let factor = 1, exponent = 0;
      a.mean.forEach((_, i) => {
        const s = h * h + a.variances[i]! + b.variances[i]!;
        factor *= Math.sqrt((h * h) / s);
        exponent += (a.mean[i]! - b.mean[i]!) ** 2 / s;
      });
      sum += ((a.weight / wp) * (b.weight / wq)) * factor * Math.exp(-0.5 * exponent);
    }
  }
  return sum;
}

function closedFormMmd2(p: readonly DiagonalComponent[], q: readonly DiagonalComponent[], h: number): number {
  return expectedKernel(p, p, h) + expectedKernel(q, q, h) - 2 * expectedKernel(p, q, h);
}

const asMixture = (cs: readonly DiagonalComponent[]): MixtureComponent[] => cs.map((c) => ({ weight: c.weight, mean: c.mean, covariance: { kind: "diagonal", variances: c.variances } }));

describe("MMD (unbiased, RBF kernel)", () => {
  it("matches the closed form between two Gaussians", async () => {
    const p = [{ weight: 1, mean: [0, 0, 0], variances: [1, 0.5, 2] }];
    const q = [{ weight: 1, mean: [1, 0, -0.5], variances: [1.5, 0.5, 1] }];
    const h = 1.5;
    const { mmd2, bandwidth } = await mmd(drawMixture(asMixture(p), 3000, 1), drawMixture(asMixture(q), 3000, 2), { bandwidth: h });
    expect(bandwidth).toBe(h);
    const exact = closedFormMmd2(p, q, h);
    expect(exact).toBeGreaterThan(0.05);
    // Across seeds the estimate spreads by about 0.005 at these sizes: the tolerance is 3σ.
    expect(Math.abs(mmd2 - exact)).toBeLessThan(0.015);
  });

  it("matches the closed form between two Gaussian mixtures (a model that misses a mode)", async () => {
    const data = [
      { weight: 1, mean: [-2, 0], variances: [0.1, 0.1] },
      { weight: 1, mean: [2, 0], variances: [0.1, 0.1] },
      { weight: 2, mean: [0, 2], variances: [0.2, 0.05] },
    ];
    const model = [
      { weight: 1, mean: [-2, 0.1], variances: [0.15, 0.1] },
      { weight: 3, mean: [0, 2], variances: [0.2, 0.05] },
    ];
    const h = 1;
    const { mmd2 } = await mmd(drawMixture(asMixture(data), 3000, 3), drawMixture(asMixture(model), 3000, 4), { bandwidth: h });
    const exact = closedFormMmd2(data, model, h);
    expect(exact).toBeGreaterThan(0.05);
    expect(Math.abs(mmd2 - exact)).toBeLessThan(0.015);
  });

  it("is unbiased under the null (|MMD²_u| tiny), and the median heuristic finds the median distance", async () => {
    const x = drawGaussian([0, 0], { kind: "isotropic", variance: 1 }, 1200, 5);
    const y = drawGaussian([0, 0], { kind: "isotropic", variance: 1 }, 1000, 6);
    const { mmd2, bandwidth } = await mmd(x, y);
    expect(Math.abs(mmd2)).toBeLessThan(0.003);
    // ‖X − X'‖² ~ 2σ²·χ²₂, whose median is 2σ²·2 ln 2.
    expect(Math.abs(bandwidth - Math.sqrt(4 * Math.LN2))).toBeLessThan(0.05 * Math.sqrt(4 * Math.LN2));
  });

  it("takes engine tensors and rejects bad input", async () => {
    const r = await mmd(array([0, 1, 2, 3], [4, 1]), array([0, 1, 2, 3], [4, 1]), { bandwidth: 1 });
    expect(r.mmd2).toBeLessThan(0);
    await expect(mmd(array([0], [1, 1]), array([0, 1], [2, 1]))).rejects.toThrow(/mmd: x: 1 points; this metric needs at least 2/);
    await expect(mmd(array([0, 0], [2, 1]), array([0, 0], [2, 1]))).rejects.toThrow(/median heuristic \(are all points equal\?\)/);
    await expect(mmd(array([0, 1], [2, 1]), array([0, 1], [2, 1]), { bandwidth: -1 })).rejects.toThrow(/bandwidth -1/);
  });
});
