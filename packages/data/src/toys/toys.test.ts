// The 2-D toys: with fixed keys, sample means and covariances match the exact moments within Monte-Carlo
// error; noiseless draws lie on the stated support (moon arcs, filled checkerboard cells, spiral arms) and
// fill it evenly; the default scale makes σ_d = 0.5 right; draws are a pure function of the key (equal for
// equal keys, different for different keys, identical under jit); bad options are refused clearly.
import { getBackend, jit, random, type Tensor } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { checkerboard, checkerboardCells } from "./checkerboard.js";
import { spiralPoint, spirals } from "./spirals.js";
import { sampleDataset, sigmaDataScale, type Toy } from "./toy.js";
import { moments } from "../test-fixtures/moments.js";
import { twoMoons, twoMoonsCanonicalMean } from "./two-moons.js";

const n = 20_000;

async function expectMoments(toy: Toy, seed: number): Promise<void> {
  const { mean, covariance } = moments(await toy.sample(random.key(seed), n).data(), 2);
  const exact = { mean: toy.mean(), covariance: toy.covariance() };
  // Standard errors are ≈ 0.5/√n = 0.0035 (means) and ≈ 0.25·√2/√n = 0.0025 (covariances): allow ~4σ.
  for (let i = 0; i < 2; i++) expect(Math.abs(mean[i]! - exact.mean[i]!)).toBeLessThan(0.015);
  for (let i = 0; i < 4; i++) expect(Math.abs(covariance[i]! - exact.covariance[i]!)).toBeLessThan(0.012);
}

const toys: [string, () => Toy][] = [
  ["two moons", () => twoMoons()],
  ["two moons, no noise, scale 1", () => twoMoons({ noise: 0, scale: 1 })],
  ["checkerboard", () => checkerboard()],
  ["checkerboard 6×6", () => checkerboard({ cells: 6 })],
  ["spirals", () => spirals()],
  ["spirals, 3 arms, 2 turns", () => spirals({ arms: 3, turns: 2, noise: 0.05 })],
  ["spirals, 1 arm (non-zero canonical mean)", () => spirals({ arms: 1 })],
];

describe.each(toys)("%s", (_name, make) => {
  test("sample moments match the exact mean and covariance", async () => {
    await expectMoments(make(), 11);
  });

  test("draws are a pure function of the key, also under jit", async () => {
    const toy = make();
    const a = await toy.sample(random.key(3), 64).data();
    expect(await toy.sample(random.key(3), 64).data()).toEqual(a);
    expect(await toy.sample(random.key(4), 64).data()).not.toEqual(a);
    const jitted = jit((k: Tensor) => toy.sample(k, 64));
    const b = await jitted(random.key(3)).data();
    for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]! - a[i]!)).toBeLessThan(1e-5);
  });

  test("leaves only the draws alive (its temporaries are released)", () => {
    const toy = make();
    const key = random.key(0);
    const before = getBackend().liveBuffers();
    const draws = toy.sample(key, 16);
    expect(getBackend().liveBuffers()).toBe(before + 1);
    draws.dispose();
  });
});

describe("support", () => {
  test("noiseless moons lie on the two unit half-circles, each with probability ½", async () => {
    const s = 0.7;
    const x = await twoMoons({ noise: 0, scale: s }).sample(random.key(5), 4000).data();
    let lower = 0;
    for (let i = 0; i < 4000; i++) {
      const px = x[2 * i]! / s + twoMoonsCanonicalMean[0];
      const py = x[2 * i + 1]! / s + twoMoonsCanonicalMean[1];
      const upper = Math.abs(Math.hypot(px, py) - 1) < 1e-5 && py >= -1e-6;
      const onLower = Math.abs(Math.hypot(px - 1, py - 0.5) - 1) < 1e-5 && py <= 0.5 + 1e-6;
      expect(upper || onLower).toBe(true);
      if (onLower && !upper) lower++;
    }
    expect(Math.abs(lower / 4000 - 0.5)).toBeLessThan(0.04);
  });

  test("checkerboard draws fall only in the filled cells, each with probability 2/c²", async () => {
    const cells = 4;
    const x = await checkerboard({ cells, scale: 1 }).sample(random.key(6), 8000).data();
    const filled = new Map(checkerboardCells(cells).map(([i, j]) => [`${i},${j}`, 0]));
    for (let k = 0; k < 8000; k++) {
      const key = `${Math.floor(x[2 * k]! + cells / 2)},${Math.floor(x[2 * k + 1]! + cells / 2)}`;
      expect(filled.has(key)).toBe(true);
      filled.set(key, filled.get(key)! + 1);
    }
    for (const count of filled.values()) expect(Math.abs(count - 1000)).toBeLessThan(130); // ±4σ
  });

  test("noiseless spiral draws lie on one of the arms", async () => {
    const [arms, turns] = [3, 1.5];
    const x = await spirals({ arms, turns, noise: 0, scale: 1 }).sample(random.key(7), 2000).data();
    for (let k = 0; k < 2000; k++) {
      const [px, py] = [x[2 * k]!, x[2 * k + 1]!];
      const s = Math.hypot(px, py);
      const distance = Math.min(...Array.from({ length: arms }, (_, a) => {
        const [qx, qy] = spiralPoint(s, a, arms, turns);
        return Math.hypot(px - qx, py - qy);
      }));
      expect(distance).toBeLessThan(1e-4);
    }
  });
});

describe("scale", () => {
  test("the default scale makes the RMS per-coordinate std σ_d (0.5, or the one given)", () => {
    for (const toy of [twoMoons(), checkerboard(), spirals(), spirals({ arms: 1 })]) {
      const c = toy.covariance();
      expect((c[0]! + c[3]!) / 2).toBeCloseTo(0.25, 12);
    }
    const c = twoMoons({ sigmaData: 1 }).covariance();
    expect((c[0]! + c[3]!) / 2).toBeCloseTo(1, 12);
    expect(sigmaDataScale([4, 0, 0, 4], 2, 0.5)).toBeCloseTo(0.25, 14);
  });

  test("sampleDataset reads draws into an [n, 2] dataset", async () => {
    const data = await sampleDataset(twoMoons(), random.key(0), 10);
    expect(data.shape).toEqual([10, 2]);
    expect(data.values).toEqual(Float32Array.from(await twoMoons().sample(random.key(0), 10).data()));
  });
});

describe("bad options", () => {
  test("are refused with the offending value", () => {
    expect(() => checkerboard({ cells: 3 })).toThrow(/cells must be an even integer ≥ 2, got 3/);
    expect(() => twoMoons({ noise: -1 })).toThrow(/noise must be a finite number ≥ 0, got -1/);
    expect(() => twoMoons({ scale: 0 })).toThrow(/scale must be positive and finite, got 0/);
    expect(() => spirals({ arms: 0 })).toThrow(/arms must be a positive integer, got 0/);
    expect(() => spirals({ turns: Number.NaN })).toThrow(/turns must be positive/);
    expect(() => twoMoons().sample(random.key(0), 0)).toThrow(/number of draws must be a positive integer, got 0/);
    expect(() => twoMoons({ sigmaData: -0.5 })).toThrow(/sigmaData must be positive/);
  });
});
