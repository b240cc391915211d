// Every built-in toy's density: it integrates to 1 on a grid finer than its smallest scale (σ after
// scaling); the mean log-density of 20k true draws is finite, agrees between two seeds within 0.05 nats and,
// where the entropy has a closed form up to negligible overlaps, equals −H (ring, grid, moons) or lies in
// the range the smoothing allows (checkerboard); true draws are "near" their mode at the 3σ rate (0.9973
// for mixtures, ≥ 0.99 for curves, all of them for the checkerboard) and spread over the modes by weight.
import { random } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { checkerboard, checkerboardCells } from "./checkerboard.js";
import { threeSigmaProbability } from "./chi-square.js";
import { curveSmoothingStd } from "./curve-density.js";
import { gridOfGaussians, ringOfGaussians } from "./gaussian-mixture.js";
import { spirals } from "./spirals.js";
import type { Toy } from "./toy.js";
import type { ToyDensity } from "./density.js";
import { twoMoons } from "./two-moons.js";

interface Case {
  readonly toy: Toy;
  /** The smallest std of the density after scaling: the integration grid's spacing. */
  readonly spacing: number;
  /** The half-widths of the integration box, which holds all the mass. */
  readonly box: readonly [number, number];
  /** "mixture" (near ≈ 0.9973), "curve" (≥ 0.99) or "cells" (all near). */
  readonly kind: "mixture" | "curve" | "cells";
}

// Scales of the defaults (σ_d = 0.5): moons 0.709, spirals 1.224, checkerboard 0.433 per cell.
const scaleOf = (toy: Toy, canonicalVariance: number): number => Math.sqrt((toy.covariance()[0]! + toy.covariance()[3]!) / 2 / canonicalVariance);
const moonsScale = scaleOf(twoMoons(), (0.75 + 9 / 16 - 1 / Math.PI + 2 * 0.05 ** 2) / 2);

const cases: [string, Case][] = [
  ["ring", { toy: ringOfGaussians(), spacing: 0.08, box: [1.4, 1.4], kind: "mixture" }],
  ["grid", { toy: gridOfGaussians(), spacing: 0.05, box: [1.2, 1.2], kind: "mixture" }],
  ["two moons", { toy: twoMoons(), spacing: 0.05 * moonsScale, box: [1.5, 1], kind: "curve" }],
  ["two moons, no noise (smoothed)", { toy: twoMoons({ noise: 0, scale: 1 }), spacing: curveSmoothingStd, box: [1.6, 0.9], kind: "curve" }],
  ["checkerboard", { toy: checkerboard(), spacing: 0.05 * 0.433, box: [1.1, 1.1], kind: "cells" }],
  ["spirals", { toy: spirals(), spacing: 0.02 * 1.2, box: [1.5, 1.5], kind: "curve" }],
  ["spirals, 3 arms, 2 turns", { toy: spirals({ arms: 3, turns: 2, noise: 0.05 }), spacing: 0.04, box: [1.6, 1.6], kind: "curve" }],
];

// The midpoint-rule integral of p over the box (for a density smooth on the scale of `spacing`, the error
// of such a grid is of order e^{−2π²} ≈ 3e−9 per Gaussian bump).
function integral(density: ToyDensity, spacing: number, [hx, hy]: readonly [number, number]): number {
  const nx = Math.ceil((2 * hx) / spacing);
  const ny = Math.ceil((2 * hy) / spacing);
  const points = new Float64Array(2 * nx * ny);
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) points.set([-hx + (i + 0.5) * spacing, -hy + (j + 0.5) * spacing], 2 * (i * ny + j));
  return density.logDensity(points).reduce((s, v) => s + Math.exp(v), 0) * spacing * spacing;
}

async function truthScore(toy: Toy, seed: number, n = 20_000) {
  const density = toy.density();
  const x = Float64Array.from(await toy.sample(random.key(seed), n, { dtype: "float64" }).data());
  const logs = density.logDensity(x);
  const shares = new Float64Array(density.modes.length);
  density.modeOf(x).forEach((m) => (shares[m] = shares[m]! + 1 / n));
  return { mean: logs.reduce((s, v) => s + v, 0) / n, near: density.near(x).reduce((s, v) => s + v, 0) / n, shares, finite: logs.every(Number.isFinite) };
}

