// Runs the primitive conformance suite on the pure-JS reference CPU backend ('cpu-js').
import { defineOpSuite } from "./op-suite.js";

defineOpSuite("cpu-js", { float64: true });
