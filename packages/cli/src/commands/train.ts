// `scm train`: one training run — diffusion teacher, sCT, sCD (from a teacher checkpoint) or the
// discrete-time CM — on built-in or user data, with a JSONL event log, a progress bar, atomic
// checkpoints every so often, and --resume from the last checkpoint. The run folder is claimed first
// (run-folder.ts: one process, --resume or --force for an existing run), a resumed run takes its
// settings from the checkpoint (resume.ts), a run of mostly non-finite steps stops with an error, and
// Ctrl-C or SIGTERM ends it after a checkpoint of the current step (signals.ts). Class labels, guidance
// distillation, dropout and cm-discrete's grid are resolved in conditioning.ts.
import { selectBackend } from "../backend.js";
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, NonFiniteRunError, train, type Mode, type TrainEvent } from "@scm-ts/consistency";
import { openEventLog, readCheckpoint } from "@scm-ts/io/node";
import type { ModelParams } from "@scm-ts/models";
import { adam, constantSchedule, cosineSchedule, powerFunctionBeta } from "@scm-ts/nn";
import { identityStandardization, standardize, type Standardization } from "@scm-ts/data";
import { join } from "node:path";
import { UsageError, withDefaults, type Flags, type FlagSpecs } from "../args.js";
import { resolveData } from "../datasets.js";
import { buildNetwork, defaultMlpWidth, loadRun, maxDefaultMlpWidth, minDefaultMlpWidth, modelFns, saveRun, type RunConfig } from "../run.js";
import { resolveRecipe } from "../recipe.js";
import { resolveStart } from "../start.js";
import { resumeFlags, type ResumedFlags } from "../resume.js";
import { checkNotAnInput, claimRunFolder, eventLogName, runFiles, sweepTempFiles, type RunFolder } from "../run-folder.js";
import { checkRunConfig } from "../run-check.js";
import { Interrupted, watchSignals } from "../signals.js";
import { checkTrainFlags } from "../train-checks.js";
import { checkRowsFit } from "../memory.js";
import { checkResumeConditioning, conditioningFlags, initialParams, resolveConditioning, wantsClasses } from "../conditioning.js";
import { asUsage } from "../input-errors.js";

/** Flags of `scm train`. */
export const trainFlags: FlagSpecs = {
  mode: { kind: "string", choices: ["diffusion", "sct", "scd", "cm-discrete"], default: "sct", help: "objective" },
  data: { kind: "string", default: "ring", help: "ring, grid, moons, checkerboard, spirals, mnist, a .safetensors file (x: [N,D] or [N,C,H,W]) or a PNG folder" },
  model: { kind: "string", choices: ["mlp", "unet", "dit"], help: "architecture (default: mlp for vectors, unet for images)" },
  width: { kind: "number", help: "model width: MLP hidden units (default 256, or the power of two at or above the data's entries per example, up to 1024), U-Net base channels (32), DiT hidden size (96)" },
  depth: { kind: "number", help: "model depth: MLP residual blocks (default 3), U-Net blocks per resolution (1), DiT blocks (4)" },
  teacher: { kind: "string", help: "sCD: the teacher's checkpoint folder (a --mode diffusion run); sCT: start from its weights" },
  init: { kind: "string", help: "start from a diffusion run's EMA weights (a checkpoint folder), or none (default: the teacher's when --teacher is given, else none)" },
  "sigma-data": { kind: "number", help: "train on the data as given with this σ_d (default: standardise each coordinate or channel to σ_d = 0.5 and map samples back)" },
  steps: { kind: "number", help: "total training steps (default 4000; diffusion on data of 8–255 entries per example: 12000; sCD/sCT on data of < 256 entries: 12000, of ≥ 256 entries: 2000; sCD on images of ≥ 256 entries: 500)" },
  batch: { kind: "number", help: "batch size (default 256 for vectors; images: 2^15 / entries per example as a power of two, 32 for 28×28)" },
  lr: { kind: "number", help: "Adam's peak learning rate (default 2e-3 for diffusion, 1e-4 for sCD on images, 3e-4 for sCD on data of < 256 entries per example, 1e-3 otherwise)" },
  "lr-schedule": { kind: "string", choices: ["constant", "cosine"], help: "constant, or cosine decay to 0 at --steps (default cosine)" },
  ema: { kind: "number", help: "a fixed EMA decay per step for the sampling weights, instead of the default power EMA" },
  "ema-std": { kind: "number", help: "EDM2's power EMA of relative width σ_rel (default 0.05)" },
  weighting: { kind: "string", choices: ["adaptive", "none"], help: "adaptive weighting by the learned w_φ(t), or none (default: none for sCD and sCT on data of < 256 entries, else adaptive)" },
  "tangent-c": { kind: "number", help: "c of the sCM tangent normalisation g/(‖g‖ + c) (default: 1 on data of < 256 entries, else the paper's 0.1)" },
  warmup: { kind: "number", help: "tangent warm-up steps H, r = min(1, step/H) (default: 15% of --steps for sCT/sCD, 0 for diffusion)" },
  "p-mean": { kind: "number", default: -1, help: "log-normal time proposal P_mean" },
  "p-std": { kind: "number", default: 1.4, help: "log-normal time proposal P_std" },
  ...conditioningFlags,
  seed: { kind: "number", default: 0, help: "random seed" },
  backend: { kind: "string", choices: ["cpu", "webgpu", "auto"], default: "auto", help: "where to run (auto = WebGPU on a hardware adapter when Dawn is installed, else the CPU; webgpu loads Dawn)" },
  out: { kind: "string", help: "output folder (default runs/<mode>)" },
  "checkpoint-every": { kind: "number", default: 500, help: "steps between checkpoints" },
  resume: { kind: "boolean", help: "continue the run in --out from its checkpoint, with its recorded settings (a flag that contradicts them is refused; --steps may change)" },
  force: { kind: "boolean", help: "replace the run already in --out (without it, an existing run is refused)" },
};

