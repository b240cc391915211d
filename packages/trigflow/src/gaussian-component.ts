// One Gaussian component N(μ, Σ) of an oracle's data distribution (core's `GaussianSpec`), validated and
// held in its eigenbasis Σ = Q·diag(λ)·Qᵀ. Under TrigFlow every marginal covariance
// S_t = cos²t·Σ + σ_d² sin²t·I shares Q, with eigenvalues s_i(t) = λ_i cos²t + σ_d² sin²t
// (docs/guide/math.md, "Gaussian mixtures in closed form"), so every oracle quantity (density, denoiser,
// velocity, flow map, consistency function) is a diagonal map in that basis. Isotropic and diagonal
// covariances skip the rotation.
import type { GaussianSpec } from "@scm-ts/core";
import { matrix, symmetricEigen, type Matrix } from "./linalg.js";

/** A validated Gaussian in its eigenbasis (internal representation shared by the oracles). */
export interface SpectralGaussian {
  /** Dimension d. */
  readonly dimension: number;
  /** Mean μ. */
  readonly mean: Float64Array;
  /** Eigenvalues λ_i ≥ 0 of Σ. */
  readonly eigenvalues: Float64Array;
  /** Eigenvectors Q as columns, or null when Σ is diagonal (Q = I). */
  readonly basis: Matrix | null;
}

function checkFinite(context: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${context} must be finite, got ${value}`);
}

function checkVariance(context: string, value: number): number {
  checkFinite(context, value);
  if (value < 0) throw new RangeError(`${context} must be ≥ 0 (a variance), got ${value}`);
  return value;
}

/** Validates a Gaussian spec and diagonalises its covariance. `context` prefixes error messages. */
export function spectralGaussian(spec: GaussianSpec, context = "gaussian"): SpectralGaussian {
  const d = spec.mean.length;
  if (d === 0) throw new RangeError(`${context}: the mean is empty; pass a mean of length d ≥ 1`);
  spec.mean.forEach((value, i) => checkFinite(`${context}: mean[${i}]`, value));
  const mean = Float64Array.from(spec.mean);
  const cov = spec.covariance;
  if (cov.kind === "isotropic") {
    const variance = checkVariance(`${context}: isotropic variance`, cov.variance);
    return { dimension: d, mean, eigenvalues: new Float64Array(d).fill(variance), basis: null };
  }
  if (cov.kind === "diagonal") {
    if (cov.variances.length !== d) {
      throw new RangeError(`${context}: ${cov.variances.length} diagonal variances for a mean of length ${d}; they must match`);
    }
    const eigenvalues = Float64Array.from(cov.variances, (v, i) => checkVariance(`${context}: variances[${i}]`, v));
    return { dimension: d, mean, eigenvalues, basis: null };
  }
  if (cov.matrix.length !== d || cov.matrix.some((row) => row.length !== d)) {
    const shape = `[${cov.matrix.length}, ${cov.matrix[0]?.length ?? 0}]`;
    throw new RangeError(`${context}: covariance matrix has shape ${shape} but the mean has length ${d}; pass a ${d}×${d} matrix`);
  }
  cov.matrix.forEach((row, i) => row.forEach((value, j) => checkFinite(`${context}: covariance[${i}][${j}]`, value)));
  const sigma = matrix(cov.matrix);
  let scale = 0;
  for (const value of sigma.data) scale = Math.max(scale, Math.abs(value));
  const { values, vectors } = symmetricEigen(sigma);
  const smallest = values[0]!;
  if (smallest < -1e-12 * Math.max(scale, 1)) {
    throw new RangeError(`${context}: covariance has eigenvalue ${smallest} < 0, so it is not positive semi-definite`);
  }
  const eigenvalues = Float64Array.from(values, (v) => Math.max(v, 0));
  return { dimension: d, mean, eigenvalues, basis: vectors };
}

/** y = Qᵀ·v (coordinates of v in the eigenbasis); writes into `out`. */
export function toEigenbasis(g: SpectralGaussian, v: ArrayLike<number>, out: Float64Array): void {
  const d = g.dimension;
  if (g.basis === null) {
    for (let i = 0; i < d; i++) out[i] = v[i]!;
    return;
  }
  const q = g.basis.data;
  for (let k = 0; k < d; k++) {
    let sum = 0;
    for (let i = 0; i < d; i++) sum += q[i * d + k]! * v[i]!;
    out[k] = sum;
  }
}

/** out += scale · Q·(weights ⊙ y) (maps diagonal coordinates back and accumulates). */
export function addFromEigenbasis(g: SpectralGaussian, y: Float64Array, weights: Float64Array, scale: number, out: Float64Array): void {
  const d = g.dimension;
  if (g.basis === null) {
    for (let i = 0; i < d; i++) out[i] = out[i]! + scale * weights[i]! * y[i]!;
    return;
  }
  const q = g.basis.data;
  for (let i = 0; i < d; i++) {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += q[i * d + k]! * weights[k]! * y[k]!;
    out[i] = out[i]! + scale * sum;
  }
}

// math.md, "Gaussian mixtures in closed form": eigenvalues of S_t = cos²t·Σ + σ_d² sin²t·I.
/** Writes s_i(t) = λ_i cos²t + σ_d² sin²t, the eigenvalues of the marginal covariance S_t, into `out`. */
export function marginalEigenvalues(g: SpectralGaussian, t: number, sigmaData: number, out: Float64Array): void {
  const cos2 = Math.cos(t) ** 2;
  const noise = sigmaData * sigmaData * Math.sin(t) ** 2;
  for (let i = 0; i < g.dimension; i++) out[i] = g.eigenvalues[i]! * cos2 + noise;
}

/** The full covariance Σ = Q·diag(λ)·Qᵀ as a matrix. */
export function covarianceMatrix(g: SpectralGaussian): Matrix {
  const d = g.dimension;
  const data = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      if (g.basis === null) {
        if (i === j) data[i * d + j] = g.eigenvalues[i]!;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < d; k++) sum += g.basis.data[i * d + k]! * g.eigenvalues[k]! * g.basis.data[j * d + k]!;
      data[i * d + j] = sum;
    }
  }
  return { rows: d, cols: d, data };
}

/** A draw from N(μ, Σ): μ + Q·(√λ ⊙ n) with n ~ N(0, I) from `normal`. */
export function sampleGaussian(g: SpectralGaussian, normal: () => number): Float64Array {
  const d = g.dimension;
  const n = new Float64Array(d);
  for (let i = 0; i < d; i++) n[i] = normal();
  const out = Float64Array.from(g.mean);
  addFromEigenbasis(g, n, Float64Array.from(g.eigenvalues, Math.sqrt), 1, out);
  return out;
}
