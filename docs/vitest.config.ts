// The docs package's tests: the trainer behind the browser demo, the guides' code samples (run as
// modules, so `@scm-ts/*` resolves to the workspace sources as in every package), and the
// end-to-end test of the built site in headless Chromium.
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../vitest.shared.ts";

export default mergeConfig(shared, defineConfig({ test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 120_000 } }));
