// The quality pipeline of issue 17 (Deliver 4) through the CLI path, shared by the quality test and the
// experiments: on a data set, train a diffusion teacher, then sCD and sCT started from it, with
// `scm train`'s defaults apart from the budget; sample the teacher at 35 NFE, sCD in 1 and 2 steps and
// sCT in 2 steps; score each, and a fresh data draw, by the mean log-density of the samples under the
// true density and the modes they cover. The data sets are the 2-D toys and a 6-component mixture in
// 8 dimensions that the pipeline writes itself (a .safetensors file with its description, scm.mixture).
// Seeds are fixed, so a run is deterministic on one backend.
import * as c from "@scm-ts/core";
import type { MixtureComponent, Tensor } from "@scm-ts/core";
import { gaussianMixture, mixtureMetadataKey } from "@scm-ts/data";
import { saveTensors } from "@scm-ts/io/node";
import { join } from "node:path";
import { resolveData } from "./datasets.js";
import { generate } from "./generate.js";
import { computeMetric } from "./metrics-table.js";
import { buildNetwork } from "./run.js";
import { runTrain, type TrainedRun } from "./commands/train.js";

/** Training steps and teacher width; an absent field takes `scm train`'s default. */
export interface QualityBudget {
  /** Steps of the diffusion teacher. */
  readonly teacherSteps?: number;
  /** Steps of sCD and of sCT, each. */
  readonly studentSteps?: number;
  /** MLP width of the teacher (the students start from its weights, so share it). */
  readonly width?: number;
}

/** The small budget CI runs (the full one is `scm train`'s defaults, `{}`). */
export const ciQualityBudget: QualityBudget = { teacherSteps: 1500, studentSteps: 750, width: 128 };

/** A data set of the pipeline. */
export interface QualitySet {
  /** The set's name in tables and folder names. */
  readonly name: string;
  /** The `--data` value, writing the data into `dir` first where it is a file. */
  readonly data: (dir: string) => Promise<string>;
}

/**
 * Writes the 8-D mixture to `dir/mixture8.safetensors` (20 000 rows, key `x`, with its description):
 * six components of weights 0.1 + 0.05·k, means ~ N(0, 1.5² I) and diagonal covariances, drawn from a
 * fixed linear congruential stream so the file is the same on every machine.
 */
export async function writeMixture8(dir: string): Promise<string> {
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
  const normal = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const components: MixtureComponent[] = Array.from({ length: 6 }, (_, k) => ({
    weight: 0.1 + 0.05 * k,
    mean: Array.from({ length: 8 }, () => 1.5 * normal()),
    covariance: { kind: "diagonal", variances: Array.from({ length: 8 }, () => (0.15 + 0.2 * rnd()) ** 2) },
  }));
  const x = gaussianMixture(components).sample(c.random.key(77), 20_000);
  const file = join(dir, "mixture8.safetensors");
  await saveTensors(file, { x }, { [mixtureMetadataKey]: JSON.stringify({ components }) });
  return file;
}

/** The six data sets: ring, grid, moons, checkerboard, spirals (2-D) and the 8-D mixture. */
export const qualitySets: readonly QualitySet[] = [
  ...(["ring", "grid", "moons", "checkerboard", "spirals"] as const).map((name) => ({ name, data: async () => name })),
  { name: "8-D mixture", data: writeMixture8 },
];

/** What is scored: a fresh data draw, then the four models. */
export const qualityRows = ["data", "teacher", "sCD1", "sCD2", "sCT2"] as const;
/** One of `qualityRows`. */
export type QualityRow = (typeof qualityRows)[number];

/** The scores of one row's samples under the true density. */
export interface QualityScore {
  /** Mean log-density of the samples (nats; higher is better). */
  readonly logDensity: number;
  /** Modes holding at least half their share of the samples. */
  readonly modesCovered: number;
  /** Modes checked. */
  readonly modes: number;
}

/** The outcome of the pipeline on one data set. */
export interface QualityRun {
  /** The data set's name. */
  readonly name: string;
  /** The data's dimension. */
  readonly dimension: number;
  /** The scores of each row's samples. */
  readonly scores: Readonly<Record<QualityRow, QualityScore>>;
  /** The samples scored, [n, dimension] each, in data space (the caller disposes of them). */
  readonly samples: Readonly<Record<QualityRow, Tensor>>;
  /** Wall time of the whole set in seconds (writing the data, three trainings, sampling, scoring). */
  readonly seconds: number;
}

/** Options of `runQuality`. */
export interface QualityOptions {
  /** Folder for the data file and the three runs (teacher `t`, sCD `s`, sCT `c` under a folder per set). */
  readonly dir: string;
  /** Steps and width; `ciQualityBudget` or `{}` for `scm train`'s defaults. */
  readonly budget: QualityBudget;
  /** Samples per row; default 4000. */
  readonly n?: number;
  /** Training seed of the three runs; default 1. */
  readonly seed?: number;
}

/** Trains, samples and scores one data set (training seed `o.seed`, sampling seed 5, data draw seed 9). */
export async function runQuality(set: QualitySet, o: QualityOptions): Promise<QualityRun> {
  const n = o.n ?? 4000;
  const t0 = performance.now();
  const data = await set.data(o.dir);
  const out = join(o.dir, set.name.replace(/\W/g, "-"));
  const base = { data, seed: o.seed ?? 1, backend: "cpu" };
  const teacher = await runTrain({ ...base, mode: "diffusion", steps: o.budget.teacherSteps, width: o.budget.width, out: join(out, "t") }, () => {});
  const student = { ...base, steps: o.budget.studentSteps, teacher: join(out, "t") };
  const scd = await runTrain({ ...student, mode: "scd", out: join(out, "s") }, () => {});
  const sct = await runTrain({ ...student, mode: "sct", out: join(out, "c") }, () => {});
  const source = await resolveData(data, 1);
  if (!source.density) throw new Error(`runQuality: ${set.name} has no known density to score samples by; use a toy or a file with scm.mixture metadata`);
  const sample = (r: TrainedRun, s: { steps?: number; nfe?: number }) => generate(buildNetwork(r.cfg), r.ema, r.cfg, { n, seed: 5, ...s });
  const samples: Record<QualityRow, Tensor> = { data: source.reference(n, 9), teacher: sample(teacher, { nfe: 35 }), sCD1: sample(scd, { steps: 1 }), sCD2: sample(scd, { steps: 2 }), sCT2: sample(sct, { steps: 2 }) };
  const scores = {} as Record<QualityRow, QualityScore>;
  for (const k of qualityRows) {
    const m = await computeMetric("modes", samples[k], samples[k], 0, { density: source.density });
    scores[k] = { logDensity: m.logDensity!, modesCovered: m.modesCovered!, modes: m.modes! };
  }
  return { name: set.name, dimension: source.sampleShape.reduce((a, b) => a * b, 1), scores, samples, seconds: (performance.now() - t0) / 1000 };
}
