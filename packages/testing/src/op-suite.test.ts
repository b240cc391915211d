// Runs the primitive conformance suite on the CPU backend (float32 and float64), then checks that
// no float32 kernel of it had to run as JavaScript for an op without a SIMD form (the kernels are
// small, but the CPU backend counts such ops at any size: cpuKernelStats).
import { describe, expect, it } from "vitest";
import { cpuKernelStats } from "@scm-ts/core";
import { defineOpSuite } from "./op-suite.js";

defineOpSuite("cpu", { float64: true });

describe("the CPU backend's SIMD path", () => {
  it("has a form for every op of the suite's float32 kernels (no op fallback to JavaScript)", () => {
    const stats = cpuKernelStats();
    expect(stats.examined, "float32 kernels the SIMD path examined").toBeGreaterThan(50);
    expect(stats.opFallbacks).toEqual({});
  });
});
