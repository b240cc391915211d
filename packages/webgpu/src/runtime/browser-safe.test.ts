// The package loads in browsers: no module outside the tests imports a Node built-in or Dawn's
// `webgpu` package statically (Node-only modules are loaded with a dynamic import, on the Node path
// of acquire.ts only), so bundlers and browsers never see them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const src = fileURLToPath(new URL("..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "test-support" ? [] : sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

it("imports no Node built-in and not Dawn statically outside the tests", () => {
  const files = sources(src);
  expect(files.length).toBeGreaterThan(10);
  const offending = files.filter((f) => /^\s*import\s[^;]*from\s+["'](node:[^"']+|webgpu)["']/m.test(readFileSync(f, "utf8")) || /^\s*import\s+["'](node:[^"']+|webgpu)["']/m.test(readFileSync(f, "utf8")));
  expect(offending).toEqual([]);
  // Dawn and node:* are reached only through dynamic imports on the Node path.
  expect(readFileSync(join(src, "runtime", "acquire.ts"), "utf8")).toMatch(/await import\(specifier\)/);
});
