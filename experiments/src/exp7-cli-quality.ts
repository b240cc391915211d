// Experiment 7 (issue 17, Deliver 4 and its acceptance): sCM through the CLI path on six data sets —
// the ring, grid, moons, checkerboard and spirals toys and an 8-D mixture the pipeline writes — with
// `scm train`'s defaults: a diffusion teacher, then sCD and sCT started from it (@scm-ts/cli's
// runQuality, the pipeline of the CLI's quality test). Each model's samples are scored by their mean
// log-density under the true density (nats) and the modes they cover. The claims are the acceptance
// items: the teacher's 35 NFE within 0.3 nats of a data draw, sCD within 0.15 of its teacher in 1 step
// and 0.10 in 2, sCT within 0.3 in 2, no mode lost. --quick is CI's budget; the full run is the defaults.
import { ciQualityBudget, qualitySets, runQuality, writeSamplePanels, type QualityRow, type QualityRun, type SamplePanel } from "@scm-ts/cli";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Claim, ResultImage } from "./result-file.js";
import type { ExperimentBody, RunOptions } from "./run-context.js";

/** The models scored against the teacher (or, for the teacher, against a data draw), with their largest allowed gap in nats. */
export const exp7Acceptance = [
  { row: "teacher", text: "the teacher's 35-NFE samples are within 0.3 nats of a data draw on every set", gap: 0.3 },
  { row: "sCD1", text: "sCD 1-step is within 0.15 nats of its teacher on every set", gap: 0.15 },
  { row: "sCD2", text: "sCD 2-step is within 0.10 nats of its teacher on every set", gap: 0.1 },
  { row: "sCT2", text: "sCT 2-step (from the teacher) is within 0.3 nats of it on every set", gap: 0.3 },
] as const satisfies readonly { row: QualityRow; text: string; gap: number }[];

const label: Record<QualityRow, string> = { data: "data (a fresh draw)", teacher: "teacher, 35 NFE", sCD1: "sCD, 1 step", sCD2: "sCD, 2 steps", sCT2: "sCT, 2 steps" };
const color: Record<QualityRow, SamplePanel["color"]> = { data: [80, 80, 80], teacher: [44, 160, 44], sCD1: [31, 119, 180], sCD2: [31, 119, 180], sCT2: [214, 39, 40] };
const models = ["teacher", "sCD1", "sCD2", "sCT2"] as const;

/** A model's gap in nats: the teacher below a data draw, a student below its teacher (negative: better). */
export function qualityGap(r: Pick<QualityRun, "scores">, row: (typeof models)[number]): number {
  return (row === "teacher" ? r.scores.data : r.scores.teacher).logDensity - r.scores[row].logDensity;
}

// "holds on a, b; not on c (0.83), d (1.12)" for a per-set test.
function bySet<R extends { name: string }>(runs: readonly R[], pass: (r: R) => boolean, figure: (r: R) => string): string {
  const yes = runs.filter(pass), no = runs.filter((r) => !pass(r));
  return [yes.length ? `holds on ${yes.map((r) => r.name).join(", ")}` : "holds on none", ...(no.length ? [`not on ${no.map((r) => `${r.name} (${figure(r)})`).join(", ")}`] : [])].join("; ");
}

/** The acceptance claims over the sets' scores, with the sets each holds on. */
export function exp7Claims(runs: readonly Pick<QualityRun, "name" | "scores">[]): Claim[] {
  const lost = (r: Pick<QualityRun, "scores">) => models.filter((m) => r.scores[m].modesCovered < r.scores[m].modes);
  return [
    ...exp7Acceptance.map(({ row, text, gap }) => ({
      text,
      holds: runs.every((r) => qualityGap(r, row) <= gap),
      detail: bySet(runs, (r) => qualityGap(r, row) <= gap, (r) => `${qualityGap(r, row).toFixed(2)} nats`),
    })),
    {
      text: "no model loses a mode on any set",
      holds: runs.every((r) => lost(r).length === 0),
      detail: bySet(runs, (r) => lost(r).length === 0, (r) => lost(r).map((m) => `${label[m]} ${r.scores[m].modesCovered}/${r.scores[m].modes}`).join(", ")),
    },
  ];
}

/** Experiment 7 as a result body. */
export async function experiment7(o: RunOptions): Promise<ExperimentBody> {
  const budget = o.quick ? ciQualityBudget : {};
  const dir = mkdtempSync(join(tmpdir(), "scm-exp7-"));
  const runs: QualityRun[] = [];
  const images: ResultImage[] = [];
  try {
    for (const set of qualitySets) {
      const run = await runQuality(set, { dir, budget, seed: 1 + o.seed });
      o.log(`${set.name}: ${models.map((m) => `${m} gap ${qualityGap(run, m).toFixed(2)}`).join(", ")} [${run.seconds.toFixed(0)} s]`);
      if (run.dimension === 2 && o.figuresDir) {
        const file = `exp7${o.quick ? "-quick" : ""}${o.seed ? `-seed-${o.seed}` : ""}-${set.name}.png`;
        await writeSamplePanels(join(o.figuresDir, file), (["data", ...models] as const).map((k) => ({ label: label[k], x: run.samples[k], color: color[k] })), { size: 240 });
        images.push({ title: `${set.name}: data, teacher (35 NFE), sCD 1 and 2 steps, sCT 2 steps`, file });
      }
      for (const x of Object.values(run.samples)) x.dispose();
      runs.push(run);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const claims = exp7Claims(runs);
  return {
    title: "Experiment 7 — the CLI path on six data sets (issue 17's acceptance)",
    seeds: { "train (teacher, sCD, sCT)": 1 + o.seed, sample: 5, "data draw": 9, "8-D mixture file (components, rows)": 12345 },
    settings: { budget: o.quick ? { ...budget, note: "CI's budget (the quality test's)" } : "scm train's defaults", samplesPerModel: 4000, teacher: "35 NFE, scm sample's defaults", students: "scm sample's defaults (2-step via t_mid)", sets: qualitySets.map((s) => s.name) },
    tables: [
      {
        title: "Mean log-density of 4000 samples under the true density (nats, higher is better) and the gaps",
        columns: ["data set", "data draw", "teacher", "sCD 1-step", "sCD 2-step", "sCT 2-step", "teacher gap (≤ 0.3)", "sCD 1 gap (≤ 0.15)", "sCD 2 gap (≤ 0.10)", "sCT 2 gap (≤ 0.3)", "modes covered (teacher · sCD 1 · sCD 2 · sCT 2)", "wall s"],
        rows: runs.map((r) => [r.name, r.scores.data.logDensity, ...models.map((m) => r.scores[m].logDensity), ...models.map((m) => qualityGap(r, m)), `${models.map((m) => r.scores[m].modesCovered).join(" · ")} of ${r.scores.data.modes}`, r.seconds]),
        caption: "A gap is the teacher's log-density below the data draw's, or a student's below its teacher's; negative: better than the mark it is measured from.",
      },
    ],
    claims,
    notes: [`Samples are drawn and scored as the CLI's quality test does (packages/cli/src/quality.ts); its CI thresholds are the gaps of the quick run with a margin.`],
    images,
  };
}
