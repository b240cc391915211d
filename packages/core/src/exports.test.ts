// The package's only entry point is its index (package.json `exports`): a deep import such as
// `@scm-ts/core/dist/api/elementwise.js`, which would skip the index's set-up (the eval trace, the
// CPU backends), is refused by Node with ERR_PACKAGE_PATH_NOT_EXPORTED rather than failing later.
// Run in a child Node process, which resolves the package by its own name (no build needed: the
// refusal comes before any file is read).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("@scm-ts/core's exports", () => {
  it("name the index as the only entry point", () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(Object.keys(pkg.exports)).toEqual(["."]);
  });
  it("refuse deep imports", () => {
    const script = `for (const p of ["@scm-ts/core/dist/api/elementwise.js", "@scm-ts/core/src/ops/rules.ts", "@scm-ts/core/dist/index.js"]) {
      try { await import(p); console.log(p, "loaded"); } catch (e) { console.log(p, e.code); }
    }`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: pkgDir, encoding: "utf8" });
    for (const line of out.trim().split("\n")) expect(line).toMatch(/ ERR_PACKAGE_PATH_NOT_EXPORTED$/);
  });
});
