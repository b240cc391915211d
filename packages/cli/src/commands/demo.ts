// `scm demo`, the main job on an embedded default: on a 2-D mixture of Gaussians, train a TrigFlow
// diffusion teacher, distil it with sCD and train sCT (both starting from the teacher's weights, as
// in the paper), sample each in 1 and 2 steps and the teacher with 35 PF-ODE evaluations, print a
// table of sliced Wasserstein and MMD² against fresh data, and write plots and checkpoints.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { scatterPlot, encodePng, writeFileAtomic, writeLossCurves, type Rgb } from "@scm-ts/io";
import * as E from "fp-ts/lib/Either.js";
import { join } from "node:path";
import type { Flags, FlagSpecs } from "../args.js";
import { resolveData } from "../datasets.js";
import { generate } from "../generate.js";
import { computeMetric } from "../metrics-table.js";
import { buildNetwork } from "../run.js";
import { runTrain, trainFlags } from "./train.js";

/** Flags of `scm demo`. */
export const demoFlags: FlagSpecs = {
  out: { kind: "string", default: join("runs", "demo"), help: "output folder" },
  steps: { kind: "number", default: 800, help: "teacher steps (sCD and sCT take half each)" },
  n: { kind: "number", default: 2000, help: "samples per method for the metrics" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = cpu; webgpu loads Dawn)" },
};

const defaults = (): Flags => Object.fromEntries(Object.entries(trainFlags).map(([k, s]) => [k, s.default]));

/** Runs the demo; returns the metrics table rows. */
export async function runDemo(f: Flags, log: (line: string) => void = console.log): Promise<
  {
    /** The row label: the teacher at 35 NFE, sCD or sCT at 1 or 2 steps, or a baseline (a fresh data draw, pure noise). */
    method: string;
    /** Sliced W2 distance of its `n` samples to `n` fresh draws of the mixture (lower is better). */
    sw: number;
    /** MMD² of the same samples to the same draws (lower is better). */
    mmd: number;
  }[]
> {
  const out = f.out as string, seed = f.seed as number, steps = f.steps as number, n = f.n as number;
  const t0 = performance.now();
  const base = { ...defaults(), data: "ring", seed, backend: f.backend, batch: 512 };
  log(`scm demo: 2-D mixture of 8 Gaussians; teacher ${steps} steps, sCD and sCT ${Math.round(steps / 2)} steps each; output in ${out}`);
  const stage = (name: string, r: { seconds: number; lastLoss: number; skipped: number }) =>
    log(`  ${name.padEnd(22)} ${r.seconds.toFixed(1).padStart(6)} s   final loss ${r.lastLoss.toFixed(4)}${r.skipped ? `   ${r.skipped} non-finite steps skipped` : ""}`);
  const teacher = await runTrain({ ...base, mode: "diffusion", steps, lr: 3e-3, warmup: 0, out: join(out, "teacher") }, () => {});
  stage("diffusion teacher", teacher);
  const half = Math.max(1, Math.round(steps / 2));
  // Short consistency runs from the teacher's weights: cosine decay of the rate and a power EMA (σ_rel
  // 0.05), so neither the raw weights' jumps at a constant rate nor the teacher's weights linger in the
  // average. sCD trains without adaptive weighting: in 2-D its ‖g‖ falls below the normalization's c and
  // the learned e^w grows like 1/error² (see @scm-ts/consistency's weighting.ts).
  const cm = { ...base, steps: half, lr: 1e-3, "lr-schedule": "cosine", "ema-std": 0.05, warmup: Math.round(half / 4) };
  const scd = await runTrain({ ...cm, mode: "scd", weighting: "none", teacher: join(out, "teacher"), out: join(out, "scd") }, () => {}, teacher.ema);
  stage("sCD (from the teacher)", scd);
  const sct = await runTrain({ ...cm, mode: "sct", out: join(out, "sct") }, () => {}, teacher.ema);
  stage("sCT", sct);

  const data = await resolveData("ring", seed);
  const reference = data.reference(n, 4242 + seed);
  const noise = c.mul(c.random.normal(c.random.key(7 + seed), [n, 2]), 0.5);
  const rows: { method: string; x: Tensor }[] = [
    { method: "data (fresh draw)", x: data.reference(n, 999 + seed) },
    { method: "teacher, 35 NFE", x: generate(buildNetwork(teacher.cfg), teacher.ema, teacher.cfg, { n, seed: 1, nfe: 35 }) },
    { method: "sCD, 1 step", x: generate(buildNetwork(scd.cfg), scd.ema, scd.cfg, { n, seed: 2, steps: 1 }) },
    { method: "sCD, 2 steps", x: generate(buildNetwork(scd.cfg), scd.ema, scd.cfg, { n, seed: 2, steps: 2 }) },
    { method: "sCT, 1 step", x: generate(buildNetwork(sct.cfg), sct.ema, sct.cfg, { n, seed: 3, steps: 1 }) },
    { method: "sCT, 2 steps", x: generate(buildNetwork(sct.cfg), sct.ema, sct.cfg, { n, seed: 3, steps: 2 }) },
    { method: "noise (no model)", x: noise },
  ];
  const table: { method: string; sw: number; mmd: number }[] = [];
  log("\n| method | NFE | sliced W2 ↓ | MMD² ↓ |\n|---|---:|---:|---:|");
  for (const r of rows) {
    const sw = (await computeMetric("sw", r.x, reference, seed)).sw!;
    const m = (await computeMetric("mmd", r.x, reference, seed)).mmd!;
    table.push({ method: r.method, sw, mmd: m });
    const nfe = r.method.includes("35") ? "35" : r.method.includes("1 step") ? "1" : r.method.includes("2 steps") ? "2" : "—";
    log(`| ${r.method} | ${nfe} | ${sw.toFixed(4)} | ${m.toExponential(2)} |`);
  }
  // One scatter plot per method, side by side in one PNG.
  const colors: Rgb[] = [[80, 80, 80], [44, 160, 44], [31, 119, 180], [31, 119, 180], [214, 39, 40], [214, 39, 40], [150, 150, 150]];
  const panels = await Promise.all(rows.map(async (r, i) => scatterPlot([{ points: await r.x.data(), color: colors[i]!, label: r.method }], { width: 300, height: 300, x: { min: -1.3, max: 1.3 }, y: { min: -1.3, max: 1.3 } })));
  const W = panels.reduce((s, p) => s + p.width, 0), H = panels[0]!.height;
  const strip = new Uint8Array(W * H * 3);
  let x0 = 0;
  for (const p of panels) {
    for (let y = 0; y < H; y++) strip.set(p.data.subarray(y * p.width * 3, (y + 1) * p.width * 3), (y * W + x0) * 3);
    x0 += p.width;
  }
  const png = await writeFileAtomic(join(out, "samples.png"), [encodePng({ width: W, height: H, channels: 3, data: strip })])();
  if (E.isLeft(png)) throw new Error(png.left.message);
  for (const run of ["teacher", "scd", "sct"]) {
    const r = await writeLossCurves(join(out, run, "events.jsonl"), join(out, run, "loss.png"), { keys: ["loss"] })();
    if (E.isLeft(r)) throw new Error(r.left.message);
  }
  log(`\nwrote ${join(out, "samples.png")}, loss curves and checkpoints (teacher/, scd/, sct/) in ${out}; ${((performance.now() - t0) / 1000).toFixed(0)} s in all`);
  return table;
}
