// One training stage of an example — the TrigFlow diffusion teacher, sCT or sCD — on @scm-ts/consistency's
// objective, jitted step and loop: Adam with gradient clipping, EMA weights, tangent warm-up, a JSONL event
// log, a progress line on stdout every so often (steps done, loss, seconds per step, time left), and
// atomic checkpoints (parameters, EMA, optimizer state, RNG key, step and the run's config) through
// @scm-ts/io, so `loadEma` can read a stage back as a teacher or a starting point.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import * as c from "@scm-ts/core";
import type { RawNetwork } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, train } from "@scm-ts/consistency";
import { openEventLog, readCheckpoint, readCheckpointInto, writeCheckpoint, type Checkpoint, type JsonValue } from "@scm-ts/io/node";
import type { ModelParams, UnetConfig } from "@scm-ts/models";
import { adam, constantSchedule, cosineSchedule, powerFunctionBeta, stdToExp } from "@scm-ts/nn";
import { UsageError } from "./flags.js";
import { batchFn, type MnistSplit } from "./mnist-data.js";
import { buildNet, modelOf, type Net } from "./model.js";

/** Settings of a stage. */
export interface StageOptions {
  readonly name: string;
  readonly mode: "diffusion" | "sct" | "scd";
  readonly net: Net;
  /** Starting parameters (fresh, or a teacher's EMA). */
  readonly init: ModelParams<unknown>;
  /** sCD: the frozen teacher F(u, t). */
  readonly teacher?: RawNetwork;
  readonly data: MnistSplit;
  readonly steps: number;
  readonly batch: number;
  /** Adam's learning rate: constant, or its peak under cosine decay to 0 at the last step. */
  readonly lr: number;
  readonly lrSchedule: LrSchedule;
  /** Tangent warm-up steps H (0: none). */
  readonly warmup: number;
  readonly ema: EmaSetting;
  readonly time: { readonly pMean: number; readonly pStd: number };
  readonly seed: number;
  /** Checkpoint folder. */
  readonly dir: string;
  readonly checkpointEvery: number;
  /** Extra JSON stored with the checkpoint (the script's flags). */
  readonly extra?: Record<string, JsonValue>;
  readonly log: (line: string) => void;
}

/** How the learning rate moves over a stage. */
export type LrSchedule = "constant" | "cosine";

/** The EMA of the sampling weights: a fixed decay per step, or EDM2's power EMA of relative width σ_rel. */
export type EmaSetting = { readonly kind: "fixed"; readonly beta: number } | { readonly kind: "power"; readonly std: number };

/** The EMA of the flags: a fixed decay `beta` when it is positive, else the power EMA of width `std`; a bad value is a UsageError naming the flag. */
export function emaSetting(beta: number, std: number): EmaSetting {
  if (beta > 0) {
    if (!(beta < 1)) throw new UsageError(`--ema and --teacher-ema take a decay per step below 1, got ${beta} (0: the power EMA of --ema-std)`);
    return { kind: "fixed", beta };
  }
  try {
    stdToExp(std);
  } catch (e) {
    throw new UsageError(`--ema-std: ${(e as Error).message} (EDM2 uses 0.05–0.15)`);
  }
  return { kind: "power", std };
}

// EDM2's power EMA as a decay per step i: β_i = (1 − 1/i)^(γ+1), γ from σ_rel.
const powerBeta = (std: number) => (i: number) => powerFunctionBeta(std, i, 1);

/** What a stage ends with. */
export interface StageResult {
  readonly ema: ModelParams<unknown>;
  readonly seconds: number;
  readonly lastLoss: number;
  readonly skipped: number;
}

const fmtTime = (s: number) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

