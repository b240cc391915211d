// Runs every ```ts block of the guides and of the packages' READMEs (see snippets.ts) as a module, so the samples cannot rot:
// an API change that breaks one fails here. Samples check their own results with node:assert. The
// samples are also type-checked, against the packages' published declarations (dist/*.d.ts), as a
// reader's project would see them.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as c from "@scm-ts/core";
import { afterEach, describe, expect, it } from "vitest";
import { extractTsBlocks, readmeSnippets, siteSnippets } from "./snippets.js";

const docs = fileURLToPath(new URL("..", import.meta.url));
const dir = join(docs, ".snippets");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

describe("extractTsBlocks", () => {
  it("finds ts blocks with their lines and ignores other languages and ts inside other fences", () => {
    const md = ["# t", "```ts", "const a = 1;", "```", "```sh", "```ts", "not this", "```", "````md", "```ts", "nor this", "```", "````", "```typescript title", "const b = 2;", "```"].join("\n");
    const got = extractTsBlocks(md, "x.md");
    expect(got.map((s) => [s.line, s.code])).toEqual([[2, "const a = 1;\n"], [14, "const b = 2;\n"]]);
  });
  it("rejects an unclosed block", () => {
    expect(() => extractTsBlocks("```ts\nconst a = 1;\n", "x.md")).toThrow(/x.md:1: a ```ts block is not closed/);
  });
});

const snippets = [...siteSnippets(docs), ...readmeSnippets(docs)];
const fileOf = (s: { page: string; line: number }) => join(dir, `${s.page.replace(/^(\.\.\/)+/, "").replace(/[/.]/g, "_")}_${s.line}.ts`);
for (const s of snippets) writeFileSync(fileOf(s), `// ${s.page}:${s.line}\n${s.code}export {};\n`);

describe("the guides' code samples", () => {
  afterEach(async () => {
    await c.setBackend("cpu"); // a sample that picks a backend leaves the next one on the CPU
  });
  it("exist", () => expect(snippets.length).toBeGreaterThanOrEqual(10));
  it("type-check", () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", join(docs, "tsconfig.snippets.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      throw new Error(`the guides' samples do not type-check (files in docs/.snippets, named after page and line):\n${(e as { stdout?: string }).stdout ?? e}`);
    }
  });
  for (const s of snippets) {
    it(`${s.page}:${s.line}`, async () => {
      await import(pathToFileURL(fileOf(s)).href);
    });
  }
});
