// Names this package exported before the Gaussian component types moved to @scm-ts/core (the one
// package that the data sets, the oracles and the teachers all depend on); kept as aliases so existing
// imports still compile.
import type * as core from "@scm-ts/core";

/** @deprecated Moved to @scm-ts/core: import `Covariance` from there. */
export type Covariance = core.Covariance;
/** @deprecated Moved to @scm-ts/core: import `GaussianSpec` from there. */
export type GaussianSpec = core.GaussianSpec;
/** @deprecated Moved to @scm-ts/core: import `MixtureComponent` from there. */
export type MixtureComponent = core.MixtureComponent;
