// The shared vitest settings, plus the global setup that keeps Dawn's two "artificially reduced"
// warnings out of the output relayed from the test workers (the WebGPU parity tests acquire devices).
import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(shared, { test: { globalSetup: ["../webgpu/src/test-support/relay-filter.ts"] } });
