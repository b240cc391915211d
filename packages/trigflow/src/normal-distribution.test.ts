// The standard normal functions against published reference values, their mutual consistency (Φ∘Φ⁻¹ = id,
// Φ' = φ, erf + erfc = 1) and input validation.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { erf, erfc, normalCdf, normalPdf, normalQuantile } from "./normal-distribution.js";

const options = { seed: 42, numRuns: 300 };

function expectRelative(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));
}

describe("reference values", () => {
  test("erf and erfc match tabulated values (erf to 2e−15, erfc to 1e−14 relative even in the far tail)", () => {
    expectRelative(erf(0.5), 0.5204998778130465, 2e-15);
    expectRelative(erf(1), 0.8427007929497149, 2e-15);
    expectRelative(erf(2), 0.9953222650189527, 2e-15);
    expectRelative(erfc(0.5), 0.4795001221869535, 1e-14);
    expectRelative(erfc(1), 0.15729920705028513, 1e-14);
    expectRelative(erfc(2), 0.004677734981047266, 1e-14);
    expectRelative(erfc(3), 2.209049699858544e-5, 1e-14);
    expectRelative(erfc(5), 1.5374597944280349e-12, 1e-14);
    expectRelative(erfc(10), 2.0884875837625447e-45, 1e-14);
    expect(erf(-1)).toBe(-erf(1));
    expect(erf(0)).toBe(0);
  });

  test("Φ and Φ⁻¹ match tabulated values", () => {
    expectRelative(normalCdf(1.96), 0.9750021048517795, 1e-15);
    expectRelative(normalCdf(-5), 2.866515718791939e-7, 1e-13);
    expectRelative(normalQuantile(0.975), 1.959963984540054, 1e-14);
    expectRelative(normalQuantile(1e-10), -6.361340902404056, 1e-14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });
});

describe("consistency", () => {
  test("Φ(Φ⁻¹(p)) = p: relatively to 3e−15·(1 + x²) in the lower tail down to 1e−300, absolutely near 1", () => {
    fc.assert(
      fc.property(fc.double({ min: -300, max: -0.302, noNaN: true }), (e) => {
        const p = 10 ** e;
        const x = normalQuantile(p);
        // Φ's own condition number at x is about x², so that is the best any implementation can do.
        expectRelative(normalCdf(x), p, 3e-15 * (1 + x * x));
        const q = 1 - p;
        expect(Math.abs(normalCdf(normalQuantile(q)) - q)).toBeLessThanOrEqual(1e-15);
      }),
      options,
    );
  });

  test("φ is the derivative of Φ and erf + erfc = 1", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        const h = 1e-5;
        const derivative = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
        expect(Math.abs(derivative - normalPdf(x))).toBeLessThan(1e-9);
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(2e-16 * 4);
      }),
      options,
    );
  });

  test("a probability outside [0, 1] is rejected", () => {
    expect(() => normalQuantile(1.5)).toThrow(/must lie in \[0, 1\], got 1.5/);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});
