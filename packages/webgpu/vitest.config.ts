// The shared vitest settings, plus the global setups that keep Dawn's two "artificially reduced"
// warnings out of the output relayed from the workers and find (or skip) the WebGPU adapter once.
// Test files run one at a time: on llvmpipe each holds a device whose kernels run on every core, and
// CI runs every package's tests at once on two cores.
import { mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

export default mergeConfig(shared, { test: { globalSetup: ["./src/test-support/relay-filter.ts", "./src/test-support/global-setup.ts"], fileParallelism: false } });
