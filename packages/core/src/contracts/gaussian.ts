// The one description of a Gaussian and of a weighted mixture component that the data sets, the exact
// oracles and the toy teachers share, so one value serves them all: a mixture p₀ = Σ_k π_k N(μ_k, Σ_k)
// in R^d (docs/guide/math.md, "Gaussian mixtures in closed form"), with Σ_k isotropic, diagonal or a full
// symmetric positive semi-definite matrix. Types only; each user validates what it reads.

/** A covariance Σ: isotropic σ²·I, diagonal, or a full symmetric positive semi-definite matrix. */
export type Covariance =
  | {
      /** σ²·I. */
      readonly kind: "isotropic";
      /** σ², the variance of every coordinate. */
      readonly variance: number;
    }
  | {
      /** diag(σ₁², …, σ_d²). */
      readonly kind: "diagonal";
      /** The variance of each coordinate. */
      readonly variances: readonly number[];
    }
  | {
      /** A full symmetric positive semi-definite matrix. */
      readonly kind: "full";
      /** The d × d matrix, row by row. */
      readonly matrix: readonly (readonly number[])[];
    };

/** A Gaussian N(μ, Σ) in R^d. */
export interface GaussianSpec {
  /** The mean μ (its length fixes the dimension d). */
  readonly mean: readonly number[];
  /** The covariance Σ (variance 0 gives a point mass along that direction). */
  readonly covariance: Covariance;
}

/** One weighted component π_k N(μ_k, Σ_k) of a Gaussian mixture. */
export interface MixtureComponent extends GaussianSpec {
  /** The mixture weight π_k (positive; a mixture normalises its weights to sum to 1). */
  readonly weight: number;
}
