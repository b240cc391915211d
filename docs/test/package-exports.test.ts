// Every package is entered through what its package.json `exports` declares — "." and any named
// subpath ("./node"), never a folder pattern — so Node refuses a deep import such as
// `@scm-ts/core/dist/api/elementwise.js` (which would skip the index's set-up, e.g. core's eval trace)
// with ERR_PACKAGE_PATH_NOT_EXPORTED; and nothing in the repository (packages, examples, experiments,
// bench, docs) imports another package's dist/ or src/ by path.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const packagesDir = join(root, "packages");
const skipDirs = new Set(["node_modules", "dist", ".turbo", ".vitepress", "api", ".snippets", "test-output", "runs", ".device"]);
const sourceFile = /\.(ts|mts|cts|js|mjs|cjs|vue|md)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) return skipDirs.has(name) ? [] : files(p);
    return sourceFile.test(name) ? [p] : [];
  });
}

describe("package entry points", () => {
  const packages = readdirSync(packagesDir).filter((d) => statSync(join(packagesDir, d, "package.json"), { throwIfNoEntry: false }));

  it.each(packages)("@scm-ts/%s declares only named entry points", (dir) => {
    const pkg = JSON.parse(readFileSync(join(packagesDir, dir, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
    expect(pkg.exports, `packages/${dir}/package.json has no "exports"; add one so deep imports are refused`).toBeDefined();
    for (const key of Object.keys(pkg.exports!)) expect(key).toMatch(/^\.(\/[a-z][a-z0-9-]*)*$/);
  });

  it("are the only way the repository imports a package", () => {
    const deep = /@scm-ts\/[a-z-]+\/(dist|src)\b/;
    const offenders = ["packages", "examples", "experiments", "bench", "docs"]
      .flatMap((d) => files(join(root, d)))
      .filter((f) => !f.endsWith("exports.test.ts")) // the tests of this rule name deep imports on purpose
      .filter((f) => deep.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
