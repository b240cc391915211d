// The eigendecomposition of a real symmetric matrix in float64, by Householder reduction to tridiagonal
// form followed by the implicit QL algorithm with Wilkinson-type shifts (Golub & Van Loan §8.3; the
// EISPACK tred2/tql2 pair): A = V·diag(λ)·Vᵀ with V orthogonal. O(n³) with a small constant, so the
// feature covariances of the Fréchet distance (a few hundred dimensions) decompose quickly. Host-side
// float64 code, not an engine op: the one eigendecomposition of the repository, used by the exact
// Gaussian oracles (eigenbases of covariances), the metrics (matrix square roots) and post-hoc EMA
// (a pseudo-inverse).

/** Eigenvalues (ascending) and orthonormal eigenvectors (columns of a row-major n×n array). */
export interface SymmetricEigenResult {
  /** Matrix size n. */
  readonly n: number;
  /** Eigenvalues λ_1 ≤ … ≤ λ_n. */
  readonly values: Float64Array;
  /** Eigenvector k is column k: vectors[i·n + k]. */
  readonly vectors: Float64Array;
}

/** Householder tridiagonalisation: on return v holds the accumulated transforms, d the diagonal, e the off-diagonal (e[0] = 0). */
function tridiagonalize(n: number, v: Float64Array, d: Float64Array, e: Float64Array): void {
  const at = (i: number, j: number): number => v[i * n + j]!;
  for (let j = 0; j < n; j++) d[j] = at(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = at(i - 1, j);
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + at(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += at(k, j) * d[k]!;
          e[k] = e[k]! + at(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[k * n + j] = at(k, j) - (f * e[k]! + g * d[k]!);
        d[j] = at(i - 1, j);
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = at(i, i);
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = at(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += at(k, i + 1) * at(k, j);
        for (let k = 0; k <= i; k++) v[k * n + j] = at(k, j) - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = at(n - 1, j);
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal (d, e), rotating v along; leaves eigenvalues in d. */
function tridiagonalQl(n: number, v: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  const eps = 2 ** -52;
  // Deflate relative to the whole matrix's norm (EISPACK uses a running maximum, which lets a tiny leading
  // block underflow its own threshold to 0 and iterate on denormals).
  let tst1 = 0;
  for (let l = 0; l < n; l++) tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
  for (let l = 0; l < n; l++) {
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iteration = 0; ; iteration++) {
        if (iteration > 60) throw new Error("symmetricEigen: the QL iteration did not converge (the matrix holds NaN or Inf?)");
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1]!;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            const vk1 = v[k * n + i + 1]!, vk = v[k * n + i]!;
            v[k * n + i + 1] = s * vk + c * vk1;
            v[k * n + i] = c * vk - s * vk1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * The eigendecomposition of the symmetric n×n matrix `a` (row-major; only its symmetric part is used).
 * Eigenvalues ascending; eigenvectors orthonormal to rounding.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigenResult {
  if (!Number.isSafeInteger(n) || n < 0 || a.length !== n * n) throw new RangeError(`symmetricEigen: ${a.length} entries for a ${n}×${n} matrix`);
  const v = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const value = 0.5 * a[i * n + j]! + 0.5 * a[j * n + i]!;
      if (!Number.isFinite(value)) throw new RangeError("symmetricEigen: the matrix holds NaN or Inf");
      v[i * n + j] = value;
      largest = Math.max(largest, Math.abs(value));
    }
  }
  // Scale by a power of two (exactly) so the largest entry is near 1: no overflow of squared norms, and
  // no deflation thresholds lost to underflow for tiny matrices.
  const scale = largest > 0 ? 2 ** Math.min(1000, -Math.round(Math.log2(largest))) : 1;
  if (scale !== 1) for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(n, v, d, e);
    tridiagonalQl(n, v, d, e);
  }
  for (let i = 0; i < n; i++) d[i] = d[i]! / scale;
  // Sort ascending, carrying the vectors.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    for (let r = 0; r < n; r++) vectors[r * n + to] = v[r * n + from]!;
  });
  return { n, values, vectors };
}

/** f(A) = V·diag(f(λ))·Vᵀ for a symmetric A (e.g. the square root with f = √max(λ, 0)). */
export function symmetricMatrixFunction(a: ArrayLike<number>, n: number, fn: (eigenvalue: number) => number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const fk = fn(values[k]!);
    if (fk === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * fk;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + vik * vectors[j * n + k]!;
    }
  }
  return out;
}