describe.each(cases)("%s", (_name, { toy, spacing, box, kind }) => {
  test("the density integrates to 1", () => {
    expect(Math.abs(integral(toy.density(), spacing, box) - 1)).toBeLessThan(2e-3);
  });

  test("true draws: stable mean log-density, near their mode at the 3σ rate, spread over modes by weight", async () => {
    const [a, b] = [await truthScore(toy, 1), await truthScore(toy, 2)];
    expect(a.finite && b.finite).toBe(true);
    expect(Math.abs(a.mean - b.mean)).toBeLessThan(0.05);
    for (const s of [a, b]) {
      if (kind === "mixture") expect(Math.abs(s.near - threeSigmaProbability)).toBeLessThan(0.0015);
      else if (kind === "curve") expect(s.near).toBeGreaterThanOrEqual(0.99);
      else expect(s.near).toBe(1);
    }
    const modes = toy.density().modes;
    expect(modes.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    // Each share within 5 binomial standard errors of the mode's weight.
    modes.forEach((m, k) => expect(Math.abs(a.shares[k]! - m.weight)).toBeLessThan(5 * Math.sqrt((m.weight * (1 - m.weight)) / 20_000) + 1e-3));
  });
});

describe("mean log-density of true draws against the entropy", () => {
  test("well-separated mixtures: −H = −log K − log(2πeσ²)", async () => {
    const grid = (await truthScore(gridOfGaussians(), 3)).mean;
    expect(Math.abs(grid - (-Math.log(25) - Math.log(2 * Math.PI * Math.E * 0.05 ** 2)))).toBeLessThan(0.03);
    const ring = (await truthScore(ringOfGaussians(), 3)).mean;
    expect(Math.abs(ring - (-Math.log(8) - Math.log(2 * Math.PI * Math.E * 0.08 ** 2)))).toBeLessThan(0.03);
  });

  test("two moons: mass ½ spread over arc length π per moon, times a 1-D normal across it, scaled", async () => {
    const sigma = 0.05;
    const expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(2 * Math.PI * Math.E * sigma * sigma) - 2 * Math.log(moonsScale);
    expect(Math.abs((await truthScore(twoMoons(), 5)).mean - expected)).toBeLessThan(0.05);
  });

  test("checkerboard: at most −log(area) (Gibbs), and the smoothing costs under 0.15 nats", async () => {
    const s = 0.5 / Math.sqrt((1.25 + 1 / 12) * 1); // σ_d / the canonical per-coordinate std
    const negativeEntropy = -Math.log(checkerboardCells(4).length * s * s);
    const { mean } = await truthScore(checkerboard(), 6);
    expect(mean).toBeLessThan(negativeEntropy);
    expect(mean).toBeGreaterThan(negativeEntropy - 0.15);
  });
});

describe("evaluation", () => {
  test("finite far from the data (never −∞ for a finite point); NaN in, NaN out", () => {
    for (const [name, { toy }] of cases) {
      const density = toy.density();
      const logs = density.logDensity(Float64Array.of(0, 0, 40, -30, 1e3, 1e3, Number.NaN, 0));
      expect([name, logs.slice(0, 3).every(Number.isFinite)]).toEqual([name, true]);
      expect(logs[1]!).toBeLessThan(-1000);
      expect(Number.isNaN(logs[3]!)).toBe(true);
    }
  });

  test("descriptions say how the density is computed", () => {
    expect(twoMoons().density().description).toMatch(/exact up to quadrature \(noise 0\.05\)/);
    expect(twoMoons({ noise: 0 }).density().description).toMatch(/smoothed: noise 0, so the curves are blurred by an isotropic Gaussian of std 0\.01/);
    expect(spirals().density().description).toMatch(/quadrature/);
    expect(checkerboard().density().description).toMatch(/smoothed — the exact density convolved with an isotropic Gaussian of std 0\.05 cell widths/);
    expect(ringOfGaussians().density().description).toMatch(/exact Gaussian mixture density \(8 components in R\^2\)/);
    expect(checkerboard().density().modes.map((m) => m.label).slice(0, 2)).toEqual(["cell (0, 0)", "cell (0, 2)"]);
    expect(twoMoons().density().modes.map((m) => m.label)).toEqual(["upper moon", "lower moon"]);
  });

  test("asking the three questions of the same points agrees with asking each afresh, even after a mutation", () => {
    const density = spirals().density();
    const points = Float64Array.of(0.1, 0.2, -0.5, 0.3, 0.9, -0.9);
    const logs = density.logDensity(points);
    expect(density.logDensity(points)).toEqual(logs);
    points[0] = 0.4;
    const fresh = spirals().density();
    expect(density.logDensity(points)).toEqual(fresh.logDensity(points));
    expect(density.modeOf(points)).toEqual(fresh.modeOf(points));
    expect(density.near(points)).toEqual(fresh.near(points));
    expect(density.logDensity(points)[0]).not.toBe(logs[0]);
  });
});
