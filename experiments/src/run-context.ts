// What every experiment receives and how it becomes a result file: quick or full budget, the seed
// offset, the command line that reproduces the run, and the commit of the tree; `finish` stamps the
// machine, the wall time and the command onto the experiment's tables and claims.
import { execSync } from "node:child_process";
import { describeMachine } from "./machine.js";
import type { Claim, ExperimentResult, ResultImage, ResultTable } from "./result-file.js";

/** The options of one experiment run. */
export interface RunOptions {
  /** Small budget (CI and smoke runs). */
  readonly quick: boolean;
  /** Added to every training seed (0 = the published runs); evaluation seeds never change. */
  readonly seed: number;
  /** A CM learning rate other than the paper's (a "what was tried" variant; its result id gets a suffix). */
  readonly cmLr?: number;
  /**
   * "short-run": the recipe of @scm-ts/consistency's quality test for short 2-D runs (cosine decay from
   * 1e-3, sCD without adaptive weighting, sCT with c = 1 at batch 768) instead of the paper's settings.
   */
  readonly recipe?: "short-run";
  /**
   * Evaluation seed sets to average the scores over (default 1: the published set only). Draw d uses
   * every evaluation seed + 1000·d; the claims then use the mean SW and show each draw's ratio.
   */
  readonly evalDraws?: number;
  /** The folder figures are written to (experiments/results/); absent: the run writes none. */
  readonly figuresDir?: string;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** The parts of a result an experiment computes. */
export interface ExperimentBody {
  readonly title: string;
  readonly seeds: Record<string, number>;
  readonly settings: Record<string, unknown>;
  readonly tables: readonly ResultTable[];
  readonly claims: readonly Claim[];
  readonly notes: readonly string[];
  readonly verbatim?: readonly { readonly title: string; readonly text: string }[];
  readonly images?: readonly ResultImage[];
}

function commit(): string {
  try {
    const head = execSync("git rev-parse --short HEAD", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execSync("git status --porcelain --untracked-files=no -- packages", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head} + uncommitted changes in packages/` : head;
  } catch {
    return "unknown";
  }
}

/** The command that reproduces an experiment run, from the repository root. */
export function commandFor(id: string, o: Pick<RunOptions, "quick" | "seed" | "cmLr" | "recipe" | "evalDraws">): string {
  return `npm run exp -w @scm-ts/experiments -- ${id}${o.quick ? " --quick" : ""}${o.seed ? ` --seed ${o.seed}` : ""}${o.cmLr !== undefined ? ` --cm-lr ${o.cmLr}` : ""}${o.recipe ? ` --recipe ${o.recipe}` : ""}${(o.evalDraws ?? 1) > 1 ? ` --eval-draws ${o.evalDraws}` : ""}`;
}

/** The result id of a run: the experiment id, suffixed for variants. */
export function resultId(id: string, o: Pick<RunOptions, "cmLr" | "seed" | "recipe" | "evalDraws">): string {
  return `${id}${o.recipe ? `-recipe-${o.recipe}` : ""}${o.cmLr !== undefined ? `-cmlr-${o.cmLr}` : ""}${o.seed ? `-seed-${o.seed}` : ""}${(o.evalDraws ?? 1) > 1 ? `-draws-${o.evalDraws}` : ""}`;
}

// "(variant: …)" for runs other than the published default.
function variantLabel(o: Pick<RunOptions, "cmLr" | "seed" | "recipe" | "evalDraws">): string | undefined {
  const parts = [...(o.recipe ? [`${o.recipe} recipe`] : []), ...(o.cmLr !== undefined ? [`CM learning rate ${o.cmLr}`] : []), ...(o.seed ? [`training seeds +${o.seed}`] : []), ...((o.evalDraws ?? 1) > 1 ? [`scores averaged over ${o.evalDraws} evaluation draws`] : [])];
  return parts.length ? `(variant: ${parts.join(", ")})` : undefined;
}

/** Runs an experiment body and wraps it as a result. */
export async function runExperiment(id: string, o: RunOptions, body: (o: RunOptions) => Promise<ExperimentBody>): Promise<ExperimentResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const b = await body(o);
  const variant = variantLabel(o);
  const title = variant ? `${b.title} ${variant}` : b.title;
  return { id: resultId(id, o), ...b, title, command: commandFor(id, o), quick: o.quick, machine: describeMachine(), startedAt, wallSeconds: (performance.now() - t0) / 1000, commit: commit() };
}
