// `scm sample`: draw samples from a checkpoint (1 or 2 consistency steps, an explicit t-list, or the
// teacher's PF-ODE at --nfe) and write them as a PNG or safetensors file; --class and --guidance for
// class-conditional and guidance-distilled checkpoints. A PNG of 1-D or D ≥ 3 samples shows the
// training data beside them when it can still be read (sample-png.ts). Every flag and the output name are checked
// before the checkpoint is read; --out may not be the checkpoint it reads nor a file of any run
// folder, and an existing file there is replaced only with --force; samples with NaN or ±∞ are not written as a success (--allow-nonfinite to inspect a diverged run).
// --noise takes the sampler's noise from a file (z, and z1, z2, … for the renoising of k-step sampling), so
// another implementation — the PyTorch reference in python/ — given the same file draws the same samples.
import { selectBackend } from "../backend.js";
import { adam } from "@scm-ts/nn";
import * as c from "@scm-ts/core";
import { checkpointFile, loadTensors } from "@scm-ts/io/node";
import { nonNegativeInt, parseDecimal, positiveInt, UsageError, withDefaults, type Flags, type FlagSpecs } from "../args.js";
import { checkSampleFile, checkTMid, chunkProgress, chunkRows, generate, solverFlag, tMidFlag, writeSamples, type GivenNoise } from "../generate.js";
import type { PfOdeMethod } from "@scm-ts/trigflow";
import { countNonFinite } from "../run-check.js";
import { checkRowsFit } from "../memory.js";
import { checkNotAnInput, isRunFile } from "../run-folder.js";
import { loadRun, type RunConfig } from "../run.js";
import { resolveData } from "../datasets.js";
import { validateConsistencyTimes } from "@scm-ts/samplers";
import { asUsage } from "../input-errors.js";
import { existsSync } from "node:fs";

/** Flags of `scm sample`. */
export const sampleFlags: FlagSpecs = {
  ckpt: { kind: "string", help: "checkpoint folder (required)" },
  steps: { kind: "number", default: 1, help: "consistency steps: 1 (from t_max) or 2 (via t_mid)" },
  "t-mid": tMidFlag,
  ts: { kind: "string", help: "explicit decreasing times, comma-separated (overrides --steps)" },
  nfe: { kind: "number", default: 35, help: "PF-ODE evaluations for diffusion checkpoints" },
  solver: solverFlag,
  class: { kind: "string", help: "class-conditional checkpoints: k for every sample of class k, or all to spread the samples evenly over the classes (default: none, the null label)" },
  guidance: { kind: "number", help: "a guidance-distilled sCD student's w (default: the low end of the range it was distilled at); a class-conditional diffusion checkpoint's classifier-free guidance scale (default 1: none)" },
  n: { kind: "number", default: 1000, help: "number of samples" },
  noise: { kind: "string", help: "a .safetensors file of the sampler's noise in model space (std σ_d): z [n, ...sample shape] where sampling starts, and z1, z2, … for each renoising step; n is taken from z (default: drawn from --seed)" },
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = WebGPU on a hardware adapter when Dawn is installed, else the CPU; webgpu loads Dawn)" },
  out: { kind: "string", default: "samples.png", help: "output file (.png or .safetensors); never the checkpoint or another file of a run folder" },
  "allow-nonfinite": { kind: "boolean", help: "load a checkpoint whose weights hold NaN or ±∞ and write its samples anyway, to inspect a diverged run (the command still exits 1)" },
  force: { kind: "boolean", help: "replace the file already at --out (without it, an existing file is refused, so nothing saved is lost)" },
};

/** The --ts list: comma-separated decimal numbers, every entry present. */
export function parseTimes(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  const ts = String(v).split(",").map((s) => parseDecimal(s.trim()));
  if (ts.some((t) => t === undefined)) throw new UsageError(`scm sample: --ts must be comma-separated numbers, got '${String(v)}'`);
  return ts as number[];
}

