// The VitePress site: guides, the TypeDoc API reference (generated into api/ by `typedoc` before
// `vitepress build`), and the browser demo. `@scm-ts/*` resolve to the packages' TypeScript sources,
// as in the tests, so the demo bundles the workspace as it is. Dead links fail the build (VitePress's
// default, kept); the API pages are checked with the rest.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type DefaultTheme } from "vitepress";
import { nodeBuiltinsStub } from "./node-builtins-stub.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
const packages = readdirSync(`${root}packages`).filter((p) => existsSync(`${root}packages/${p}/src/index.ts`));

const guide: DefaultTheme.SidebarItem[] = [
  { text: "Getting started", link: "/guide/getting-started" },
  { text: "The engine, stage by stage", link: "/guide/engine" },
  { text: "TrigFlow and sCM", link: "/guide/trigflow-scm" },
  { text: "The math behind the code", link: "/guide/math" },
  { text: "Training on your own data", link: "/guide/training" },
  { text: "Sampling", link: "/guide/sampling" },
  { text: "Checkpoints and PyTorch", link: "/guide/checkpoints" },
  { text: "From and to PyTorch", link: "/guide/pytorch" },
  { text: "Benchmarks and results", link: "/guide/benchmarks" },
  { text: "Design", link: "/guide/design" },
];

// The experiments' write-up, docs/results.md, when it exists: linked from the benchmarks page and the sidebar.
const hasResults = existsSync(`${here}../results.md`);
const resultsText = hasResults
  ? "The measured results — training runs, sample quality and speed — are on the [results page](/results)."
  : "No results page yet: the experiments write theirs to `docs/results.md`, which then appears here.";
if (hasResults) guide.push({ text: "Results", link: "/results" });

// One sidebar entry per generated package page (api/@scm-ts/<name>.md or <name>/index.md).
const apiItems: DefaultTheme.SidebarItem[] = packages.map((p) => ({
  text: `@scm-ts/${p}`,
  link: existsSync(`${here}../api/@scm-ts/${p}/index.md`) ? `/api/@scm-ts/${p}/` : `/api/@scm-ts/${p}`,
}));

/** The site configuration. */
export default defineConfig({
  title: "scm-ts",
  description: "Continuous-time consistency models (sCM) on a TypeScript tensor engine with forward- and reverse-mode autodiff, for WebGPU and the CPU.",
  srcExclude: ["README.md", "src/**", "test/**", "node_modules/**"],
  lastUpdated: false,
  cleanUrls: false,
  markdown: {
    // Heading ids as the repository's other markdown tools write their links: lower case, letters,
    // digits, spaces and hyphens kept, runs of spaces and hyphens made one hyphen
    // ("Experiment 1 — 2-D mixture" → "experiment-1-2-d-mixture").
    anchor: { slugify: (s: string) => s.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/[\s-]+/g, "-").replace(/^-|-$/g, "") },
    config(md) {
      // Replace the results marker before parsing, so the link is checked like any other.
      md.core.ruler.before("normalize", "scm-results", (state) => {
        state.src = state.src.replace("<!-- scm-ts:results -->", resultsText);
      });
    },
  },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/getting-started" },
      { text: "API", link: "/api/" },
      { text: "Demo", link: "/demo" },
    ],
    sidebar: { "/guide/": guide, "/demo": guide, "/api/": [{ text: "API reference", link: "/api/", items: apiItems }] },
    search: { provider: "local" },
    outline: [2, 3],
  },
  vite: {
    plugins: [nodeBuiltinsStub()],
    resolve: { alias: packages.map((name) => ({ find: `@scm-ts/${name}`, replacement: `${root}packages/${name}/src/index.ts` })) },
    // cross-origin isolation, so that pages get SharedArrayBuffer and the CPU backend its worker threads
    server: { fs: { allow: [root] }, headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } },
    build: { chunkSizeWarningLimit: 4000 },
  },
});
