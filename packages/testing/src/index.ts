// @scm-ts/testing: test helpers shared by every package and backend — fast-check arbitraries,
// closeness checks, float64 derivative checks (checkJvp, checkVjp, checkGrads), backend parity,
// the per-primitive spec table and the conformance suite each backend runs.
export * from "./arbitraries.js";
export * from "./close.js";
export * from "./check-grads.js";
export * from "./parity.js";
export * from "./seeded.js";
export * from "./outcome.js";
export { opSpecs, conv2dRef, type OpSpec } from "./op-specs.js";
export { defineOpSuite } from "./op-suite.js";
