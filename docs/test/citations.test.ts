// The repository is self-contained: source comments, test names, READMEs and results cite only
// documents that are in it. Every file under packages/, examples/, experiments/, bench/ and docs/
// (and the top-level README) is scanned, build outputs and dependencies excepted, for
// - a cite of the old private notes outside the repository (by name, by their folder one level up,
//   or as "<name>.md §x");
// - a docs page (docs/…/x.md, or a guide page named bare, as in math.md, "Heading") that does not
//   exist, or a heading ("Heading" after the page) or anchor (#slug) that the page does not have;
// - a relative markdown link outside docs/ (READMEs) that leaves the repository or names no file.
// The site's own links are checked on the built site (links.test.ts).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const docs = join(root, "docs");
const skipDirs = new Set(["node_modules", "dist", ".turbo", ".vitepress", "api", ".snippets", "test-output", "runs", ".device"]);
const textFile = /\.(ts|mts|cts|js|mjs|cjs|vue|md|json)$/;
/** Pages that a script writes when it runs, so they may be named before they exist. */
const generatedPages = new Set(["docs/benchmarks.md"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) return skipDirs.has(name) ? [] : files(p);
    return textFile.test(name) && s.size < 4_000_000 ? [p] : [];
  });
}

/** The heading id VitePress writes (the site's slugify in .vitepress/config.ts). */
export const slug = (s: string): string =>
  s.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/[\s-]+/g, "-").replace(/^-|-$/g, "");

const headingCache = new Map<string, string[]>();
/** The headings of a markdown page, outside code fences. */
function headings(file: string): string[] {
  let h = headingCache.get(file);
  if (!h) {
    h = [];
    let fence = false;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (/^\s*```/.test(line)) fence = !fence;
      const m = !fence && /^#{1,6}\s+(.*?)\s*$/.exec(line);
      if (m) h.push(m[1]!);
    }
    headingCache.set(file, h);
  }
  return h;
}

// The folder beside the repository that held the old notes, spelt so this file does not cite it itself.
const outsideFolder = ["..", "shared"].join("/");

/** The problems with the citations in one file's text (empty when all resolve). */
export function citationProblems(text: string, file: string): string[] {
  const out: string[] = [];
  for (const bad of ["scm-spec", outsideFolder]) if (text.includes(bad)) out.push(`cites "${bad}"`);
  for (const m of text.matchAll(/\b[\w-]+\.md §/g)) out.push(`cites a section number of a page: "${m[0]}"`);
  for (const m of text.matchAll(/[\w-]+\.md, \\?"[^"\n]*$/gm)) out.push(`splits a cited heading across lines: ${m[0]}`);
  // docs/… pages, or guide pages named bare, with an optional "Heading" (or \"Heading\" in JSON) or #anchor.
  const cite = /(?<![\w/.-])((?:docs\/)?(?:guide\/)?[\w-]+\.md)(?:, \\?"([^"\\\n]+)\\?"|#([\w-]+))?/g;
  for (const m of text.matchAll(cite)) {
    const [, name, heading, anchor] = m;
    const page = name!.startsWith("docs/") ? name! : existsSync(join(docs, "guide", name!.replace(/^guide\//, ""))) ? `docs/guide/${name!.replace(/^guide\//, "")}` : name!.startsWith("guide/") ? `docs/${name}` : null;
    if (page === null) {
      if (heading !== undefined) out.push(`cites "${heading}" of ${name}, which is not a docs page`);
      continue; // a bare file name (README.md, notes.md, …) that is not a citation of the docs
    }
    if (!existsSync(join(root, page))) {
      if (!generatedPages.has(page)) out.push(`names ${page}, which does not exist`);
      continue;
    }
    const hs = headings(join(root, page));
    if (heading !== undefined && !hs.includes(heading)) out.push(`cites "${heading}" of ${page}, which has no such heading`);
    if (anchor !== undefined && !hs.some((h) => slug(h) === anchor)) out.push(`cites ${page}#${anchor}, which has no such heading`);
  }
  // Relative links of markdown outside docs/ (the site checks its own): inside the repository, to a file that exists.
  if (file.endsWith(".md") && !file.startsWith(docs)) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split("#")[0]!;
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const abs = resolve(dirname(file), target);
      if (relative(root, abs).startsWith("..")) out.push(`links outside the repository: ${m[1]}`);
      else if (!existsSync(abs)) out.push(`links to ${m[1]}, which does not exist`);
    }
  }
  return out;
}

describe("citations", () => {
  it("flags the old notes, missing pages, missing headings and links out of the repository", () => {
    const f = join(root, "README.md");
    expect(citationProblems('// scm-spec §1.2: D = …', f)).toEqual(['cites "scm-spec"']);
    expect(citationProblems("see design.md §8", f)).toEqual(['cites a section number of a page: "design.md §"']);
    expect(citationProblems('docs/guide/math.md, "No such heading"', f)).toEqual(['cites "No such heading" of docs/guide/math.md, which has no such heading']);
    expect(citationProblems('// docs/guide/math.md, "Exact\n// oracles"', f)).toEqual(['splits a cited heading across lines: math.md, "Exact']);
    expect(citationProblems("docs/guide/nope.md", f)).toEqual(["names docs/guide/nope.md, which does not exist"]);
    expect(citationProblems("docs/guide/math.md#nope", f)).toEqual(["cites docs/guide/math.md#nope, which has no such heading"]);
    expect(citationProblems(`[d](${outsideFolder}/docs/design.md)`, f)).toContain(`links outside the repository: ${outsideFolder}/docs/design.md`);
    expect(citationProblems('math.md, "Exact oracles"; docs/guide/trigflow-scm.md#the-scm-tangent; "x\\" (docs/guide/math.md, \\"The paper\'s settings\\")', f)).toEqual([]);
  });

  it("every file cites only documents and sections that exist", () => {
    const self = fileURLToPath(import.meta.url); // its examples of bad citations are meant
    const all = ["packages", "examples", "experiments", "bench", "docs"].flatMap((d) => files(join(root, d))).concat([join(root, "README.md")]).filter((f) => f !== self);
    expect(all.length).toBeGreaterThan(200);
    const problems = all.flatMap((file) => citationProblems(readFileSync(file, "utf8"), file).map((p) => `${relative(root, file)}: ${p}`));
    expect(problems).toEqual([]);
  });
});
