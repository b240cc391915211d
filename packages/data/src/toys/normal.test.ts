// The log-space normal CDF: reference values deep in both tails (where Φ underflows but log Φ does not);
// for random intervals, agreement with ∫_a^b φ (Simpson's rule on the density), symmetry, and
// monotonicity in the interval.
import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { logNormalCdf, logNormalInterval } from "./normal.js";
import { fcParams } from "../test-fixtures/fc-params.js";

// Φ(z) by the same log form, exponentiated (tested against references first).
const cdf = (z: number): number => Math.exp(logNormalCdf(z));

// ∫_a^b φ by composite Simpson with 2000 intervals (relative error far below 1e−9 for b − a ≤ 16).
function simpson(a: number, b: number): number {
  const n = 2000;
  const h = (b - a) / n;
  let sum = 0;
  for (let k = 0; k <= n; k++) sum += (k === 0 || k === n ? 1 : k % 2 === 1 ? 4 : 2) * Math.exp(-0.5 * (a + k * h) ** 2);
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

describe("log Φ", () => {
  test("reference values, including far tails", () => {
    const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    expect(relative(cdf(0), 0.5)).toBeLessThan(1e-7);
    expect(relative(cdf(-3), 0.0013498980316301)).toBeLessThan(2e-7);
    expect(relative(cdf(1), 0.841344746068543)).toBeLessThan(2e-7);
    expect(relative(cdf(-10), 7.61985302416047e-24)).toBeLessThan(2e-7);
    // Φ(−40) underflows nowhere in log space: log Φ(−40) = −804.6084420137538.
    expect(logNormalCdf(-40)).toBeCloseTo(-804.6084420137538, 5);
    expect(logNormalCdf(40)).toBeCloseTo(0, 15);
    expect(logNormalCdf(-Infinity)).toBe(-Infinity);
  });

  test("log(Φ(b) − Φ(a)) agrees with ∫φ, is symmetric, and never shrinks as the interval grows", () => {
    const z = fc.double({ min: -8, max: 8, noNaN: true });
    fc.assert(
      fc.property(z, fc.double({ min: 0.05, max: 8, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }), (a, width, extra) => {
        const b = a + width;
        const logged = logNormalInterval(a, b);
        // erfc's relative error 1.2e−7 grows by Φ(b)/(Φ(b) − Φ(a)) ≤ ~40 for intervals this wide.
        expect(Math.abs(logged - Math.log(simpson(a, b)))).toBeLessThan(1e-5);
        expect(logNormalInterval(-b, -a)).toBeCloseTo(logged, 10);
        expect(logNormalInterval(a, b + extra)).toBeGreaterThanOrEqual(logged);
        expect(logNormalInterval(a - extra, b)).toBeGreaterThanOrEqual(logged);
      }),
      fcParams(200),
    );
    // Far in a tail, where both CDFs are 0 or 1 in float64: log(Φ(−30) − Φ(−50)) ≈ log Φ(−30).
    expect(logNormalInterval(-50, -30)).toBeCloseTo(logNormalCdf(-30), 8);
    expect(logNormalInterval(30, 50)).toBeCloseTo(logNormalCdf(-30), 8);
    expect(logNormalInterval(-Infinity, Infinity)).toBeCloseTo(0, 15);
    expect(() => logNormalInterval(1, 1)).toThrow(/need a < b/);
  });
});
