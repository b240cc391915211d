// Names this package exported before the one symmetric eigendecomposition moved to @scm-ts/core (the
// lowest package that every user of it depends on); kept as aliases so existing imports still compile.
import * as core from "@scm-ts/core";

/** @deprecated Moved to @scm-ts/core: import `SymmetricEigenResult` from there. */
export type SymmetricEigenResult = core.SymmetricEigenResult;
/** @deprecated Moved to @scm-ts/core: import `symmetricEigen` from there. */
export const symmetricEigen: typeof core.symmetricEigen = core.symmetricEigen;
/** @deprecated Moved to @scm-ts/core: import `symmetricMatrixFunction` from there. */
export const symmetricMatrixFunction: typeof core.symmetricMatrixFunction = core.symmetricMatrixFunction;
