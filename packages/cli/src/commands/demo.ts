// `scm demo`, the main job on an embedded default: on a 2-D ring of 8 Gaussians, train a TrigFlow
// diffusion teacher, distil it with sCD and train sCT (both started from the teacher's weights, as in
// the paper) through `scm train`'s own defaults, then sample each in 1 and 2 steps and the teacher with
// 35 PF-ODE evaluations. Two oracle rows separate the teacher's error from the distillation's: the
// exact F* of the mixture sampled at 35 NFE, and sCD distilled from that exact teacher. The table
// scores every row by the metrics that see modes (mean log-density under the true mixture, modes
// covered, fraction within 3σ) beside sliced W2 and its noise floor; plots and checkpoints are written.
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { diffusionLoss, mixtureTeacher, sampleLogNormalTime } from "@scm-ts/consistency";
import { ringOfGaussians } from "@scm-ts/data";
import { linePlot, seriesFromEvents, type LineSeries, type Rgb } from "@scm-ts/io";
import { readEventLog, writePng } from "@scm-ts/io/node";
import { sampleTeacher } from "@scm-ts/samplers";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { nonNegativeInt, positiveInt, UsageError, type Flags, type FlagSpecs } from "../args.js";
import { runFiles } from "../run-folder.js";
import { resolveData } from "../datasets.js";
import { generate } from "../generate.js";
import { computeMetric } from "../metrics-table.js";
import { buildNetwork } from "../run.js";
import { writeSamplePanels } from "../sample-panels.js";
import { runTrain, type TrainedRun } from "./train.js";

/** Flags of `scm demo`. */
export const demoFlags: FlagSpecs = {
  out: { kind: "string", default: join("runs", "demo"), help: "output folder" },
  steps: { kind: "number", default: 2000, help: "teacher steps (sCD and sCT take half each)" },
  width: { kind: "number", default: 128, help: "MLP width of the teacher (the students start from it)" },
  n: { kind: "number", default: 4000, help: "samples per method for the metrics" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = WebGPU on a hardware adapter when Dawn is installed, else the CPU; webgpu loads Dawn)" },
  force: { kind: "boolean", help: "replace the runs of an earlier demo in --out (without it, they are kept and the demo refuses)" },
};

// The run folders the demo trains in --out.
const demoRuns = ["teacher", "scd", "sct", "scd-exact"];

/** One row of the demo's table. */
export interface DemoRow {
  /** The row label: a data draw, the exact F* or the teacher at 35 NFE, sCD or sCT at 1 or 2 steps, pure noise. */
  readonly method: string;
  /** Network evaluations per sample ("—" for the baselines). */
  readonly nfe: string;
  /** Mean log-density of its samples under the true mixture (higher is better; a data draw sets the mark). */
  readonly logDensity: number;
  /** Modes (of weight ≥ 5%) holding at least half their share of the samples. */
  readonly modesCovered: number;
  /** The fraction of samples within 3σ of their mode. */
  readonly within3Sigma: number;
  /** Sliced W2 distance to a fresh draw of the mixture (lower is better). */
  readonly sw: number;
}

const fmtRow = (r: DemoRow, modes: number) =>
  `| ${r.method} | ${r.nfe} | ${r.logDensity.toFixed(3)} | ${r.modesCovered}/${modes} | ${r.within3Sigma.toFixed(3)} | ${r.sw.toFixed(4)} |`;

