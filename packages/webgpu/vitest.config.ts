// The shared vitest settings, plus the global setup that finds (or skips) the WebGPU adapter once.
import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(shared, { test: { globalSetup: ["./src/test-support/global-setup.ts"] } });
