// Runs the primitive conformance suite on the CPU backend (float32 and float64).
import { defineOpSuite } from "./op-suite.js";

defineOpSuite("cpu", { float64: true });