/** Runs `scm sample`. */
export async function runSample(given: Flags, log: (line: string) => void = console.log): Promise<void> {
  // Called from code, flags may be partial: the declared defaults fill what is absent, as on the command line.
  const f = withDefaults(sampleFlags, given);
  if (!f.ckpt) throw new UsageError("scm sample: --ckpt <checkpoint folder> is required");
  const out = f.out as string, ckpt = f.ckpt as string;
  const n = positiveInt("sample", "n", f.n), nfe = positiveInt("sample", "nfe", f.nfe), steps = positiveInt("sample", "steps", f.steps), seed = nonNegativeInt("sample", "seed", f.seed);
  const ts = parseTimes(f.ts);
  if (ts) {
    try {
      validateConsistencyTimes(ts, "scm sample: --ts");
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const tMid = checkTMid("scm sample", f["t-mid"]);
  checkSampleFile(out);
  checkNotAnInput("scm sample", "--out", out, { "--ckpt": checkpointFile(ckpt) });
  if (isRunFile(out)) throw new UsageError(`scm sample: --out ${out} is a file of the run folder there; write the samples elsewhere`);
  // An earlier result (or any file of the user's) at --out is not replaced without --force.
  if (existsSync(out) && f.force !== true) throw new UsageError(`scm sample: --out ${out} already exists; choose another name, or replace it with --force`);
  await selectBackend(f.backend as string);
  if (f.class !== undefined && f.class !== "all" && !/^\d+$/.test(String(f.class))) throw new UsageError(`scm sample: --class must be a class id (0, 1, …) or all, got '${String(f.class)}'`);
  const k = f.class === undefined || f.class === "all" ? f.class : Number(f.class);
  const allow = f["allow-nonfinite"] === true;
  const run = await loadRun(ckpt, adam({ learningRate: 1 }), { allowNonFinite: allow, allowFlag: "--allow-nonfinite" });
  checkSampleFile(out, run.cfg);
  checkRowsFit("scm sample", "--n", n, run.cfg, false, undefined, chunkRows(run.cfg));
  const noise = f.noise === undefined ? undefined : await readNoise(String(f.noise), run.cfg.sampleShape, given.n === undefined ? undefined : n);
  const conditions = { ...(noise ? { noise } : {}), ...(k !== undefined ? { classLabel: k as number | "all" } : {}), ...(f.guidance !== undefined ? { guidance: f.guidance as number } : {}) };
  const rows = noise ? noise.z.shape[0]! : n;
  const x = generate(run.net, run.state.ema, run.cfg, { n: rows, seed, steps, ...(tMid !== undefined ? { tMid } : {}), nfe, ...(f.solver !== undefined ? { solver: f.solver as PfOdeMethod } : {}), ...(ts ? { ts } : {}), ...conditions, onChunk: chunkProgress(log, rows) });
  const { bad, total } = await countNonFinite(x);
  if (bad > 0 && !allow) throw new Error(`scm sample: ${bad} of the ${total} sampled values are NaN or ±∞; nothing written (inspect with --allow-nonfinite)`);
  const reference = out.endsWith(".png") ? await pictureReference(run.cfg) : undefined;
  const caption = await writeSamples(out, x, run.cfg, reference);
  reference?.dispose();
  if (bad > 0) throw new Error(`scm sample: wrote ${out}, but ${bad} of its ${total} values are NaN or ±∞ (--allow-nonfinite)`);
  const of = [k !== undefined ? `class ${k}` : "", f.guidance !== undefined ? `guidance ${String(f.guidance)}` : ""].filter(Boolean).join(", ");
  log(`wrote ${x.shape[0]} samples of a ${run.cfg.mode} model (step ${run.step}${of ? `; ${of}` : ""}) to ${out}${caption ? `: ${caption}` : ""}`);
}

/** Rows of the training data drawn beside samples in a PNG of vectors other than 2-D points. */
export const pictureReferenceRows = 4000;

// The run's training data, for the picture of 1-D or D ≥ 3 samples; undefined for other shapes and when
// the data cannot be read any more (moved, or named relative to another folder): the picture then
// shows the samples alone and its caption says so.
async function pictureReference(cfg: RunConfig): Promise<c.Tensor | undefined> {
  if (cfg.sampleShape.length !== 1 || cfg.sampleShape[0] === 2) return undefined;
  try {
    const data = await resolveData(cfg.data, cfg.seed);
    return data.sampleShape.join() === cfg.sampleShape.join() ? data.reference(pictureReferenceRows, 0) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a --noise file: z [n, ...sampleShape] and z1, z2, … of the same shape, as float32 (n must equal --n when that is given). */
async function readNoise(file: string, sampleShape: readonly number[], n: number | undefined): Promise<GivenNoise> {
  const tensors = await asUsage(loadTensors(file), "scm sample --noise");
  const z = tensors.get("z");
  if (!z) throw new UsageError(`scm sample --noise ${file}: no tensor "z" (the starting noise [n, ${sampleShape.join(", ")}]); it holds ${[...tensors.keys()].join(", ") || "nothing"}`);
  const want = (t: c.Tensor, name: string, rows: number): c.Tensor => {
    const ok = t.ndim === sampleShape.length + 1 && t.shape[0] === rows && sampleShape.every((d, i) => t.shape[i + 1] === d);
    if (!ok) throw new UsageError(`scm sample --noise ${file}: "${name}" is [${t.shape.join(", ")}] but the checkpoint samples [${rows}, ${sampleShape.join(", ")}]`);
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new UsageError(`scm sample --noise ${file}: "${name}" is ${t.dtype}; store the noise as F32 or F64`);
    return t.dtype === "float32" ? t : c.astype(t, "float32");
  };
  const rows = z.shape[0] ?? 0;
  if (n !== undefined && rows !== n) throw new UsageError(`scm sample --noise ${file}: z holds ${rows} samples but --n ${n} was given; drop --n (the file sets it)`);
  const renoise: c.Tensor[] = [];
  for (let i = 1; tensors.has(`z${i}`); i++) renoise.push(want(tensors.get(`z${i}`)!, `z${i}`, rows));
  return { z: want(z, "z", rows), renoise };
}
