// The Dormand–Prince 5(4) integrator against ODEs with known solutions (decay, forced, rotation), forward and
// backward in time; its error shrinks with the tolerance; it reports a hopeless integration instead of
// looping, and rejects non-finite input.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { integrateDopri5 } from "./adaptive-ode.js";

describe("integrateDopri5", () => {
  test("y' = λy reaches y0·e^{λ(t1 − t0)} to ~1e−10 relative, in either direction", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (lambda, t0, t1) => {
          const { y } = integrateDopri5((state) => state.map((v) => lambda * v), [1.5], t0, t1);
          const exact = 1.5 * Math.exp(lambda * (t1 - t0));
          expect(Math.abs(y[0]! - exact)).toBeLessThan(2e-9 * exact + 1e-12);
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  test("never evaluates the right-hand side outside [t0, t1], even for tiny spans or states near 0", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        fc.double({ min: -12, max: 0, noNaN: true }),
        fc.double({ min: -1e-15, max: 1e-15, noNaN: true }),
        (lambda, t0, logSpan, y0) => {
          const t1 = t0 - 10 ** logSpan;
          let outside = 0;
          integrateDopri5((y, t) => {
            if (t < t1 || t > t0) outside++;
            return y.map((v) => lambda * v + Math.cos(t));
          }, [y0], t0, t1);
          expect(outside).toBe(0);
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  test("a rotation y'' = −y keeps its exact phase over several periods", () => {
    const { y, acceptedSteps } = integrateDopri5((s) => Float64Array.of(s[1]!, -s[0]!), [1, 0], 0, 20);
    expect(Math.abs(y[0]! - Math.cos(20))).toBeLessThan(1e-8);
    expect(Math.abs(y[1]! + Math.sin(20))).toBeLessThan(1e-8);
    expect(acceptedSteps).toBeGreaterThan(10);
  });

  test("a time-dependent right-hand side y' = cos t integrates to sin t1 − sin t0", () => {
    const { y } = integrateDopri5((_s, t) => Float64Array.of(Math.cos(t)), [0], Math.PI / 2, 0);
    expect(Math.abs(y[0]! + 1)).toBeLessThan(1e-10);
  });

  test("the global error shrinks as rtol tightens", () => {
    const exact = Math.exp(-4);
    const errors = [1e-4, 1e-7, 1e-10].map((rtol) => {
      const { y } = integrateDopri5((s) => s.map((v) => -v), [1], 0, 4, { rtol, atol: rtol * 1e-2 });
      return Math.abs(y[0]! - exact) / exact;
    });
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[2]!).toBeLessThan(errors[1]!);
    expect(errors[2]!).toBeLessThan(1e-9);
  });

  test("equal start and end times return the initial state untouched", () => {
    const result = integrateDopri5(() => Float64Array.of(1), [3], 1, 1);
    expect(Array.from(result.y)).toEqual([3]);
    expect(result.evaluations).toBe(0);
  });

  test("gives up clearly on a blow-up, a step budget or non-finite input", () => {
    expect(() => integrateDopri5((s) => s.map((v) => v * v), [1], 0, 2)).toThrow(/step size underflow|non-finite|gave up/);
    expect(() => integrateDopri5((s) => s.map((v) => -v), [1], 0, 100, { maxSteps: 3 })).toThrow(/gave up after 3 steps/);
    expect(() => integrateDopri5((s) => s, [1], 0, Number.NaN)).toThrow(/t1 must be finite, got NaN/);
    expect(() => integrateDopri5((s) => s, [1], 0, 1, { rtol: 0 })).toThrow(/tolerances must be positive/);
  });
});
