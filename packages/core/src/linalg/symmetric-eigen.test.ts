// The float64 symmetric eigendecomposition: A·V = V·Λ and VᵀV = I to rounding on random symmetric
// matrices (also rank-deficient, diagonal and with repeated eigenvalues), eigenvalues summing to the
// trace, and matrix square roots squaring back.
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { symmetricEigen, symmetricMatrixFunction } from "./symmetric-eigen.js";

const symmetricArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.tuple(
    fc.constant(n),
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n * n + 2 * n, maxLength: n * n + 2 * n }),
    fc.constantFrom("general", "lowRank", "repeated", "diagonal"),
  ).map(([n, raw, kind]) => {
    const a = new Float64Array(n * n);
    if (kind === "lowRank") {
      // B·Bᵀ with B of rank ≤ 2.
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = raw[i]! * raw[j]! + raw[n + i]! * raw[n + j]!;
    } else if (kind === "repeated") {
      for (let i = 0; i < n; i++) a[i * n + i] = 3;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = a[i * n + j]! + raw[0]! * 0.1;
    } else if (kind === "diagonal") {
      for (let i = 0; i < n; i++) a[i * n + i] = raw[i]!;
    } else {
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = raw[i * n + j]!;
    }
    return { n, a };
  }),
);

describe("symmetricEigen (Householder + implicit QL)", () => {
  it("A·V = V·Λ, VᵀV = I, ascending eigenvalues summing to the trace", () => {
    fc.assert(
      fc.property(symmetricArb, ({ n, a }) => {
        const { values, vectors } = symmetricEigen(a, n);
        const scale = Math.max(1, ...Array.from(a, Math.abs));
        for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < n; k++) {
            let av = 0, vv = 0;
            for (let j = 0; j < n; j++) {
              av += a[i * n + j]! * vectors[j * n + k]!;
              vv += vectors[j * n + i]! * vectors[j * n + k]!;
            }
            expect(Math.abs(av - vectors[i * n + k]! * values[k]!)).toBeLessThan(1e-12 * scale * n);
            expect(Math.abs(vv - (i === k ? 1 : 0))).toBeLessThan(1e-12 * n);
          }
        }
        let trace = 0;
        for (let i = 0; i < n; i++) trace += a[i * n + i]!;
        expect(Math.abs(values.reduce((s, v) => s + v, 0) - trace)).toBeLessThan(1e-11 * scale * n);
      }),
      { seed: 20261127, numRuns: 60 },
    );
  });

  it("square roots of positive semi-definite matrices square back", () => {
    const n = 5;
    const b = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i + 1));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] = a[i * n + j]! + b[i * n + k]! * b[j * n + k]!;
    const root = symmetricMatrixFunction(a, n, (v) => Math.sqrt(Math.max(v, 0)));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += root[i * n + k]! * root[k * n + j]!;
        expect(Math.abs(s - a[i * n + j]!)).toBeLessThan(1e-12 * 25);
      }
    }
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/NaN or Inf/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/3 entries for a 2×2 matrix/);
    expect(symmetricEigen([], 0).values.length).toBe(0);
  });

  it("handles extreme magnitudes (denormals, near-overflow) without losing orthogonality", () => {
    const cases: [number, number[]][] = [[2, [0, 5e-324, 5e-324, 0]], [1, [1e-323]], [2, [1e300, 1e299, 1e299, -1e300]], [3, [1e-300, 0, 1e-310, 0, 0, 0, 1e-310, 0, 2e-300]], [2, [0, 0, 0, 0]]];
    for (const [n, a] of cases) {
      const { values, vectors } = symmetricEigen(a, n);
      const scale = Math.max(...a.map(Math.abs));
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          let av = 0, vv = 0;
          for (let j = 0; j < n; j++) (av += a[i * n + j]! * vectors[j * n + k]!), (vv += vectors[j * n + i]! * vectors[j * n + k]!);
          expect(Math.abs(av - vectors[i * n + k]! * values[k]!)).toBeLessThanOrEqual(1e-12 * scale * n + 1e-322); // + a few denormals of rounding
          expect(Math.abs(vv - (i === k ? 1 : 0))).toBeLessThan(1e-12 * n);
        }
      }
    }
  });

  it("decomposes a 200×200 covariance quickly", () => {
    const n = 200;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-Math.abs(i - j) / 10);
    const t0 = performance.now();
    const { values } = symmetricEigen(a, n);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(n, 8); // the trace
  });
});