/** Trains one stage and writes its checkpoint to `o.dir`. */
export async function trainStage(o: StageOptions): Promise<StageResult> {
  mkdirSync(o.dir, { recursive: true });
  const learningRate = o.lrSchedule === "cosine" ? cosineSchedule({ peak: o.lr, steps: o.steps }) : constantSchedule(o.lr);
  const optimizer = adam({ learningRate, b2: 0.99 });
  const emaBeta = o.ema.kind === "power" ? powerBeta(o.ema.std) : o.ema.beta;
  const state = initTrainState(o.init, optimizer, c.random.key(o.seed + 1));
  const objective = makeObjective(modelOf(o.net), { mode: o.mode, sigmaData: o.data.sigmaData, time: o.time, ...(o.teacher ? { teacher: o.teacher } : {}) });
  const step = makeTrainStep(objective, { optimizer, clipNorm: 10 });
  const config: Record<string, JsonValue> = {
    mode: o.mode, model: "unet", modelConfig: o.net.config as unknown as JsonValue, data: `mnist-${o.data.size}`, sampleShape: [1, o.data.size, o.data.size],
    sigmaData: o.data.sigmaData, pixelMean: o.data.pixelMean, pixelStd: o.data.pixelStd, time: { ...o.time }, steps: o.steps, batch: o.batch, lr: o.lr,
    lrSchedule: o.lrSchedule, warmup: o.warmup, ema: { ...o.ema }, seed: o.seed, ...(o.extra ?? {}),
  };
  const events = await openEventLog(join(o.dir, "events.jsonl"));
  const every = Math.max(1, Math.round(o.steps / 20));
  const t0 = performance.now();
  o.log(`[${o.name}] ${o.mode}: ${o.steps} steps of batch ${o.batch}, lr ${o.lr} (${o.lrSchedule}), EMA ${o.ema.kind === "power" ? `power σ_rel ${o.ema.std}` : o.ema.beta}, warm-up ${o.warmup}; checkpoints in ${o.dir}`);
  const res = await train({
    state, steps: o.steps, step, batch: batchFn(o.data, o.batch, o.seed), warmup: o.warmup, emaBeta, logEvery: Math.min(every, 25), progress: false,
    onEvent: (e) => {
      events.append({ ...e, stage: o.name });
      if (e.step % every === 0 || e.step === o.steps) {
        const spent = (performance.now() - t0) / 1000, perStep = spent / e.step;
        o.log(`[${o.name}] step ${e.step}/${o.steps}  loss ${e.loss.toPrecision(4)}  ${perStep.toFixed(2)} s/step  ${fmtTime(spent)} spent, ${fmtTime(perStep * (o.steps - e.step))} left${e.skipped ? `  ${e.skipped} non-finite steps skipped` : ""}`);
      }
    },
    checkpointEvery: o.checkpointEvery,
    onCheckpoint: async (s, i) => {
      await writeCheckpoint(o.dir, { params: s.params, ema: s.ema, optimizer: s.opt, step: i, config, rngKey: s.key });
    },
  });
  events.close();
  return { ema: res.state.ema, seconds: (performance.now() - t0) / 1000, lastLoss: res.lastLoss, skipped: res.skipped };
}

/** Reads a stage's checkpoint: its config and network, and its EMA weights. */
export async function loadEma(dir: string, expectSize: number): Promise<{ net: Net; ema: ModelParams<unknown>; config: Record<string, unknown> }> {
  let peek: Checkpoint;
  try {
    peek = await readCheckpoint(dir);
  } catch (e) {
    throw new Error(`${dir}: no readable checkpoint (${(e as Error).message}); train one with the sCD example (it writes <out>/teacher)`);
  }
  const config = peek.config as Record<string, unknown>;
  const shape = config.sampleShape as number[] | undefined;
  if (!shape || shape[1] !== expectSize) throw new Error(`${dir}: the checkpoint works on images [${shape?.join(", ") ?? "?"}], not ${expectSize}×${expectSize}; pass the same --size`);
  const net = buildNet(config.modelConfig as UnetConfig);
  const template = net.init(c.random.key(0));
  const { ema } = await readCheckpointInto(dir, { params: template, ema: template });
  return { net, ema: ema as ModelParams<unknown>, config };
}

