// Every library package's main entry bundles for the browser: the module graph reachable from its
// src/index.ts through static imports (type-only imports excepted, since they are erased) reaches no
// Node built-in, neither `node:fs` nor a bare `fs`. Node-only code lives behind a `/node` subpath
// (`@scm-ts/io/node`, `@scm-ts/data/node`, `@scm-ts/metrics/node`). Imports of other workspace packages
// are followed into their sources; other dependencies (fp-ts) are taken as browser-safe. Dynamic
// `import()` is not followed: a bundler splits it off and it runs only when called.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** The packages whose main entry is for Node only (the command line, and the native addon's loader). */
const nodeOnly = new Set(["cli", "native-cpu"]);
const builtins = new Set(builtinModules);

/** The specifiers of a source file's runtime imports and re-exports (not `import type` / `export type`). */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?(?:[^;"'`]*?\sfrom\s*)?["']([^"']+)["']/gm;
  for (const m of source.matchAll(statement)) if (m[1] === undefined) out.push(m[2]!);
  return out;
}

/** The file a specifier names from `from`, or null for a dependency outside the workspace. */
function resolveImport(specifier: string, from: string): string | null {
  if (specifier.startsWith(".")) return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"));
  const workspace = /^@scm-ts\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(specifier);
  if (workspace) return join(root, "packages", workspace[1]!, "src", `${workspace[2] ?? "index"}.ts`);
  return null;
}

/** Each path from `entry` to a Node built-in, as "file → … → specifier" (empty when there is none). */
export function nodeImportChains(entry: string): string[] {
  const chains: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, trail: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...trail, relative(root, file)];
    for (const specifier of runtimeImports(readFileSync(file, "utf8"))) {
      if (specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]!)) chains.push([...here, specifier].join(" → "));
      const next = resolveImport(specifier, file);
      if (next !== null) visit(next, here);
    }
  };
  visit(entry, []);
  return chains;
}

const libraries = readdirSync(join(root, "packages")).filter((name) => !nodeOnly.has(name) && existsSync(join(root, "packages", name, "src", "index.ts")));

describe("browser-safe main entries", () => {
  it("finds runtime imports and skips type-only ones", () => {
    const source = 'import type { A } from "node:fs";\nexport type { B } from "./b.js";\nimport {\n  c,\n  type D,\n} from "node:path";\nexport { e } from "./e.js";\nimport "./side.js";\nexport * from "fp-ts";';
    expect(runtimeImports(source)).toEqual(["node:path", "./e.js", "./side.js", "fp-ts"]);
  });

  it.each(libraries)("@scm-ts/%s reaches no Node built-in from src/index.ts", (name) => {
    expect(nodeImportChains(join(root, "packages", name, "src", "index.ts"))).toEqual([]);
  });

  it("the walk reaches Node built-ins behind @scm-ts/io/node", () => {
    expect(nodeImportChains(join(root, "packages", "io", "src", "node.ts")).length).toBeGreaterThan(0);
  });
});
