// The shared vitest settings, plus the global setup that finds (or skips) the WebGPU adapter once.
// Test files run one at a time: on llvmpipe each holds a device whose kernels run on every core, and
// CI runs every package's tests at once on two cores.
import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(shared, { test: { globalSetup: ["./src/test-support/global-setup.ts"], fileParallelism: false } });
