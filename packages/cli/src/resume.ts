// What `scm train --resume` trains with: the settings the checkpoint recorded, not the flags' defaults.
// A resumed run must continue the run it resumes, so each recorded setting (mode, data, batch, lr,
// seed, warm-up, time proposal, schedule, weighting, EMA, tangent c, teacher, conditioning) fills its
// flag; a flag given with another value (also --width/--depth against the recorded architecture) is
// refused naming both, except --steps, whose change is
// legitimate (train further, or stop earlier) and is recorded as an event of the run.
import { isIdentityStandardization } from "@scm-ts/data";
import { existsSync } from "node:fs";
import { UsageError, type Flags } from "./args.js";
import { defaultDiscreteSteps } from "./conditioning.js";
import { samePlace } from "./run-folder.js";
import type { RunConfig } from "./run.js";

/** The flags of a resumed run and what changed on purpose. */
export interface ResumedFlags {
  /** The flags to train with: the recorded settings, with the given flags that may change. */
  readonly flags: Flags;
  /** The settings changed on resume (only --steps may): flag name → recorded and new value. */
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
}

/** Flags that name paths: equal when they name the same file, however spelt. */
const pathFlags = new Set(["data", "teacher"]);

// The flag values a run config records; undefined where it records nothing (older checkpoints, or a
// setting that does not apply to the run).
function recordedFlags(r: RunConfig): Flags {
  const identity = !r.dataTransform || isIdentityStandardization(r.dataTransform);
  return {
    mode: r.mode,
    data: r.data,
    model: r.model,
    teacher: r.teacher,
    // Trained on the raw data with its own σ_d (without a teacher that fixes it): --sigma-data.
    "sigma-data": identity && !r.teacher ? r.sigmaData : undefined,
    steps: r.steps,
    batch: r.batch,
    lr: r.lr,
    seed: r.seed,
    warmup: r.warmup,
    "p-mean": r.time.pMean,
    "p-std": r.time.pStd,
    // Older checkpoints lack these fields and mean what the CLI did then.
    "lr-schedule": r.lrSchedule ?? "constant",
    weighting: r.weighting ?? "adaptive",
    "tangent-c": r.tangentC ?? 0.1,
    ema: r.ema === undefined ? 0.995 : r.ema.kind === "fixed" ? r.ema.beta : undefined,
    "ema-std": r.ema?.kind === "power" ? r.ema.std : undefined,
    "class-conditional": r.classes ? true : undefined,
    "p-uncond": r.classes?.pUncond,
    guidance: r.guidance ? r.guidance.scales.join(",") : undefined,
    "discrete-steps": r.mode === "cm-discrete" ? (r.intervals ?? defaultDiscreteSteps) : undefined,
  };
}

// --width and --depth of the recorded architecture: compared with the flags given, never filled in
// (the resumed network is the checkpoint's whatever the flags would build).
function architectureFlags(r: RunConfig): Flags {
  const m = r.modelConfig;
  const pick = (v: unknown) => (typeof v === "number" ? v : undefined);
  if (r.model === "mlp") return { width: pick(m.width), depth: pick(m.depth) };
  if (r.model === "unet") return { width: pick(m.modelChannels), depth: pick(m.numBlocks) };
  return { width: pick(m.hidden), depth: pick(m.depth) };
}

// Whether a given flag value says the same as the recorded one.
function agrees(name: string, given: unknown, recorded: unknown): boolean {
  if (given === recorded) return true;
  if (name === "guidance" && typeof given === "string") {
    const w = given.split(",").map(Number);
    return `${w[0]},${w[w.length - 1]}` === recorded;
  }
  return pathFlags.has(name) && typeof given === "string" && typeof recorded === "string" && existsSync(given) && existsSync(recorded) && samePlace(given, recorded);
}

/**
 * The flags of `scm train --resume` from the checkpoint's recorded config and the flags given (only
 * those given, without defaults): refuses a given flag that contradicts the record, naming both values.
 */
export function resumeFlags(dir: string, recorded: RunConfig, given: Flags): ResumedFlags {
  const rec = recordedFlags(recorded);
  const arch = architectureFlags(recorded);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined || !(name in rec || arch[name] !== undefined)) continue;
    const was = name in rec ? rec[name] : arch[name];
    if (name === "steps") {
      if (value !== was) changes.steps = { from: was, to: value };
      continue;
    }
    // Older checkpoints do not record the warm-up: taken as given. σ_d of a student is its teacher's
    // (start.ts checks that). Any other unrecorded setting is one the run did not use: refused.
    if (was === undefined && (name === "warmup" || (name === "sigma-data" && recorded.teacher))) continue;
    if (!agrees(name, value, was)) {
      const shown = was === undefined ? "without it" : `with --${name} ${String(was)}`;
      throw new UsageError(`scm train --resume: ${dir} was trained ${shown}, but --${name} ${String(value)} was given; drop --${name} to continue with the recorded setting, or start a new run in another --out`);
    }
  }
  const flags: Flags = { ...Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== undefined)), ...given };
  return { flags, changes };
}
