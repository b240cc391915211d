// Core has no import cycle: the static imports between its modules (type-only imports, erased at
// run time, aside) form a DAG, so every module can be imported on its own and initialises after
// everything it uses. Read from the sources with a small parser of import/export statements.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

// `import … from "./x.js"`, `export … from "./x.js"` and `import "./x.js"`, except `import type` / `export type`
const statement = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?"(\.[^"]+)"/gm;

/** Each module's relative imports (as absolute .ts paths). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(
    files.map((f) => {
      const deps = [...readFileSync(f, "utf8").matchAll(statement)].filter((m) => !m[1]).map((m) => resolve(dirname(f), m[2]!.replace(/\.js$/, ".ts")));
      return [f, deps];
    }),
  );
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next), low.set(v, next++), stack.push(v), onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do (w = stack.pop()!), onStack.delete(w), scc.push(w);
    while (w !== v);
    if (scc.length > 1 || graph.get(v)!.includes(v)) found.push(scc.map((f) => relative(root, f)).sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("core's module graph", () => {
  it("has no import cycle", () => {
    const graph = importGraph(sources(root));
    expect(graph.size).toBeGreaterThan(50);
    expect([...graph.values()].flat().length, "the parser finds the imports").toBeGreaterThan(200);
    expect(cycles(graph)).toEqual([]);
  });
  it("finds a cycle when there is one (the check itself)", () => {
    const g = new Map([["/a.ts", ["/b.ts"]], ["/b.ts", ["/c.ts"]], ["/c.ts", ["/a.ts"]], ["/d.ts", ["/a.ts"]]]);
    expect(cycles(g).map((c) => c.length)).toEqual([3]);
  });
});