/** A run stops with an error when more than this share of its steps were non-finite (the NaN guard skipped them). */
export const maxSkippedFraction = 0.1;

/** A finished run. */
export interface TrainedRun {
  /** The run's folder (--out, default runs/<mode>): checkpoint and events.jsonl. */
  readonly dir: string;
  /** The recorded config of the run. */
  readonly cfg: RunConfig;
  /** The EMA weights at the end: the ones to sample from. */
  readonly ema: ModelParams<unknown>;
  /** The loss of the last logged step. */
  readonly lastLoss: number;
  /** Steps the NaN guard skipped. */
  readonly skipped: number;
  /** Steps this call trained (fewer than the run's when it resumed). */
  readonly stepsRun: number;
  /** Wall time of the training loop in seconds (without loading data and building the network). */
  readonly seconds: number;
}

const emaBeta = (e: NonNullable<RunConfig["ema"]>): number | ((i: number) => number) => (e.kind === "power" ? (i) => powerFunctionBeta(e.std, i, 1) : e.beta);

// A batch in model space; the raw batch is released when the transform made a new one.
function standardizeBatch(t: Standardization, x: Tensor): Tensor {
  const y = standardize(t, x);
  if (y !== x) x.dispose();
  return y;
}

/** What code (the demo, tests) can give `runTrain` beyond the flags. */
export interface TrainOverrides {
  /** The frozen teacher of sCD as a network F(u, t) in the run's model space, instead of --teacher's (e.g. an exact oracle). */
  readonly teacher?: {
    /** The teacher's F(u, t) with u = x_t/σ_d (and its conditioning options). */
    readonly F: (u: Tensor, t: Tensor, options?: NetworkOptions) => Tensor;
  };
}

/** Runs `scm train` with parsed flags (those given; the declared defaults fill the rest, or on --resume the checkpoint's settings). */
export async function runTrain(given: Flags, log: (line: string) => void = console.log, opts: TrainOverrides = {}): Promise<TrainedRun> {
  const explicit = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  checkTrainFlags(explicit);
  const dir = (explicit.out as string | undefined) ?? join("runs", (explicit.mode as string | undefined) ?? (trainFlags.mode!.default as string));
  const inputs = { "--teacher": explicit.teacher as string | undefined, "--init": explicit.init as string | undefined, "--data": explicit.data as string | undefined };
  checkNotAnInput("scm train", "--out", dir, inputs);
  // The files the run writes in its folder must not be what it reads either (--data out/checkpoint.safetensors).
  for (const file of runFiles) checkNotAnInput("scm train", "--out", join(dir, file), inputs);
  const folder = claimRunFolder(dir, { command: "scm train", resume: explicit.resume === true, force: explicit.force === true }, log);
  try {
    return await trainIn(folder, explicit, log, opts);
  } finally {
    folder.release();
  }
}

