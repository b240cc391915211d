// One training phase on the toy data through the public training API of @scm-ts/consistency
// (makeObjective → makeTrainStep → train): batches are fresh draws of the mixture keyed by the
// phase's seed and the step, so a phase is a pure function of its settings. It records the loss
// curve and wall time, and can hand the EMA weights to a probe every few steps (for "iterations to
// reach a quality").
import * as c from "@scm-ts/core";
import type { RawNetwork } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, train, type Mode, type TangentNormalization } from "@scm-ts/consistency";
import type { Toy } from "@scm-ts/data";
import { adam, cosineSchedule } from "@scm-ts/nn";
import type { LogNormalParameters } from "@scm-ts/trigflow";
import { sigmaData, type AnyNetwork, type AnyParams } from "./toy-setup.js";

/** The settings of one phase. */
export interface Phase {
  readonly mode: Mode;
  readonly steps: number;
  readonly lr: number;
  /** Constant rate (default), or cosine decay from `lr` to 0 over the phase. */
  readonly lrSchedule?: "cosine";
  readonly batch: number;
  readonly time: LogNormalParameters;
  readonly normalization?: TangentNormalization;
  readonly adaptiveWeighting: boolean;
  /** Tangent warm-up iterations H (0: r = 1 throughout). */
  readonly warmup: number;
  readonly ema: number;
  /** Seeds the initial parameters (when not given), the step keys and the data draws. */
  readonly seed: number;
  /** sCD and distilled discrete CM: the teacher. */
  readonly teacher?: RawNetwork;
  /** Discrete CM: grid intervals N. */
  readonly intervals?: number;
  /** Global-norm gradient clipping (default 10, as `scm train`). */
  readonly clipNorm?: number;
}

/** What a phase ends with. */
export interface PhaseResult {
  readonly ema: AnyParams;
  readonly seconds: number;
  readonly skipped: number;
  readonly lastLoss: number;
  /** Mean loss over each tenth of the run (the loss curve, coarsely). */
  readonly lossCurve: number[];
  /** True if the loss or the EMA went non-finite. */
  readonly diverged: boolean;
}

/** Runs a phase from `init` (or fresh parameters); `probe` sees the EMA (and the raw weights) every `probe.every` steps. */
export async function trainPhase(net: AnyNetwork, data: Toy, p: Phase, init?: AnyParams, probe?: { every: number; fn: (ema: AnyParams, step: number, raw: AnyParams) => Promise<void> }): Promise<PhaseResult> {
  const model = { apply: (q: AnyParams, u: c.Tensor, t: c.Tensor) => net.apply(q, u, t), ...(p.adaptiveWeighting ? { logvar: (q: AnyParams, t: c.Tensor) => net.logvar(q, t) } : {}) };
  const optimizer = adam({ learningRate: p.lrSchedule === "cosine" ? cosineSchedule({ peak: p.lr, steps: p.steps }) : p.lr, b2: 0.99 });
  const objective = makeObjective(model, {
    mode: p.mode,
    sigmaData,
    time: p.time,
    ...(p.normalization ? { normalization: p.normalization } : {}),
    ...(p.teacher ? { teacher: p.teacher } : {}),
    ...(p.intervals ? { intervals: p.intervals } : {}),
  });
  const step = makeTrainStep<AnyParams>(objective, { optimizer, clipNorm: p.clipNorm ?? 10 });
  const [kInit, kState] = c.random.split(c.random.key(p.seed), 2);
  const start = init ? c.treeMap(init, (x: c.Tensor) => c.mul(x, 1)) : net.init(kInit!);
  const state = initTrainState<AnyParams>(start, optimizer, kState!);
  const losses: { step: number; loss: number }[] = [];
  const t0 = performance.now();
  const dataBase = (p.seed * 7919) % 1_000_003;
  const out = await train<AnyParams>({
    state,
    steps: p.steps,
    step,
    batch: (i) => c.tidy(() => data.sample(c.random.key(dataBase * 100_000 + i), p.batch)),
    warmup: p.warmup,
    emaBeta: p.ema,
    logEvery: Math.max(1, Math.floor(p.steps / 100)),
    onEvent: (e) => losses.push({ step: e.step, loss: e.loss }),
    progress: false,
    ...(probe ? { checkpointEvery: probe.every, onCheckpoint: (s, i) => probe.fn(s.ema as AnyParams, i, s.params as AnyParams) } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const tenth = Math.max(1, Math.ceil(losses.length / 10));
  const lossCurve = Array.from({ length: Math.ceil(losses.length / tenth) }, (_, k) => {
    const part = losses.slice(k * tenth, (k + 1) * tenth);
    return part.reduce((s, l) => s + l.loss, 0) / part.length;
  });
  const emaLeaves = c.treeLeaves<c.Tensor>(out.state.ema);
  let emaFinite = true;
  for (const leaf of emaLeaves) if (!(await leaf.data()).every(Number.isFinite)) emaFinite = false;
  const diverged = !emaFinite || !Number.isFinite(out.lastLoss) || out.skipped > p.steps / 10;
  return { ema: out.state.ema as AnyParams, seconds, skipped: out.skipped, lastLoss: out.lastLoss, lossCurve, diverged };
}
