// The built site has no broken links: every internal link names a page or file of the build, and
// every #fragment an id on its target page (the guides, the demo and the generated API reference).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkLinks } from "../scripts/check-links.mjs";

const dist = fileURLToPath(new URL("../.vitepress/dist", import.meta.url));

describe("checkLinks", () => {
  it("reports a missing page and a missing fragment, and accepts good links", () => {
    const dir = mkdtempSync(join(tmpdir(), "scm-links-"));
    mkdirSync(join(dir, "guide"));
    writeFileSync(join(dir, "index.html"), '<a href="/guide/a">a</a><a href="/guide/a.html#top">t</a><a href="#here">h</a><h2 id="here"></h2><a href="https://example.org/x">x</a><a href="/nope.html">n</a><a href="guide/a#gone">g</a>');
    writeFileSync(join(dir, "guide", "a.html"), '<h1 id="top">A</h1><a href="../index.html#here">back</a>');
    const r = checkLinks(dir);
    expect(r.pages).toBe(2);
    expect(r.broken).toEqual([
      { page: "/index.html", href: "/nope.html", reason: "no such file in the build" },
      { page: "/index.html", href: "guide/a#gone", reason: 'no element with id "gone"' },
    ]);
  });
});

describe("the built site", () => {
  it("has no broken links", () => {
    if (!existsSync(dist)) throw new Error(`no built site in ${dist}; run npm run docs:build first`);
    const r = checkLinks(dist);
    expect(r.pages).toBeGreaterThan(20);
    expect(r.broken.slice(0, 20)).toEqual([]);
  });
});
