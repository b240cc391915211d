// `scm eval`: sample from a checkpoint and compare with reference data: by default sliced W2 beside
// its noise floor (two draws of the data), and where the data's density is known the metrics that
// see modes (mean log-density beside a data draw's, modes covered, fraction within 3σ).
import { selectBackend } from "../backend.js";
import { adam } from "@scm-ts/nn";
import { nonNegativeInt, positiveInt, UsageError, withDefaults, type Flags, type FlagSpecs } from "../args.js";
import { countNonFinite } from "../run-check.js";
import { checkRowsFit } from "../memory.js";
import { resolveData } from "../datasets.js";
import { checkTMid, chunkProgress, chunkRows, generate, solverFlag, tMidFlag } from "../generate.js";
import type { PfOdeMethod } from "@scm-ts/trigflow";
import { computeMetric, formatFigures, metricNames, type MetricName } from "../metrics-table.js";
import { loadRun } from "../run.js";

/** Flags of `scm eval`. */
export const evalFlags: FlagSpecs = {
  ckpt: { kind: "string", help: "checkpoint folder (required)" },
  data: { kind: "string", help: "reference data (default: the checkpoint's training data)" },
  metric: { kind: "string", choices: metricNames, default: "auto", help: "auto (sliced W2 with its noise floor, and where the data's density is known: mean log-density, modes covered, within 3σ), sw, MMD², Fréchet distance, precision/recall or modes" },
  steps: { kind: "number", default: 1, help: "consistency steps (1 or 2)" },
  "t-mid": tMidFlag,
  nfe: { kind: "number", default: 35, help: "PF-ODE evaluations for diffusion checkpoints" },
  solver: solverFlag,
  n: { kind: "number", default: 2000, help: "samples on each side" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = WebGPU on a hardware adapter when Dawn is installed, else the CPU; webgpu loads Dawn)" },
  "allow-nonfinite": { kind: "boolean", help: "load a checkpoint whose weights hold NaN or ±∞, to inspect a diverged run (non-finite samples still make the command fail)" },
};

/** Runs `scm eval`; returns the figures. */
export async function runEval(given: Flags, log: (line: string) => void = console.log): Promise<Record<string, number>> {
  // Called from code, flags may be partial: the declared defaults fill what is absent, as on the command line.
  const f = withDefaults(evalFlags, given);
  if (!f.ckpt) throw new UsageError("scm eval: --ckpt <checkpoint folder> is required");
  // Every flag before the checkpoint is read or anything sampled.
  const n = positiveInt("eval", "n", f.n), nfe = positiveInt("eval", "nfe", f.nfe), steps = positiveInt("eval", "steps", f.steps), seed = nonNegativeInt("eval", "seed", f.seed);
  const tMid = checkTMid("scm eval", f["t-mid"]);
  await selectBackend(f.backend as string);
  const run = await loadRun(f.ckpt as string, adam({ learningRate: 1 }), { allowNonFinite: f["allow-nonfinite"] === true, allowFlag: "--allow-nonfinite" });
  checkRowsFit("scm eval", "--n", n, run.cfg, false, undefined, chunkRows(run.cfg));
  const data = await resolveData((f.data as string | undefined) ?? run.cfg.data, run.cfg.seed);
  if (data.sampleShape.join() !== run.cfg.sampleShape.join()) throw new UsageError(`scm eval: the data has examples of shape [${data.sampleShape.join(", ")}] but the model makes [${run.cfg.sampleShape.join(", ")}]`);
  const x = generate(run.net, run.state.ema, run.cfg, { n, seed, steps, nfe, ...(f.solver !== undefined ? { solver: f.solver as PfOdeMethod } : {}), ...(tMid !== undefined ? { tMid } : {}), onChunk: chunkProgress(log, n) });
  const { bad, total } = await countNonFinite(x);
  if (bad > 0) throw new Error(`scm eval: ${bad} of the ${total} sampled values are NaN or ±∞; the run's figures would be meaningless`);
  // The reference and the floor's second draw share no example (a file of N rows gives two halves of
  // at most N/2): sliced W2 between overlapping subsets of one file understates the floor.
  const [reference, floorReference] = data.referencePair(n, 12345 + seed);
  const ctx = { ...(data.density ? { density: data.density } : {}), floorReference };
  const figures = await computeMetric(f.metric as MetricName, x, reference, seed, ctx);
  log(formatFigures(figures));
  return figures;
}