/** Runs the demo; returns the table rows. */
export async function runDemo(f: Flags, log: (line: string) => void = console.log): Promise<DemoRow[]> {
  // Every flag before the first of the four trainings, so a bad --n does not fail after them.
  const out = f.out as string, seed = nonNegativeInt("demo", "seed", f.seed), steps = positiveInt("demo", "steps", f.steps), n = positiveInt("demo", "n", f.n);
  positiveInt("demo", "width", f.width);
  // An earlier demo's runs are replaced only when asked: checked here, before the first training, for all four.
  const earlier = demoRuns.filter((r) => runFiles.some((file) => existsSync(join(out, r, file))));
  if (earlier.length && !f.force) throw new UsageError(`scm demo: ${out} holds the runs of an earlier demo (${earlier.join(", ")}); replace them with --force, or choose another --out`);
  const t0 = performance.now();
  const base = { data: "ring", seed, backend: f.backend, ...(f.force ? { force: true } : {}) };
  const half = Math.max(1, Math.round(steps / 2));
  log(`scm demo: 2-D ring of 8 Gaussians; teacher ${steps} steps, sCD and sCT ${half} steps each, scm train's defaults otherwise; output in ${out}`);
  const stage = (name: string, r: TrainedRun) =>
    log(`  ${name.padEnd(26)} ${r.seconds.toFixed(1).padStart(6)} s   final loss ${r.lastLoss.toFixed(4)}${r.skipped ? `   ${r.skipped} non-finite steps skipped` : ""}`);
  const quiet = () => {};
  const teacher = await runTrain({ ...base, mode: "diffusion", steps, width: f.width, out: join(out, "teacher") }, quiet);
  stage("diffusion teacher", teacher);
  const scd = await runTrain({ ...base, mode: "scd", steps: half, teacher: join(out, "teacher"), out: join(out, "scd") }, quiet);
  stage("sCD (from the teacher)", scd);
  const sct = await runTrain({ ...base, mode: "sct", steps: half, teacher: join(out, "teacher"), out: join(out, "sct") }, quiet);
  stage("sCT (from the teacher)", sct);

  // The exact teacher F* of the ring in the runs' model space (x_model = (x − shift)·scale).
  const ring = ringOfGaussians();
  const tf = teacher.cfg.dataTransform!, sd = teacher.cfg.sigmaData;
  if (Math.abs(tf.scale[0]! - tf.scale[1]!) > 1e-9 * tf.scale[0]!) throw new Error("scm demo: the ring's standardisation is not isotropic; the exact teacher needs isotropic components");
  const exactComponents = ring.components.map((k) => ({
    weight: k.weight,
    mean: k.mean.map((m, i) => (m - tf.shift[i]!) * tf.scale[i]!),
    covariance: { kind: "isotropic" as const, variance: (k.covariance as { variance: number }).variance * tf.scale[0]! ** 2 },
  }));
  const Fstar = mixtureTeacher(exactComponents, sd);
  const exact = await runTrain({ ...base, mode: "scd", steps: half, teacher: join(out, "teacher"), out: join(out, "scd-exact") }, quiet, { teacher: { F: Fstar } });
  stage("sCD (from the exact teacher)", exact);

  const data = await resolveData("ring", seed);
  const reference = data.reference(n, 4242 + seed);
  const fromModel = (x: Tensor) => c.add(c.div(x, c.array(tf.scale.slice(), [1, 2])), c.array(tf.shift.slice(), [1, 2]));
  const sampleOf = (r: TrainedRun, o: { seed: number; steps?: number; nfe?: number }) => generate(buildNetwork(r.cfg), r.ema, r.cfg, { n, ...o });
  const rows: { method: string; nfe: string; x: Tensor }[] = [
    { method: "data (a fresh draw)", nfe: "—", x: data.reference(n, 999 + seed) },
    { method: "exact teacher, 35 NFE (oracle)", nfe: "35", x: fromModel(sampleTeacher(Fstar, { key: c.random.key(1), shape: [n, 2], sigmaData: sd, nfe: 35, ...(teacher.cfg.sampleMethod ? { method: teacher.cfg.sampleMethod } : {}), ...(teacher.cfg.sampleSigmaMax ? { edm: { sigmaMax: teacher.cfg.sampleSigmaMax } } : {}) })) },
    { method: "teacher, 35 NFE", nfe: "35", x: sampleOf(teacher, { seed: 1, nfe: 35 }) },
    { method: "sCD from exact teacher, 1 step", nfe: "1", x: sampleOf(exact, { seed: 2, steps: 1 }) },
    { method: "sCD from exact teacher, 2 steps", nfe: "2", x: sampleOf(exact, { seed: 2, steps: 2 }) },
    { method: "sCD, 1 step", nfe: "1", x: sampleOf(scd, { seed: 2, steps: 1 }) },
    { method: "sCD, 2 steps", nfe: "2", x: sampleOf(scd, { seed: 2, steps: 2 }) },
    { method: "sCT, 1 step", nfe: "1", x: sampleOf(sct, { seed: 3, steps: 1 }) },
    { method: "sCT, 2 steps", nfe: "2", x: sampleOf(sct, { seed: 3, steps: 2 }) },
    { method: "noise (no model)", nfe: "—", x: c.mul(c.random.normal(c.random.key(7 + seed), [n, 2]), 0.5) },
  ];
  const density = data.density!;
  const table: DemoRow[] = [];
  log(`\nscored by ${n} samples each against the true mixture (${density.description})`);
  log("\n| method | NFE | mean log-density ↑ | modes covered | within 3σ | sliced W2 ↓ |\n|---|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const m = await computeMetric("auto", r.x, reference, seed, { density });
    const row: DemoRow = { method: r.method, nfe: r.nfe, logDensity: m.logDensity!, modesCovered: m.modesCovered!, within3Sigma: m.within3Sigma!, sw: m.sw! };
    table.push(row);
    log(fmtRow(row, m.modes!));
  }
  log(`(sliced W2's noise floor is the data row's figure: two draws of ${n} from the same mixture)`);
  const colors: Rgb[] = [[80, 80, 80], [120, 120, 40], [44, 160, 44], [148, 103, 189], [148, 103, 189], [31, 119, 180], [31, 119, 180], [214, 39, 40], [214, 39, 40], [150, 150, 150]];
  await writeSamplePanels(join(out, "samples.png"), rows.map((r, i) => ({ label: r.method, x: r.x, color: colors[i]! })), { axis: { min: -1.4, max: 1.4 } });
  // The unweighted per-dimension error of each run; the teacher's beside the error the exact F* makes on
  // the same noisy targets, the floor no network can go below. sCD's error is ‖g‖²/D, which → 0.
  const floor = await diffusionFloor(Fstar, ring, tf, teacher.cfg);
  log(`teacher's error floor (the exact F* on the same targets): ${floor.toFixed(4)} per dimension`);
  for (const run of demoRuns) await writeErrorCurve(join(out, run), run === "teacher" ? floor : undefined);
  log(`\nwrote ${join(out, "samples.png")}, loss curves and checkpoints (teacher/, scd/, sct/, scd-exact/) in ${out}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  return table;
}

// E over the diffusion loss's own draws of x0, z and t of (F* − v/σ_d)², per dimension: the floor of its error.
async function diffusionFloor(Fstar: RawNetwork, ring: ReturnType<typeof ringOfGaussians>, tf: { shift: readonly number[]; scale: readonly number[] }, cfg: TrainedRun["cfg"]): Promise<number> {
  let sum = 0;
  const rounds = 16, B = 4096;
  for (let i = 0; i < rounds; i++) {
    const e = c.tidy(() => {
      const [k0, kz, kt] = c.random.split(c.random.key(9000 + i), 3);
      const x0 = c.mul(c.sub(ring.sample(k0!, B), c.array(tf.shift.slice(), [1, 2])), c.array(tf.scale.slice(), [1, 2]));
      const z = c.mul(c.random.normal(kz!, [B, 2]), cfg.sigmaData);
      const t = sampleLogNormalTime(kt!, B, cfg.time, cfg.sigmaData);
      return c.mean(diffusionLoss({ F: Fstar, sigmaData: cfg.sigmaData, x0, z, t }).err);
    });
    sum += (await e.data())[0]!;
    e.dispose();
  }
  return sum / rounds;
}

// The run's logged error against the step on a log axis, with a floor line where one is known.
async function writeErrorCurve(dir: string, floor?: number): Promise<void> {
  const err = seriesFromEvents(await readEventLog(join(dir, "events.jsonl")), "step", "err");
  const series: LineSeries[] = [{ ...err, color: [31, 119, 180], label: "error per dimension" }];
  if (floor !== undefined) series.push({ x: err.x, y: Array.from(err.x, () => floor), color: [214, 39, 40], label: "floor: the exact teacher" });
  await writePng(join(dir, "loss.png"), linePlot(series, { logY: true, smoothing: 0.8 }));
}
