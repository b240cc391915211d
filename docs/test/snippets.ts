// The guides' code samples: every ```ts block of the site's markdown pages (guide/*.md and the
// pages at the top of docs/) and of the packages' READMEs (packages/*/README.md) is a complete module. This extracts them with their line numbers so
// the test can write each to docs/.snippets/ and import it, with `@scm-ts/*` resolved to the sources.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** One code sample: where it is and its source. */
export interface Snippet {
  /** The page, relative to docs/ (e.g. "guide/engine.md"). */
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
}

/** The markdown pages of the site under `docs` (README.md is the folder's note, not a page). */
export function sitePages(docs: string): string[] {
  const top = readdirSync(docs).filter((f) => f.endsWith(".md") && f !== "README.md").map((f) => join(docs, f));
  const guide = readdirSync(join(docs, "guide")).filter((f) => f.endsWith(".md")).map((f) => join(docs, "guide", f));
  return [...top, ...guide].sort();
}

// A closing fence (CommonMark): only backticks, at least as many as the opening one.
const closes = (line: string, fence: string): boolean => /^\s*`+\s*$/.test(line) && line.trim().length >= fence.length;

/** The ```ts / ```typescript blocks of a markdown text (fences of three or more backticks; info words after the language are allowed). */
export function extractTsBlocks(markdown: string, page: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(ts|typescript)\b/.exec(lines[i]!);
    if (!open) {
      const other = /^\s*(`{3,})/.exec(lines[i]!);
      if (other) while (++i < lines.length && !closes(lines[i]!, other[1]!));
      continue;
    }
    const fence = open[2]!, body: string[] = [];
    const start = i + 1;
    while (++i < lines.length && !closes(lines[i]!, fence)) body.push(lines[i]!.slice(open[1]!.length));
    if (i >= lines.length) throw new Error(`${page}:${start}: a \`\`\`ts block is not closed`);
    out.push({ page, line: start, code: body.join("\n") + "\n" });
  }
  return out;
}

/** All the samples of the site. */
export function siteSnippets(docs: string): Snippet[] {
  return sitePages(docs).flatMap((p) => extractTsBlocks(readFileSync(p, "utf8"), relative(docs, p)));
}

/** The packages' READMEs (packages/<name>/README.md), whose examples are checked like the guides'. */
export function packageReadmes(docs: string): string[] {
  const packages = join(docs, "..", "packages");
  return readdirSync(packages).map((p) => join(packages, p, "README.md")).filter((f) => existsSync(f)).sort();
}

/** All the samples of the package READMEs; `page` is relative to docs/ (e.g. "../packages/core/README.md"). */
export function readmeSnippets(docs: string): Snippet[] {
  return packageReadmes(docs).flatMap((p) => extractTsBlocks(readFileSync(p, "utf8"), relative(docs, p)));
}
