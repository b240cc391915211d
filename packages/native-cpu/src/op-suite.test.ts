// The primitive conformance suite on the CPU backend with the native path registered (float32):
// the convolutions and products it runs go through oneDNN, and must pass as the WebAssembly ones do.
import { describe, expect, it } from "vitest";
import { cpuKernelStats } from "@scm-ts/core";
import { defineOpSuite } from "@scm-ts/testing";
import { useNativeCpu } from "./index.js";

const line = useNativeCpu();
defineOpSuite("cpu", { float64: false });

describe("the conformance suite on the native path", () => {
  it("ran its convolutions and products natively", () => {
    expect(line).toMatch(/^cpu convolutions: native/);
    expect(cpuKernelStats().nativeCalls).toBeGreaterThan(10);
  });
});
