// The shared primitive conformance suite on WebGPU: forward values against float64 references, and
// (WebGPU has no float64) forward, JVP, VJP and second-order maps against the CPU backend in float32.
import { defineOpSuite } from "@scm-ts/testing";
import { describeWebGpu } from "./test-support/webgpu.js";

describeWebGpu("WebGPU", () => {
  defineOpSuite("webgpu", { float64: false });
});
