// The counter-based random source: Philox2x32-10 against the Random123 known-answer vectors, replayability and
// stream independence, uniforms strictly inside (0, 1), and the uniform and normal draws against their CDFs
// (Kolmogorov–Smirnov at a fixed seed).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { counterRandom, philox2x32 } from "./counter-random.js";
import { normalCdf } from "./normal-distribution.js";

/** The two-sided Kolmogorov–Smirnov statistic sup |F_n − F|. */
function ksStatistic(samples: number[], cdf: (x: number) => number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let worst = 0;
  sorted.forEach((x, i) => {
    const F = cdf(x);
    worst = Math.max(worst, (i + 1) / n - F, F - i / n);
  });
  return worst;
}

/** The KS critical value at significance 1e−3 (asymptotic: 1.949/√n). */
const ksCritical = (n: number): number => 1.949 / Math.sqrt(n);

describe("Philox2x32-10", () => {
  test("matches the Random123 known-answer vectors", () => {
    const hex = (words: number[]): string[] => words.map((w) => w.toString(16).padStart(8, "0"));
    expect(hex(philox2x32(0, 0, 0))).toEqual(["ff1dae59", "6cd10df2"]);
    expect(hex(philox2x32(0xffffffff, 0xffffffff, 0xffffffff))).toEqual(["2c3f628b", "ab4fd7ad"]);
    expect(hex(philox2x32(0x243f6a88, 0x85a308d3, 0x13198a2e))).toEqual(["dd7ce038", "f62a4c12"]);
  });
});

describe("counterRandom", () => {
  test("the same (seed, stream) replays the same draws; another seed or stream differs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffffffe }), fc.integer({ min: 0, max: 1000 }), (seed, stream) => {
        const draw = (s: number, k: number): number[] => {
          const random = counterRandom(s, k);
          return [random.uniform(), random.normal(), random.uniform(), random.normal()];
        };
        expect(draw(seed, stream)).toEqual(draw(seed, stream));
        expect(draw(seed + 1, stream)).not.toEqual(draw(seed, stream));
        expect(draw(seed, stream + 1)).not.toEqual(draw(seed, stream));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("uniform draws lie strictly in (0, 1) and pass a KS test; so do normals against Φ", () => {
    const random = counterRandom(20241011);
    const n = 20_000;
    const uniforms = Array.from({ length: n }, () => random.uniform());
    expect(uniforms.every((u) => u > 0 && u < 1)).toBe(true);
    expect(ksStatistic(uniforms, (u) => Math.min(1, Math.max(0, u)))).toBeLessThan(ksCritical(n));
    const normals = Array.from({ length: n }, () => random.normal());
    expect(ksStatistic(normals, normalCdf)).toBeLessThan(ksCritical(n));
    const mean = normals.reduce((a, b) => a + b, 0) / n;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  test("the KS test has power: shifted normals are rejected", () => {
    const random = counterRandom(7);
    const n = 20_000;
    const shifted = Array.from({ length: n }, () => random.normal() + 0.05);
    expect(ksStatistic(shifted, normalCdf)).toBeGreaterThan(ksCritical(n));
  });

  test("consecutive uniforms are uncorrelated", () => {
    const random = counterRandom(99);
    const n = 20_000;
    const u = Array.from({ length: n + 1 }, () => random.uniform() - 0.5);
    let lag = 0;
    for (let i = 0; i < n; i++) lag += u[i]! * u[i + 1]!;
    // Var(u − ½) = 1/12, so the lag-1 correlation has standard error 1/√n.
    expect(Math.abs((lag / n) * 12)).toBeLessThan(4 / Math.sqrt(n));
  });

  test("an invalid seed or stream is rejected with the value", () => {
    expect(() => counterRandom(-1)).toThrow(/seed must be an integer in \[0, 2\^32 − 1\], got -1/);
    expect(() => counterRandom(1.5)).toThrow(/got 1.5/);
    expect(() => counterRandom(1, 2 ** 32)).toThrow(/stream must be an integer/);
  });
});
