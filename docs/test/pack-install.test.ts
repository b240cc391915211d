// The npm tarballs of core, models, consistency and io install into an empty project and work there:
// `npm pack` each package (with the workspace packages they depend on), `npm install --offline` the
// tarballs into a fresh directory outside the repository, then run a small program with node and
// type-check a TypeScript one against the installed declarations. Nothing is fetched: the one
// third-party dependency (fp-ts, for io) is packed from the workspace's own node_modules, so the test
// runs without a network. It needs the packages' dist (built by `npm run build`, which turbo runs
// before the docs tests). Also checks that every tarball has the license text and no test file.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** The packages under test and the workspace packages they need. */
const packages = ["core", "trigflow", "nn", "models", "consistency", "io"];
const work = mkdtempSync(join(tmpdir(), "scm-pack-"));
const app = join(work, "app");

/** npm without the variables an enclosing `npm run` sets (workspace, package), so it acts on `cwd`. */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package_|lifecycle_|config_workspace)/i.test(k)));
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env, encoding: "utf8", stdio: "pipe" });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm tarballs", () => {
  it("hold no test files", () => {
    for (const p of packages) {
      const listing = JSON.parse(npm(["pack", "--dry-run", "--json", join(root, "packages", p)], work)) as { files: { path: string }[] }[];
      const tests = listing[0]!.files.map((f) => f.path).filter((f) => /\.test\.|\.test-support\.|test-fixtures\//.test(f));
      expect(tests, `@scm-ts/${p}`).toEqual([]);
      expect(listing[0]!.files.some((f) => f.path === "dist/index.js"), `@scm-ts/${p} ships dist/index.js`).toBe(true);
      expect(listing[0]!.files.some((f) => f.path === "LICENSE"), `@scm-ts/${p} ships its LICENSE`).toBe(true);
    }
  });

  it("carry the repository's LICENSE unchanged", () => {
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    for (const p of readdirSync(join(root, "packages"))) expect(readFileSync(join(root, "packages", p, "LICENSE"), "utf8"), `packages/${p}/LICENSE`).toBe(license);
  });

  it("install offline into an empty project, run, and type-check", () => {
    for (const p of packages) npm(["pack", join(root, "packages", p), "--pack-destination", work], work);
    const fpTs = dirname(createRequire(join(root, "packages", "io", "package.json")).resolve("fp-ts/package.json"));
    npm(["pack", fpTs, "--pack-destination", work], work);
    const tarballs = readdirSync(work).filter((f) => f.endsWith(".tgz"));
    expect(tarballs).toHaveLength(packages.length + 1);

    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "empty-app", version: "1.0.0", private: true, type: "module" }));
    npm(["install", "--offline", ...tarballs.map((t) => join("..", t))], app);

    const program = `import * as c from "@scm-ts/core";
import { makeObjective } from "@scm-ts/consistency";
import { loadTensors, saveTensors } from "@scm-ts/io/node";
import { mlp } from "@scm-ts/models";

const net = mlp({ dataDim: 2, width: 16, depth: 1, timeFeatures: 8 });
const params = net.init(c.random.key(0));
const F = net.apply(params, c.ones([3, 2]), c.full([3], 0.5));
const objective = makeObjective({ apply: net.apply, logvar: net.logvar }, { mode: "sct", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } });
const file = process.argv[2] ?? "x.safetensors";
await saveTensors(file, { F });
const loaded = await loadTensors(file);
console.log(JSON.stringify({ shape: F.shape, objective: typeof objective, back: loaded.get("F")?.shape }));
`;
    writeFileSync(join(app, "main.ts"), program);
    writeFileSync(join(app, "main.mjs"), program); // plain JavaScript too: no type annotations
    const out = execFileSync(process.execPath, ["main.mjs", join(app, "x.safetensors")], { cwd: app, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ shape: [3, 2], objective: "function", back: [3, 2] });

    writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(root, "node_modules", "@types")] }, files: ["main.ts"] }));
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      throw new Error(`the installed declarations do not type-check a consumer:\n${(e as { stdout?: string }).stdout ?? e}`);
    }
  }, 240_000);
});
