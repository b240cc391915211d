// `scm sample`: draw samples from a checkpoint (1 or 2 consistency steps, an explicit t-list, or the
// teacher's PF-ODE at --nfe) and write them as a PNG or safetensors file.
import { selectBackend } from "../backend.js";
import { adam } from "@scm-ts/nn";
import { positiveInt, UsageError, type Flags, type FlagSpecs } from "../args.js";
import { generate, writeSamples } from "../generate.js";
import { loadRun } from "../run.js";

/** Flags of `scm sample`. */
export const sampleFlags: FlagSpecs = {
  ckpt: { kind: "string", help: "checkpoint folder (required)" },
  steps: { kind: "number", default: 1, help: "consistency steps: 1 (from t_max) or 2 (via t_mid)" },
  "t-mid": { kind: "number", default: 1.1, help: "the intermediate time of 2-step sampling" },
  ts: { kind: "string", help: "explicit decreasing times, comma-separated (overrides --steps)" },
  nfe: { kind: "number", default: 35, help: "PF-ODE evaluations for diffusion checkpoints" },
  n: { kind: "number", default: 1000, help: "number of samples" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = cpu; webgpu loads Dawn)" },
  out: { kind: "string", default: "samples.png", help: "output file (.png or .safetensors)" },
};

/** Runs `scm sample`. */
export async function runSample(f: Flags, log: (line: string) => void = console.log): Promise<void> {
  if (!f.ckpt) throw new UsageError("scm sample: --ckpt <checkpoint folder> is required");
  await selectBackend(f.backend as string);
  const ts = f.ts ? String(f.ts).split(",").map((s) => Number(s.trim())) : undefined;
  if (ts && ts.some((t) => !Number.isFinite(t))) throw new UsageError(`scm sample: --ts must be comma-separated numbers, got '${String(f.ts)}'`);
  const run = await loadRun(f.ckpt as string, adam({ learningRate: 1 }));
  const x = generate(run.net, run.state.ema, run.cfg, { n: positiveInt("sample", "n", f.n), seed: f.seed as number, steps: f.steps as number, tMid: f["t-mid"] as number, nfe: positiveInt("sample", "nfe", f.nfe), ...(ts ? { ts } : {}) });
  await writeSamples(f.out as string, x, run.cfg);
  log(`wrote ${x.shape[0]} samples of a ${run.cfg.mode} model (step ${run.step}) to ${String(f.out)}`);
}
