// Shared vitest settings: every package's tests resolve `@scm-ts/*` to TypeScript sources, so tests
// need no build, and property tests get a fixed seed in CI (FC_SEED overrides it).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const packages = ["core", "native-cpu", "testing", "trigflow", "webgpu", "nn", "models", "consistency", "samplers", "data", "metrics", "io", "cli"];

export default defineConfig({
  resolve: {
    // A subpath (`@scm-ts/io/node`) resolves to the source file of that name, the main entry to index.ts.
    alias: [
      { find: /^@scm-ts\/([a-z]+)\/([a-z-]+)$/, replacement: `${root}packages/$1/src/$2.ts` },
      ...packages.map((name) => ({ find: new RegExp(`^@scm-ts/${name}$`), replacement: `${root}packages/${name}/src/index.ts` })),
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
