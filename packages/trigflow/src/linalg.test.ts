// Dense linear algebra on random symmetric positive-definite matrices: L·Lᵀ reconstructs A, Cholesky solves
// have tiny residuals, the Jacobi eigendecomposition is orthonormal and reconstructs A, matrix functions
// compose (A^{1/2}·A^{1/2} = A), and bad input is rejected with shapes or values in the message.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  asymmetry,
  cholesky,
  choleskySolve,
  diagonal,
  identity,
  matMul,
  matrix,
  matVec,
  symmetricEigen,
  symmetricMatrixFunction,
  transpose,
  type Matrix,
} from "./linalg.js";

/** A random SPD matrix B·Bᵀ + c·I of size n, with c drawn too (so conditioning varies). */
const spdMatrix = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc
    .tuple(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n * n, maxLength: n * n }), fc.double({ min: 1e-3, max: 2, noNaN: true }))
    .map(([entries, c]) => {
      const b: Matrix = { rows: n, cols: n, data: Float64Array.from(entries) };
      const a = matMul(b, transpose(b));
      for (let i = 0; i < n; i++) a.data[i * n + i] = a.data[i * n + i]! + c;
      return a;
    }),
);

function maxAbsDifference(a: Matrix, b: Matrix): number {
  return Math.max(...Array.from(a.data, (value, i) => Math.abs(value - b.data[i]!)));
}

function maxAbs(a: Matrix): number {
  return Math.max(...Array.from(a.data, Math.abs));
}

const options = { seed: 42, numRuns: 200 };

describe("products", () => {
  test("matrix, transpose, matMul and matVec agree with hand-computed values", () => {
    const a = matrix([[1, 2], [3, 4], [5, 6]]);
    expect(Array.from(transpose(a).data)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(matMul(transpose(a), a).data)).toEqual([35, 44, 44, 56]);
    expect(Array.from(matVec(a, [1, -1]))).toEqual([-1, -1, -1]);
    expect(Array.from(matMul(identity(2), diagonal([2, 3])).data)).toEqual([2, 0, 0, 3]);
    expect(() => matMul(a, a)).toThrow(/shapes \[3, 2\] and \[3, 2\] do not chain/);
    expect(() => matrix([[1, 2], [3]])).toThrow(/row 1 has 1 entries but row 0 has 2/);
  });
});

describe("Cholesky", () => {
  test("L·Lᵀ = A with L lower triangular, and A·choleskySolve(L, b) = b", () => {
    fc.assert(
      fc.property(spdMatrix, fc.integer(), (a, salt) => {
        const n = a.rows;
        const l = cholesky(a);
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
        expect(maxAbsDifference(matMul(l, transpose(l)), a)).toBeLessThan(1e-13 * maxAbs(a));
        const b = Float64Array.from({ length: n }, (_, i) => Math.sin(salt + i));
        const residual = matVec(a, choleskySolve(l, b)).map((value, i) => value - b[i]!);
        expect(Math.max(...Array.from(residual, Math.abs))).toBeLessThan(1e-9);
      }),
      options,
    );
  });

  test("rejects a matrix that is not positive definite, naming the pivot", () => {
    expect(() => cholesky(matrix([[1, 2], [2, 1]]))).toThrow(/pivot 1 is -3, so the matrix is not positive definite/);
    expect(() => cholesky(matrix([[1, 2, 3]]))).toThrow(/expected a square matrix, got shape \[1, 3\]/);
  });
});

describe("symmetric eigendecomposition", () => {
  test("V is orthonormal, V·diag(λ)·Vᵀ = A, λ ascending, A·v_k = λ_k·v_k", () => {
    fc.assert(
      fc.property(spdMatrix, (a) => {
        const n = a.rows;
        const { values, vectors } = symmetricEigen(a);
        expect(maxAbsDifference(matMul(transpose(vectors), vectors), identity(n))).toBeLessThan(1e-13);
        const rebuilt = matMul(matMul(vectors, diagonal(values)), transpose(vectors));
        expect(maxAbsDifference(rebuilt, a)).toBeLessThan(1e-13 * maxAbs(a));
        for (let k = 1; k < n; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
        for (let k = 0; k < n; k++) {
          const v = Float64Array.from({ length: n }, (_, i) => vectors.data[i * n + k]!);
          const av = matVec(a, v);
          av.forEach((value, i) => expect(Math.abs(value - values[k]! * v[i]!)).toBeLessThan(1e-12 * maxAbs(a)));
        }
      }),
      options,
    );
  });

  test("A^{1/2}·A^{1/2} = A and A^{−1}·A = I through symmetricMatrixFunction", () => {
    fc.assert(
      fc.property(spdMatrix, (a) => {
        const root = symmetricMatrixFunction(a, Math.sqrt);
        expect(asymmetry(root)).toBeLessThan(1e-13 * maxAbs(a));
        expect(maxAbsDifference(matMul(root, root), a)).toBeLessThan(1e-12 * maxAbs(a));
        const inverse = symmetricMatrixFunction(a, (lambda) => 1 / lambda);
        expect(maxAbsDifference(matMul(inverse, a), identity(a.rows))).toBeLessThan(1e-9);
      }),
      options,
    );
  });

  test("a 2×2 example has its known eigenvalues, and an asymmetric matrix is rejected", () => {
    const { values } = symmetricEigen(matrix([[2, 1], [1, 2]]));
    expect(values[0]).toBeCloseTo(1, 15);
    expect(values[1]).toBeCloseTo(3, 15);
    expect(() => symmetricEigen(matrix([[1, 2], [0, 1]]))).toThrow(/not symmetric \(max \|A − Aᵀ\| = 2\)/);
  });
});