// The run, once its folder is held: flags resolved (from the checkpoint on --resume), data, network, loop.
async function trainIn(folder: RunFolder, explicit: Flags, log: (line: string) => void, opts: TrainOverrides): Promise<TrainedRun> {
  const { dir } = folder;
  let changes: ResumedFlags["changes"] = {};
  let given = explicit;
  if (explicit.resume) {
    const peek = await asUsage(readCheckpoint(dir), `scm train --resume: ${dir}: not a readable scm-ts checkpoint`);
    const recorded = checkRunConfig(dir, peek.config);
    if (peek.step >= recorded.steps && (explicit.steps === undefined || explicit.steps === peek.step)) {
      throw new UsageError(`scm train --resume: ${dir} is finished (step ${peek.step} of ${recorded.steps}); give a larger --steps to train it further`);
    }
    if (explicit.steps !== undefined && (explicit.steps as number) < peek.step) throw new UsageError(`scm train --resume: ${dir} is at step ${peek.step}, past --steps ${String(explicit.steps)}; give --steps above ${peek.step}`);
    ({ flags: given, changes } = resumeFlags(dir, recorded, explicit));
  }
  // The declared defaults fill what is neither given nor recorded, as on the command line.
  const f: Flags = withDefaults(trainFlags, given);
  const mode = f.mode as Mode;
  const seed = f.seed as number;
  log(await selectBackend(f.backend as string));
  const data = await resolveData(f.data as string, seed, { labels: wantsClasses(f) });
  const start0 = await resolveStart(f, mode, data, log);
  const cond = resolveConditioning(f, mode, data, start0, log);
  const { model } = start0;
  const teacher = opts.teacher ?? start0.teacher;
  const recipe = resolveRecipe(f, mode, data.sampleShape, log);
  const { steps, batch, ema } = recipe;
  const mlpWidth = model === "mlp" ? (cond.modelConfig as { width?: number }).width : undefined;
  if (f.width === undefined && mlpWidth !== undefined && mlpWidth > minDefaultMlpWidth && mlpWidth === defaultMlpWidth(data.sampleShape[0]!)) {
    log(`recipe: vectors of ${data.sampleShape[0]} entries get an MLP ${mlpWidth} wide (the power of two at or above the entries, up to ${maxDefaultMlpWidth}: a narrower hidden layer cannot span the output; override with --width)`);
  }
  let cfg: RunConfig = {
    mode, model, modelConfig: cond.modelConfig, data: data.name, sampleShape: data.sampleShape, sigmaData: start0.sigmaData, dataTransform: start0.dataTransform,
    time: { pMean: f["p-mean"] as number, pStd: f["p-std"] as number }, steps, batch, lr: recipe.lr, seed, warmup: recipe.warmup, ...(f.teacher ? { teacher: f.teacher as string } : {}),
    lrSchedule: recipe.lrSchedule, weighting: recipe.weighting, ema, tangentC: recipe.tangentC, ...(recipe.tMid !== undefined ? { tMid: recipe.tMid } : {}), ...(recipe.sampleSigmaMax !== undefined ? { sampleSigmaMax: recipe.sampleSigmaMax } : {}), ...(recipe.sampleMethod !== undefined ? { sampleMethod: recipe.sampleMethod } : {}), ...(data.valueRange ? { valueRange: data.valueRange } : {}), ...cond.fields,
  };
  checkRowsFit("scm train", "--batch", batch, cfg, true);
  const learningRate = cfg.lrSchedule === "cosine" ? cosineSchedule({ peak: cfg.lr, steps }) : constantSchedule(cfg.lr);
  const optimizer = adam({ learningRate, b2: 0.99 });
  let net = buildNetwork(cfg);
  let state = initTrainState(initialParams(net, seed, start0.init?.ema), optimizer, c.random.key(seed + 1));
  let start = 0;
  if (f.resume) {
    const r = await loadRun(dir, optimizer);
    // Checkpoints written before standardisation have no dataTransform: they trained on the data as given.
    if (JSON.stringify([r.cfg.sigmaData, r.cfg.dataTransform ?? identityStandardization(data.sampleShape)]) !== JSON.stringify([cfg.sigmaData, cfg.dataTransform])) {
      throw new UsageError(`scm train --resume: ${dir} was trained in another model space (σ_d ${r.cfg.sigmaData}, or another data standardisation) than --data ${data.name} gives now; resume with the same --data and --sigma-data (a checkpoint from before standardisation: --sigma-data ${r.cfg.sigmaData})`);
    }
    if (r.cfg.mode !== mode || r.cfg.model !== model) throw new UsageError(`scm train --resume: ${dir} holds a ${r.cfg.mode}/${r.cfg.model} run, not ${mode}/${model}`);
    // A resumed run must train as it began: older checkpoints lack these fields and mean the defaults.
    const same = (x: Pick<RunConfig, "lrSchedule" | "weighting" | "ema" | "tangentC">) => JSON.stringify([x.lrSchedule ?? "constant", x.weighting ?? "adaptive", x.ema ?? { kind: "fixed", beta: 0.995 }, x.tangentC ?? 0.1]);
    if (same(r.cfg) !== same(cfg)) throw new UsageError(`scm train --resume: ${dir} was trained with --lr-schedule/--weighting/EMA/--tangent-c ${same(r.cfg)}, not ${same(cfg)}; pass the same flags`);
    checkResumeConditioning(dir, r.cfg, cfg);
    ({ state, net } = r);
    // The weights are the checkpoint's architecture: later checkpoints must record its config, not today's defaults.
    if (JSON.stringify(r.cfg.modelConfig) !== JSON.stringify(cfg.modelConfig)) log(`resuming keeps ${dir}'s architecture (${JSON.stringify(r.cfg.modelConfig)})`);
    cfg = { ...cfg, modelConfig: r.cfg.modelConfig };
    start = r.step;
    log(`resuming ${dir} at step ${start}${changes.steps ? `; --steps ${String(changes.steps.from)} → ${String(changes.steps.to)} (recorded in events.jsonl)` : ""}`);
  }
  folder.replace();
  const fns = modelFns(net);
  const objective = makeObjective(cfg.weighting === "none" ? { apply: fns.apply } : fns, {
    mode, sigmaData: cfg.sigmaData, time: cfg.time, normalization: { kind: "l2", c: recipe.tangentC }, ...(teacher ? { teacher: teacher.F } : {}),
    intervals: cfg.intervals ?? 256, ...(cfg.classes ? { classes: cfg.classes } : {}), ...(cfg.guidance ? { guidance: cfg.guidance } : {}),
  });
  const step = makeTrainStep(objective, { optimizer, clipNorm: 10 });
  const log1 = await openEventLog(join(dir, eventLogName));
  if (f.resume) log1.append({ kind: "resume", step: start, mode, ...(Object.keys(changes).length ? { changed: changes } : {}) });
  // The batch of step i, with the class ids of the same rows when class-conditional.
  const batchOf = (i: number) => {
    const x0 = standardizeBatch(cfg.dataTransform!, data.batch(i, batch));
    return cfg.classes ? { x0, labels: data.classes!.labels(i, batch) } : x0;
  };
  const signals = watchSignals(log, () => {
    sweepTempFiles(dir, true);
    folder.release();
  });
  const t0 = performance.now();
  try {
    const res = await train({
      state, startStep: start, steps, step, batch: batchOf, warmup: recipe.warmup, emaBeta: emaBeta(ema), logEvery: 25,
      onEvent: (e: TrainEvent) => log1.append({ ...e, mode }),
      checkpointEvery: f["checkpoint-every"] as number, onCheckpoint: (s, i) => saveRun(dir, cfg, s, i),
      maxSkippedFraction, stopRequested: () => signals.received() !== undefined,
    });
    const signal = signals.received();
    if (res.stopped && signal) {
      log1.append({ kind: "stopped", step: res.step, signal });
      throw new Interrupted(signal, `scm train: stopped by ${signal} at step ${res.step} of ${steps}; checkpoint in ${dir} (continue with scm train --resume --out ${dir})`);
    }
    return { dir, cfg, ema: res.state.ema, lastLoss: res.lastLoss, skipped: res.skipped, stepsRun: steps - start, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    if (e instanceof NonFiniteRunError) {
      log1.append({ kind: "stopped", step: e.step, reason: "non-finite", skipped: e.skipped, ran: e.ran });
      throw new Error(`${dir}: ${e.skipped} of ${e.ran} steps had a non-finite loss, gradient or update and were skipped (more than ${maxSkippedFraction * 100}%); stopped at step ${e.step}, the last checkpoint is kept; lower --lr (now ${cfg.lr}) or check the data`);
    }
    throw e;
  } finally {
    signals.dispose();
    log1.close();
  }
}
