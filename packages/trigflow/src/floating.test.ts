// The Floating instances on numbers and Float64Array agree with Math, broadcast length-1 operands, and reject
// mismatched lengths; the derived sigmoid and scale behave as their formulas say.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { floatingNumber, scale, sigmoid, type Floating } from "./floating.js";
import { floatingVector } from "./floating-vector.js";

const finite = fc.double({ min: -50, max: 50, noNaN: true });
const positive = fc.double({ min: 1e-3, max: 50, noNaN: true });

// A generic expression exercising every operation, to compare instances on the same inputs.
function everything<A>(num: Floating<A>, a: A, b: A): A {
  const ratio = num.div(num.sub(a, b), num.add(num.square(b), num.fromNumber(1)));
  const trig = num.add(num.sin(a), num.mul(num.cos(b), num.atan(a)));
  const logs = num.log(num.add(num.exp(num.neg(num.square(a))), num.fromNumber(0.5)));
  const tangent = num.tan(num.mul(num.fromNumber(0.1), num.atan(b)));
  return num.add(num.add(ratio, trig), num.add(num.sqrt(num.add(num.square(a), num.fromNumber(1))), num.add(logs, tangent)));
}

describe("floatingNumber", () => {
  test("each operation matches Math on doubles", () => {
    fc.assert(
      fc.property(finite, finite, positive, (a, b, p) => {
        const n = floatingNumber;
        expect(n.add(a, b)).toBe(a + b);
        expect(n.sub(a, b)).toBe(a - b);
        expect(n.mul(a, b)).toBe(a * b);
        expect(n.div(a, p)).toBe(a / p);
        expect(n.neg(a)).toBe(-a);
        expect(n.sin(a)).toBe(Math.sin(a));
        expect(n.cos(a)).toBe(Math.cos(a));
        expect(n.tan(a)).toBe(Math.tan(a));
        expect(n.atan(a)).toBe(Math.atan(a));
        expect(n.exp(b)).toBe(Math.exp(b));
        expect(n.log(p)).toBe(Math.log(p));
        expect(n.sqrt(p)).toBe(Math.sqrt(p));
        expect(n.square(a)).toBe(a * a);
        expect(n.fromNumber(a)).toBe(a);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("sigmoid(a) = 1/(1 + e^{−a}) and scale(c, a) = c·a", () => {
    fc.assert(
      fc.property(finite, finite, (a, c) => {
        expect(sigmoid(floatingNumber, a)).toBeCloseTo(1 / (1 + Math.exp(-a)), 14);
        expect(scale(floatingNumber, c, a)).toBe(c * a);
      }),
      { seed: 42, numRuns: 200 },
    );
    expect(sigmoid(floatingNumber, 0)).toBe(0.5);
  });
});

describe("floatingVector", () => {
  test("elementwise results equal floatingNumber on every entry", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(finite, finite), { minLength: 1, maxLength: 9 }), (pairs) => {
        const a = Float64Array.from(pairs, ([x]) => x);
        const b = Float64Array.from(pairs, ([, y]) => y);
        const out = everything(floatingVector, a, b);
        pairs.forEach(([x, y], i) => expect(out[i]).toBe(everything(floatingNumber, x, y)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("a length-1 operand broadcasts on either side", () => {
    const v = Float64Array.of(1, 2, 3);
    expect(Array.from(floatingVector.sub(v, Float64Array.of(1)))).toEqual([0, 1, 2]);
    expect(Array.from(floatingVector.sub(Float64Array.of(1), v))).toEqual([0, -1, -2]);
    expect(Array.from(scale(floatingVector, 2, v))).toEqual([2, 4, 6]);
  });

  test("mismatched lengths are rejected with both lengths in the message", () => {
    expect(() => floatingVector.add(new Float64Array(2), new Float64Array(3))).toThrow(/lengths 2 and 3 do not broadcast/);
  });
});
