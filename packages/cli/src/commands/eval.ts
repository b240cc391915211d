// `scm eval`: sample from a checkpoint and compare with reference data under one metric.
import { selectBackend } from "../backend.js";
import { adam } from "@scm-ts/nn";
import { positiveInt, UsageError, type Flags, type FlagSpecs } from "../args.js";
import { resolveData } from "../datasets.js";
import { generate } from "../generate.js";
import { computeMetric, metricNames, type MetricName } from "../metrics-table.js";
import { loadRun } from "../run.js";

/** Flags of `scm eval`. */
export const evalFlags: FlagSpecs = {
  ckpt: { kind: "string", help: "checkpoint folder (required)" },
  data: { kind: "string", help: "reference data (default: the checkpoint's training data)" },
  metric: { kind: "string", choices: metricNames, default: "sw", help: "sliced Wasserstein, MMD², Fréchet distance or precision/recall" },
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
  const figures = await computeMetric(f.metric as MetricName, x, data.reference(n, 12345 + (f.seed as number)), f.seed as number);
  log(Object.entries(figures).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join("  "));
  return figures;
}
