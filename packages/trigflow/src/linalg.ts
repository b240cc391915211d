// Small dense linear algebra in float64 for the analytic oracles: row-major matrices, products, the
// Cholesky factorisation with triangular solves, and the symmetric eigendecomposition with the matrix
// functions it gives (Σ^{1/2}, S^{−1/2}, ...), which are @scm-ts/core's on this module's `Matrix`. Sizes are
// the oracles' data dimensions (a few to a few dozen), so clarity and accuracy win over speed; nothing here
// is meant for tensors.
import { symmetricEigen as eigen, symmetricMatrixFunction as matrixFunction } from "@scm-ts/core";

/** A dense row-major matrix of float64 values. */
export interface Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Entries, row-major: entry (i, j) is data[i·cols + j]. */
  readonly data: Float64Array;
}

/** A matrix from nested arrays of rows; every row must have the same length. */
export function matrix(rows: readonly (readonly number[])[]): Matrix {
  const nRows = rows.length;
  const nCols = rows[0]?.length ?? 0;
  const data = new Float64Array(nRows * nCols);
  rows.forEach((row, i) => {
    if (row.length !== nCols) {
      throw new RangeError(`matrix: row ${i} has ${row.length} entries but row 0 has ${nCols}; rows must have equal length`);
    }
    row.forEach((value, j) => {
      data[i * nCols + j] = value;
    });
  });
  return { rows: nRows, cols: nCols, data };
}

/** The n × n identity matrix. */
export function identity(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return { rows: n, cols: n, data };
}

/** The diagonal matrix with the given diagonal. */
export function diagonal(values: ArrayLike<number>): Matrix {
  const n = values.length;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = values[i]!;
  return { rows: n, cols: n, data };
}

/** The transpose Aᵀ. */
export function transpose(a: Matrix): Matrix {
  const data = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return { rows: a.cols, cols: a.rows, data };
}

/** The product A·B. */
export function matMul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new RangeError(`matMul: shapes [${a.rows}, ${a.cols}] and [${b.rows}, ${b.cols}] do not chain (inner sizes differ)`);
  }
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      for (let j = 0; j < b.cols; j++) data[i * b.cols + j] = data[i * b.cols + j]! + aik * b.data[k * b.cols + j]!;
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

/** The product A·v. */
export function matVec(a: Matrix, v: ArrayLike<number>): Float64Array {
  if (a.cols !== v.length) throw new RangeError(`matVec: matrix [${a.rows}, ${a.cols}] cannot multiply a vector of length ${v.length}`);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let sum = 0;
    for (let j = 0; j < a.cols; j++) sum += a.data[i * a.cols + j]! * v[j]!;
    out[i] = sum;
  }
  return out;
}

/** The largest absolute difference between A and Aᵀ (0 for a symmetric matrix). */
export function asymmetry(a: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < i; j++) {
    worst = Math.max(worst, Math.abs(a.data[i * a.cols + j]! - a.data[j * a.cols + i]!));
  }
  return worst;
}

function requireSquare(name: string, a: Matrix): void {
  if (a.rows !== a.cols) throw new RangeError(`${name}: expected a square matrix, got shape [${a.rows}, ${a.cols}]`);
}

/**
 * The Cholesky factor L (lower triangular, A = L·Lᵀ) of a symmetric positive-definite matrix.
 * Throws if A is not square or a pivot is not positive (A not positive definite).
 */
export function cholesky(a: Matrix): Matrix {
  requireSquare("cholesky", a);
  const n = a.rows;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = a.data[j * n + j]!;
    for (let k = 0; k < j; k++) pivot -= l[j * n + k]! ** 2;
    if (!(pivot > 0)) {
      throw new RangeError(`cholesky: pivot ${j} is ${pivot}, so the matrix is not positive definite; pass a symmetric positive-definite matrix`);
    }
    const ljj = Math.sqrt(pivot);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = a.data[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = sum / ljj;
    }
  }
  return { rows: n, cols: n, data: l };
}

/** Solves L·x = b for lower-triangular L (forward substitution). */
export function solveLower(l: Matrix, b: ArrayLike<number>): Float64Array {
  requireSquare("solveLower", l);
  const n = l.rows;
  if (b.length !== n) throw new RangeError(`solveLower: matrix of size ${n} but right-hand side of length ${b.length}`);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l.data[i * n + k]! * x[k]!;
    x[i] = sum / l.data[i * n + i]!;
  }
  return x;
}

/** Solves Lᵀ·x = b for lower-triangular L (backward substitution with the transpose). */
export function solveLowerTransposed(l: Matrix, b: ArrayLike<number>): Float64Array {
  requireSquare("solveLowerTransposed", l);
  const n = l.rows;
  if (b.length !== n) throw new RangeError(`solveLowerTransposed: matrix of size ${n} but right-hand side of length ${b.length}`);
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= l.data[k * n + i]! * x[k]!;
    x[i] = sum / l.data[i * n + i]!;
  }
  return x;
}

/** Solves A·x = b given the Cholesky factor L of A. */
export function choleskySolve(l: Matrix, b: ArrayLike<number>): Float64Array {
  return solveLowerTransposed(l, solveLower(l, b));
}

/** A symmetric eigendecomposition A = V·diag(values)·Vᵀ; the columns of `vectors` are orthonormal. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Eigenvectors as columns, in the order of `values`. */
  readonly vectors: Matrix;
}

/**
 * The eigendecomposition A = V·diag(λ)·Vᵀ of a symmetric matrix (core's `symmetricEigen`, Householder
 * tridiagonalisation and implicit QL, on this module's `Matrix`). Throws if A is not square or not
 * symmetric to 1e−10 relative.
 */
export function symmetricEigen(a: Matrix): SymmetricEigen {
  requireSymmetric("symmetricEigen", a);
  const { n, values, vectors } = eigen(a.data, a.rows);
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/** The symmetric matrix V·diag(fn(λ))·Vᵀ (e.g. fn = Math.sqrt for A^{1/2}); checks A like `symmetricEigen`. */
export function symmetricMatrixFunction(a: Matrix, fn: (eigenvalue: number) => number): Matrix {
  requireSymmetric("symmetricMatrixFunction", a);
  return { rows: a.rows, cols: a.rows, data: matrixFunction(a.data, a.rows, fn) };
}

function requireSymmetric(context: string, a: Matrix): void {
  requireSquare(context, a);
  let scaleOfA = 0;
  for (const value of a.data) scaleOfA = Math.max(scaleOfA, Math.abs(value));
  if (asymmetry(a) > 1e-10 * Math.max(scaleOfA, 1e-300)) {
    throw new RangeError(`${context}: the matrix is not symmetric (max |A − Aᵀ| = ${asymmetry(a)}); symmetrise it first`);
  }
}
