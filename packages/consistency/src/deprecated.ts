// Names this package exported before the network contract moved to @scm-ts/core (the one package that
// models, losses and samplers all depend on); kept as aliases so existing imports still compile.
import type * as core from "@scm-ts/core";

/** @deprecated The network contract lives in @scm-ts/core: import `RawNetwork` from there. */
export type RawNetwork = core.RawNetwork;
/** @deprecated The network contract lives in @scm-ts/core: import `NetworkOptions` from there. */
export type NetworkOptions = core.NetworkOptions;
/** @deprecated The network contract lives in @scm-ts/core: import `Model` from there. */
export type Model<P> = core.Model<P>;
