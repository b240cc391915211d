// The experiments' command line: `node dist/cli.js <id> [--quick] [--seed N]` runs one experiment and
// writes results/<id>.json (results/quick/<id>.json with --quick); `node dist/cli.js report` renders
// docs/results.md from the committed result files. Run from the repository root through
// `npm run exp -w @scm-ts/experiments -- <id>`.
import * as c from "@scm-ts/core";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { experiments } from "./registry.js";
import { renderResults } from "./report.js";
import { readCommentary, readResults, writeResult } from "./result-file.js";
import { runExperiment } from "./run-context.js";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsRoot = join(packageRoot, "results");

function usage(): never {
  console.error(`usage: npm run exp -w @scm-ts/experiments -- <${Object.keys(experiments).join("|")}|report> [--quick] [--seed N] [--cm-lr X] [--recipe short-run] [--eval-draws K]`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [id, ...rest] = argv;
  if (!id) usage();
  if (id === "report") {
    const out = join(packageRoot, "..", "docs", "results.md");
    writeFileSync(out, renderResults(readResults(resultsRoot), readResults(join(resultsRoot, "quick")), readCommentary(resultsRoot)));
    console.log(`wrote ${out}`);
    return;
  }
  const body = experiments[id];
  if (!body) usage();
  const quick = rest.includes("--quick");
  const seedAt = rest.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(rest[seedAt + 1]) : 0;
  if (!Number.isInteger(seed)) {
    console.error(`--seed must be an integer, got ${rest[seedAt + 1]}`);
    process.exit(2);
  }
  const lrAt = rest.indexOf("--cm-lr");
  const cmLr = lrAt >= 0 ? Number(rest[lrAt + 1]) : undefined;
  if (cmLr !== undefined && !(cmLr > 0)) {
    console.error(`--cm-lr must be a positive number, got ${rest[lrAt + 1]}`);
    process.exit(2);
  }
  const recipeAt = rest.indexOf("--recipe");
  const recipe = recipeAt >= 0 ? rest[recipeAt + 1] : undefined;
  if (recipe !== undefined && recipe !== "short-run") {
    console.error(`--recipe must be short-run (the default is the paper's settings), got ${recipe}`);
    process.exit(2);
  }
  const drawsAt = rest.indexOf("--eval-draws");
  const evalDraws = drawsAt >= 0 ? Number(rest[drawsAt + 1]) : 1;
  if (!(Number.isInteger(evalDraws) && evalDraws >= 1)) {
    console.error(`--eval-draws must be an integer ≥ 1 (evaluation seed sets to average over), got ${rest[drawsAt + 1]}`);
    process.exit(2);
  }
  if (evalDraws > 1 && id !== "exp1-mixture") {
    console.error(`--eval-draws is implemented for exp1-mixture only; ${id} scores on the published evaluation draw`);
    process.exit(2);
  }
  await c.setBackend("cpu");
  const log = (line: string) => console.log(`[${id}] ${line}`);
  const result = await runExperiment(id, { quick, seed, log, figuresDir: resultsRoot, ...(cmLr !== undefined ? { cmLr } : {}), ...(recipe ? { recipe } : {}), ...(evalDraws > 1 ? { evalDraws } : {}) }, body);
  for (const claim of result.claims) log(`${claim.holds ? "HOLDS" : "DOES NOT HOLD"}: ${claim.text} — ${claim.detail}`);
  log(`wrote ${writeResult(resultsRoot, result)} (${result.wallSeconds.toFixed(0)} s)`);
}

await main(process.argv.slice(2));
