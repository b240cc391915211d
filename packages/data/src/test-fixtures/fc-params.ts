// The fast-check run parameters for this package's property tests: the repository's fixed seed (the same
// 20261127 as `fcParams` of @scm-ts/testing, which this package does not depend on), or FC_SEED when set.

/** fast-check parameters: the fixed seed (FC_SEED overrides) and `numRuns` cases. */
export function fcParams(numRuns = 25): { seed: number; numRuns: number } {
  const env = typeof process !== "undefined" ? process.env.FC_SEED : undefined;
  return { seed: env ? Number(env) : 20261127, numRuns };
}
