// `scm sample`: draw samples from a checkpoint (1 or 2 consistency steps, an explicit t-list, or the
// teacher's PF-ODE at --nfe) and write them as a PNG or safetensors file; --class and --guidance for
// class-conditional and guidance-distilled checkpoints.
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
  class: { kind: "string", help: "class-conditional checkpoints: k for every sample of class k, or all to spread the samples evenly over the classes (default: none, the null label)" },
  guidance: { kind: "number", help: "a guidance-distilled sCD student's w (default: the low end of the range it was distilled at); a class-conditional diffusion checkpoint's classifier-free guidance scale (default 1: none)" },
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
  if (f.class !== undefined && f.class !== "all" && !/^\d+$/.test(String(f.class))) throw new UsageError(`scm sample: --class must be a class id (0, 1, …) or all, got '${String(f.class)}'`);
  const k = f.class === undefined || f.class === "all" ? f.class : Number(f.class);
  const run = await loadRun(f.ckpt as string, adam({ learningRate: 1 }));
  const conditions = { ...(k !== undefined ? { classLabel: k as number | "all" } : {}), ...(f.guidance !== undefined ? { guidance: f.guidance as number } : {}) };
  const x = generate(run.net, run.state.ema, run.cfg, { n: positiveInt("sample", "n", f.n), seed: f.seed as number, steps: f.steps as number, tMid: f["t-mid"] as number, nfe: positiveInt("sample", "nfe", f.nfe), ...(ts ? { ts } : {}), ...conditions });
  await writeSamples(f.out as string, x, run.cfg);
  const of = [k !== undefined ? `class ${k}` : "", f.guidance !== undefined ? `guidance ${String(f.guidance)}` : ""].filter(Boolean).join(", ");
  log(`wrote ${x.shape[0]} samples of a ${run.cfg.mode} model (step ${run.step}${of ? `; ${of}` : ""}) to ${String(f.out)}`);
}
