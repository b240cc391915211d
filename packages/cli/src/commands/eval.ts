// `scm eval`: sample from a checkpoint and compare with reference data: by default sliced W2 beside
// its noise floor (two draws of the data), and where the data's density is known the metrics that
// see modes (mean log-density beside a data draw's, modes covered, fraction within 3σ).
import { selectBackend } from "../backend.js";
import { adam } from "@scm-ts/nn";
import { positiveInt, UsageError, type Flags, type FlagSpecs } from "../args.js";
import { resolveData } from "../datasets.js";
import { generate } from "../generate.js";
import { computeMetric, formatFigures, metricNames, type MetricName } from "../metrics-table.js";
import { loadRun } from "../run.js";

/** Flags of `scm eval`. */
export const evalFlags: FlagSpecs = {
  ckpt: { kind: "string", help: "checkpoint folder (required)" },
  data: { kind: "string", help: "reference data (default: the checkpoint's training data)" },
  metric: { kind: "string", choices: metricNames, default: "auto", help: "auto (sliced W2 with its noise floor, and where the data's density is known: mean log-density, modes covered, within 3σ), sw, MMD², Fréchet distance, precision/recall or modes" },
  steps: { kind: "number", default: 1, help: "consistency steps (1 or 2)" },
  nfe: { kind: "number", default: 35, help: "PF-ODE evaluations for diffusion checkpoints" },
  n: { kind: "number", default: 2000, help: "samples on each side" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = cpu; webgpu loads Dawn)" },
};

/** Runs `scm eval`; returns the figures. */
export async function runEval(f: Flags, log: (line: string) => void = console.log): Promise<Record<string, number>> {
  if (!f.ckpt) throw new UsageError("scm eval: --ckpt <checkpoint folder> is required");
  await selectBackend(f.backend as string);
  const run = await loadRun(f.ckpt as string, adam({ learningRate: 1 }));
  const data = await resolveData((f.data as string | undefined) ?? run.cfg.data, run.cfg.seed);
  if (data.sampleShape.join() !== run.cfg.sampleShape.join()) throw new UsageError(`scm eval: the data has examples of shape [${data.sampleShape.join(", ")}] but the model makes [${run.cfg.sampleShape.join(", ")}]`);
  const n = positiveInt("eval", "n", f.n);
  const x = generate(run.net, run.state.ema, run.cfg, { n, seed: f.seed as number, steps: f.steps as number, nfe: f.nfe as number });
  const seed = f.seed as number;
  const ctx = { ...(data.density ? { density: data.density } : {}), floorReference: data.reference(n, 54321 + seed) };
  const figures = await computeMetric(f.metric as MetricName, x, data.reference(n, 12345 + seed), seed, ctx);
  log(formatFigures(figures));
  return figures;
}
