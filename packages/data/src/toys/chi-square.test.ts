// The χ² quantile behind "within 3σ": it reproduces table values (including 9 for d = 1 at the 1-D 3σ
// probability and ≈ 11.83 for d = 2), has the closed forms of d = 2 (−2 log(1 − p)) and of the 1-D case
// (the normal quantile squared), inverts the regularized gamma function for random (d, p), and log Γ
// matches factorials and Γ(½) = √π.
import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { chiSquareCdf, chiSquareQuantile, logGamma, regularizedGammaP, threeSigmaMahalanobis2, threeSigmaProbability } from "./chi-square.js";
import { fcParams } from "../test-fixtures/fc-params.js";

describe("χ² quantile", () => {
  test("table values", () => {
    expect(threeSigmaMahalanobis2(1)).toBeCloseTo(9, 9);
    expect(chiSquareQuantile(0.9973, 1)).toBeCloseTo(8.99986, 4); // (Φ⁻¹(0.99865))², just under 9
    expect(chiSquareQuantile(0.9973, 2)).toBeCloseTo(11.829, 3);
    expect(threeSigmaMahalanobis2(2)).toBeCloseTo(-2 * Math.log(1 - threeSigmaProbability), 9);
    expect(chiSquareQuantile(0.95, 1)).toBeCloseTo(3.841459, 5);
    expect(chiSquareQuantile(0.95, 3)).toBeCloseTo(7.814728, 5);
    expect(chiSquareQuantile(0.95, 5)).toBeCloseTo(11.070498, 5);
    expect(chiSquareQuantile(0.99, 10)).toBeCloseTo(23.209251, 5);
    expect(chiSquareQuantile(0.999, 16)).toBeCloseTo(39.252354, 5);
    expect(chiSquareQuantile(0.5, 100)).toBeCloseTo(99.334129, 5);
  });

  test("d = 2 has the closed form −2 log(1 − p); the quantile inverts the CDF for any (d, p)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), (p) => {
        expect(chiSquareQuantile(p, 2)).toBeCloseTo(-2 * Math.log1p(-p), 8);
      }),
      fcParams(100),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 1e-4, max: 0.9999, noNaN: true }), (d, p) => {
        const q = chiSquareQuantile(p, d);
        expect(Math.abs(chiSquareCdf(q, d) - p)).toBeLessThan(1e-11);
        expect(chiSquareCdf(q * 1.001, d)).toBeGreaterThan(p);
      }),
      fcParams(100),
    );
  });

  test("P(a, x) at known points; log Γ at integers and ½", () => {
    expect(regularizedGammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 14); // the exponential CDF
    expect(regularizedGammaP(0.5, 4.5)).toBeCloseTo(0.9973002039367398, 12); // erf(3/√2)
    expect(regularizedGammaP(3, 0)).toBe(0);
    for (let n = 1; n <= 20; n++) {
      let factorial = 1;
      for (let k = 2; k < n; k++) factorial *= k;
      expect(logGamma(n)).toBeCloseTo(Math.log(factorial), 11);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
  });

  test("bad arguments are refused with the value", () => {
    expect(() => chiSquareQuantile(1, 2)).toThrow(/p must lie in \(0, 1\), got 1/);
    expect(() => chiSquareQuantile(0.5, 0)).toThrow(/degrees of freedom must be positive and finite, got 0/);
    expect(() => regularizedGammaP(-1, 1)).toThrow(/a must be positive/);
  });
});
