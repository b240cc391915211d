// The result files every experiment writes (results/<id>.json, or results/quick/<id>.json for
// --quick runs): the command that reproduces it, its seeds, settings, machine and wall time, the
// tables of figures, and the claims checked with their verdicts. The results page is rendered from
// these files alone, so rerunning one experiment and the report is all a refresh takes.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Machine } from "./machine.js";

/** A table cell: a number (formatted by the report), text, or null for "not measured". */
export type Cell = number | string | null;

/** One table of figures. */
export interface ResultTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** A sentence under the table (what the numbers mean). */
  readonly caption?: string;
}

/** A claim of the paper checked at this scale. */
export interface Claim {
  readonly text: string;
  readonly holds: boolean;
  /** The numbers behind the verdict. */
  readonly detail: string;
}

/** A figure the run wrote beside its result file. */
export interface ResultImage {
  /** What it shows (the image's alt text and caption). */
  readonly title: string;
  /** The PNG's path relative to the results folder (experiments/results/). */
  readonly file: string;
}

/** Everything one experiment run produced. */
export interface ExperimentResult {
  readonly id: string;
  readonly title: string;
  /** The command that reproduces this file (from the repository root). */
  readonly command: string;
  readonly quick: boolean;
  readonly seeds: Record<string, number>;
  readonly settings: Record<string, unknown>;
  readonly machine: Machine;
  readonly startedAt: string;
  readonly wallSeconds: number;
  /** Git commit of the tree (and whether it had uncommitted changes). */
  readonly commit: string;
  readonly tables: readonly ResultTable[];
  readonly claims: readonly Claim[];
  readonly notes: readonly string[];
  /** Verbatim text blocks (benchmark output). */
  readonly verbatim?: readonly { readonly title: string; readonly text: string }[];
  /** Figures written into experiments/results/. */
  readonly images?: readonly ResultImage[];
}

/** The folder of result files for full or quick runs. */
export function resultsDir(root: string, quick: boolean): string {
  return quick ? join(root, "quick") : root;
}

/** Writes a result atomically (temporary file, then rename). */
export function writeResult(root: string, r: ExperimentResult): string {
  const dir = resultsDir(root, r.quick);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.id}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(r, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

/** The hand-written readings results/<id>.reading.md of a folder, by id. */
export function readCommentary(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((f) => f.endsWith(".reading.md")).map((f) => [f.slice(0, -".reading.md".length), readFileSync(join(dir, f), "utf8")]));
}

/** Reads every result in a folder (not recursive), sorted by id. */
export function readResults(dir: string): ExperimentResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as ExperimentResult);
}
