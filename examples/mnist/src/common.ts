// What the two example scripts share: the flags every run has (data size, network, budget, seed,
// output), the evaluation of a list of samplers against the held-out digits, and the outputs — one
// PNG grid per method, a captioned panel of all of them, results.json with every figure, setting and
// timing, and the markdown table printed at the end.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataFloor, gridOf, panel, savePng, scoreMethod, table, type Draw, type Scored } from "./evaluate.js";
import type { FlagSpec } from "./flags.js";
import type { MnistSplit } from "./mnist-data.js";

/** Flags shared by both scripts. */
export const commonFlags = {
  size: { kind: "number", default: 28, integer: true, help: "training resolution: 28, 14 or 7 (28 average-pooled)" },
  model: { kind: "string", default: "base", choices: ["tiny", "small", "base"], help: "U-Net size preset" },
  batch: { kind: "number", default: 32, integer: true, min: 2, help: "batch size" },
  seed: { kind: "number", default: 0, integer: true, min: 0, help: "random seed (initialisation, batches, noise)" },
  n: { kind: "number", default: 1000, integer: true, min: 4, help: "samples per method for FD and precision/recall" },
  "p-mean": { kind: "number", default: -1, help: "log-normal time proposal P_mean" },
  "p-std": { kind: "number", default: 1.4, help: "log-normal time proposal P_std" },
  "lr-schedule": { kind: "string", default: "cosine", choices: ["constant", "cosine"], help: "the learning rate: constant, or cosine decay from its peak to 0 at the last step" },
  ema: { kind: "number", default: 0, min: 0, help: "a fixed EMA decay per step of the consistency model (0: the power EMA of --ema-std)" },
  "ema-std": { kind: "number", default: 0.05, min: 0, help: "EDM2's power EMA of relative width σ_rel, for every stage without a fixed decay" },
  "checkpoint-every": { kind: "number", default: 250, integer: true, min: 1, help: "steps between checkpoints" },
} as const satisfies Record<string, FlagSpec>;

/** A sampler to score. */
export interface Method {
  readonly method: string;
  /** Short file-name tag ("scd-1step"). */
  readonly tag: string;
  readonly nfe: number;
  readonly draw: Draw;
}

/** Everything a run reports. */
export interface ExampleResult {
  readonly example: string;
  readonly rows: readonly Scored[];
  readonly files: readonly string[];
  readonly stages: Readonly<Record<string, { seconds: number; steps: number; lastLoss: number; skipped: number }>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly data: { size: number; trainCount: number; heldOutCount: number; split: MnistSplit["split"] };
  readonly totalSeconds: number;
}

/** Scores the methods (and the data floor), writes grids, the panel and results.json; prints the table. */
export async function evaluateAndReport(
  example: string, out: string, data: MnistSplit, methods: readonly Method[], n: number, seed: number,
  stages: ExampleResult["stages"], settings: Record<string, unknown>, t0: number, log: (line: string) => void,
): Promise<ExampleResult> {
  mkdirSync(out, { recursive: true });
  const rows: Scored[] = [], files: string[] = [], items = [];
  for (const [i, m] of methods.entries()) {
    const { row, pixels } = await scoreMethod(data, m.method, m.nfe, m.draw, n, seed * 7919 + 101 + i);
    log(`[eval] ${m.method}: FD ${row.fd.toFixed(2)}, precision ${row.precision.toFixed(3)}, recall ${row.recall.toFixed(3)} (${n} samples in ${row.sampleSeconds.toFixed(1)} s)`);
    rows.push(row);
    const image = gridOf(pixels);
    const file = join(out, `samples-${m.tag}.png`);
    await savePng(file, image);
    files.push(file);
    items.push({ caption: m.method, image });
  }
  const floor = await dataFloor(data, n);
  rows.push(floor);
  items.push({ caption: "data", image: gridOf(data.trainPixels) });
  const panelFile = join(out, "samples.png");
  await savePng(panelFile, panel(items));
  files.push(panelFile);
  const result: ExampleResult = {
    example, rows, files, stages, settings,
    data: { size: data.size, trainCount: data.trainCount, heldOutCount: data.heldOutCount, split: data.split },
    totalSeconds: (performance.now() - t0) / 1000,
  };
  const resultsFile = join(out, "results.json");
  writeFileSync(resultsFile, JSON.stringify(result, null, 2) + "\n");
  log(`\nFD and precision/recall (k = 3) in the MNIST classifier's feature space, ${n} samples vs the ${data.heldOutCount} held-out digits (${data.size}×${data.size}, upsampled to 28×28):\n`);
  log(table(rows));
  log(`\nwrote ${[...files, resultsFile].join(", ")}; ${result.totalSeconds.toFixed(0)} s in all`);
  return result;
}
