// The training loop on the host: runs the jitted step, schedules the tangent warm-up r = min(1, i/H)
// The training loop on the host: runs the jitted step, schedules the tangent warm-up r = min(1, i/H)
// (docs/guide/math.md, "Warm-up, normalisation and clipping of the tangent"), counts steps the NaN guard
// skipped, emits events (for a JSONL log), shows a progress bar on a terminal, and hands the state to a
// checkpoint writer every so often. Everything random comes from the state's key and the batch function of the
// step index (x0, with its class ids for a class-conditional objective), so a run resumed from a checkpoint
// continues bit-for-bit on the CPU backend. A run whose steps are mostly skipped stops with an error
// (`maxSkippedFraction`) instead of ending "successfully" on weights that never trained, and a caller may ask
// the loop to stop after the current step (`stopRequested`, e.g. on Ctrl-C) with a checkpoint of that step.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import type { TrainState, TrainStep } from "./step.js";

/** One logged step. */
export interface TrainEvent {
  /** The event type (one kind so far), written first in a JSONL log line. */
  readonly kind: "step";
  /** The step just taken, 1-based and counted over the whole run (a resumed run continues the count). */
  readonly step: number;
  /** The objective's batch loss at this step (NaN or ±∞ when the NaN guard skipped it). */
  readonly loss: number;
  /** Global L2 norm of the parameter gradient, before clipping. */
  readonly gradNorm: number;
  /** Batch mean of the per-sample ‖g‖₂ of the sCM tangent before normalisation (0 for the diffusion loss). */
  readonly gNorm: number;
  /** Batch mean of w_φ(t) (0 without a logvar head). */
  readonly logvar: number;
  /** Batch mean of the unweighted per-dimension error (the loss without adaptive weighting). */
  readonly err: number;
  /** The tangent warm-up factor r = min(1, step/H) used at this step (1 without warm-up). */
  readonly r: number;
  /** Steps the NaN guard skipped so far in this call of `train`. */
  readonly skipped: number;
  /** Mean wall time per step since the previous event, in milliseconds (includes reading the metrics back). */
  readonly stepMs: number;
  /** Throughput over the same steps: batch size × 1000 / stepMs. */
  readonly samplesPerSec: number;
}

/** A batch with its int class ids [B] (−1 = null label), for a class-conditional objective. */
export interface LabelledBatch {
  /** The data x0, [B, …D]. */
  readonly x0: Tensor;
  /** The class ids, [B]. */
  readonly labels: Tensor;
}

/** Options of `train`. */
export interface TrainOptions<P> {
  /** The state to start from (fresh, or loaded from a checkpoint). */
  readonly state: TrainState<P>;
  /** Steps already done (the step count of a loaded checkpoint). */
  readonly startStep?: number;
  /** Total steps to reach. */
  readonly steps: number;
  /** The data batch of step i (deterministic in i): x0, or x0 with its class ids for a class-conditional objective. */
  readonly batch: (step: number) => Tensor | LabelledBatch;
  /** The jitted step from makeTrainStep. */
  readonly step: TrainStep<P>;
  /** Tangent warm-up H: r = min(1, i/H); 0 (default) means r = 1. */
  readonly warmup?: number;
  /**
   * EMA decay per step (default 0.999): a constant, or β(i) of the step index i (1-based, counted from the
   * start of the run, so a resumed run gets the same βs) — e.g. a ramp-up with nn's `emaBeta` and
   * `rampupRatio`, or EDM2's power EMA `powerFunctionBeta(σ_rel, i, 1)`. In a run of a few hundred steps
   * a constant 0.995 still gives the initial weights 0.995^400 ≈ 13% of the average; a ramp-up forgets them.
   */
  readonly emaBeta?: number | ((step: number) => number);
  /** Log every this many steps (default 10). */
  readonly logEvery?: number;
  /** Receives an event every `logEvery` steps and at the last step. */
  readonly onEvent?: (e: TrainEvent) => void;
  /** Called with the state after every `checkpointEvery` steps and at the end. */
  readonly onCheckpoint?: (state: TrainState<P>, step: number) => void | Promise<void>;
  /** Steps between `onCheckpoint` calls (default: only at the end). */
  readonly checkpointEvery?: number;
  /**
   * Stop with `NonFiniteRunError` when more than this fraction of the steps run so far were skipped by
   * the NaN guard, judged once min(10, steps to run) steps have run (default: never stop). The state is
   * not handed to `onCheckpoint` then, so the last checkpoint written stays the last good one.
   */
  readonly maxSkippedFraction?: number;
  /** Polled after each step: when it returns true the loop writes a checkpoint of that step and returns (`stopped`). */
  readonly stopRequested?: () => boolean;
  /**
   * Where progress goes, with steps/s and the time left: a bar redrawn in place on a terminal, else a
   * line at most every 20 s and at the end (logs and CI see it too); false to hide it. Default: process.stderr.
   */
  readonly progress?:
    | {
        /** Whether the stream is a terminal: a bar redrawn with "\r" there, whole lines elsewhere. */
        isTTY?: boolean;
        /** Writes a piece of text (the bar redraws itself with "\r"); the result is ignored. */
        write(s: string): boolean;
      }
    | false;
}

/** What a run ends with. */
export interface TrainResult<P> {
  /** The final state; the caller owns it (and must dispose of it). */
  readonly state: TrainState<P>;
  /** The step reached: `steps`, or the step at which `stopRequested` stopped the run. */
  readonly step: number;
  /** Whether `stopRequested` ended the run before `steps`. */
  readonly stopped: boolean;
  /** Steps the NaN guard skipped in this call. */
  readonly skipped: number;
  /** The loss of the last logged step (NaN when no step ran). */
  readonly lastLoss: number;
}

/** A duration in seconds as "1h02m", "3m05s" or "12s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** One progress report: step, loss, steps per second and the estimated time left. */
export function progressText(i: number, total: number, loss: number, stepMs: number): string {
  return `step ${i}/${total}  loss ${loss.toPrecision(4)}  ${(1000 / stepMs).toFixed(1)} steps/s  ${i < total ? `ETA ${formatDuration(((total - i) * stepMs) / 1000)}` : "done"}`;
}

function bar(out: { write(s: string): boolean }, i: number, total: number, text: string): void {
  const width = 24, done = Math.round((i / total) * width);
  out.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${text} `);
}

// Lets timers and signal handlers run: a CPU step resolves its reads as microtasks, so without this a
// loop never returns to the event loop and a SIGINT handler would not run until the end.
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    const g = globalThis as { setImmediate?: (f: () => void) => unknown };
    if (g.setImmediate) g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

/** A run stopped because too many of its steps were not finite (see `maxSkippedFraction`). */
export class NonFiniteRunError extends Error {
  /** "NonFiniteRunError". */
  override readonly name = "NonFiniteRunError";
  /**
   * @param step - the step at which the run stopped
   * @param skipped - the steps the NaN guard skipped since the run (re)started
   * @param ran - the steps run since then
   */
  constructor(
    /** The step at which the run stopped. */
    readonly step: number,
    /** Steps skipped since the run (re)started. */
    readonly skipped: number,
    /** Steps run since then. */
    readonly ran: number,
  ) {
    super(`train: ${skipped} of ${ran} steps had a non-finite loss, gradient or update and were skipped; stopped at step ${step}, the last checkpoint is kept (lower the learning rate, or check the data)`);
  }
}

function checkBeta(b: number, step: number): number {
  if (!(b >= 0 && b <= 1)) throw new Error(`train: emaBeta(${step}) is ${b}; an EMA decay must lie in [0, 1]`);
  return b;
}

/** Trains from `startStep` to `steps`. The caller owns the initial state; intermediate states are released. */
export async function train<P>(o: TrainOptions<P>): Promise<TrainResult<P>> {
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`train: steps must be a non-negative integer, got ${o.steps}`);
  const start = o.startStep ?? 0;
  if (start > o.steps) throw new Error(`train: the checkpoint is at step ${start}, past the requested ${o.steps} steps`);
  const H = o.warmup ?? 0, logEvery = Math.max(1, o.logEvery ?? 10);
  const schedule = typeof o.emaBeta === "function" ? o.emaBeta : undefined;
  const beta = c.full([], typeof o.emaBeta === "number" ? o.emaBeta : 0.999);
  const tty = o.progress === false ? undefined : o.progress ?? (globalThis as { process?: { stderr?: { isTTY?: boolean; write(s: string): boolean } } }).process?.stderr;
  const judgeAfter = Math.min(10, o.steps - start);
  let lastYield = performance.now();
  const showBar = !!tty?.isTTY, showLines = !!tty && !tty.isTTY;
  let state = o.state, skipped = 0, lastLoss = NaN, t0 = performance.now(), since = 0, lastLine = performance.now();
  // The first step traces and compiles the jitted step, which can take a while for a large network:
  // say so, and leave that time out of the steps/s and ETA of the first report.
  if ((showBar || showLines) && start < o.steps) tty!.write("compiling the training step (the first step traces and compiles it)…\n");
  for (let i = start + 1; i <= o.steps; i++) {
    const r = H > 0 ? Math.min(1, i / H) : 1;
    const b = o.batch(i);
    const { x0, labels } = b instanceof c.Tensor ? { x0: b, labels: undefined } : b;
    const rT = c.full([], r);
    const betaI = schedule ? c.full([], checkBeta(schedule(i), i)) : beta;
    const [next, m] = labels ? o.step(state, x0, rT, betaI, labels) : o.step(state, x0, rT, betaI);
    if (betaI !== beta) betaI.dispose();
    if (state !== o.state) for (const t of c.treeLeaves<Tensor>(state)) t.dispose();
    x0.dispose();
    labels?.dispose();
    rT.dispose();
    state = next;
    since++;
    const finite = (await m.finite.data())[0]!;
    if (finite === 0) skipped++;
    if (i % logEvery === 0 || i === o.steps) {
      const [loss, gradNorm, gNorm, logvar, err] = await Promise.all([m.loss, m.gradNorm, m.gNorm, m.logvar, m.err].map(async (t) => (await t.data())[0]!));
      const ms = (performance.now() - t0) / since;
      lastLoss = loss!;
      const e: TrainEvent = { kind: "step", step: i, loss: loss!, gradNorm: gradNorm!, gNorm: gNorm!, logvar: logvar!, err: err!, r, skipped, stepMs: ms, samplesPerSec: (x0.shape[0]! * 1000) / ms };
      o.onEvent?.(e);
      const text = progressText(i, o.steps, loss!, ms);
      if (showBar) bar(tty!, i, o.steps, text);
      else if (showLines && (performance.now() - lastLine >= 20_000 || i === o.steps)) {
        tty!.write(`${text}\n`);
        lastLine = performance.now();
      }
      t0 = performance.now();
      since = 0;
    }
    for (const t of Object.values(m)) (t as Tensor).dispose();
    if (i === start + 1 && since > 0) {
      t0 = performance.now();
      since = 0;
    }
    const ran = i - start;
    if (o.maxSkippedFraction !== undefined && ran >= judgeAfter && skipped > o.maxSkippedFraction * ran) {
      if (showBar) tty!.write("\n");
      beta.dispose();
      throw new NonFiniteRunError(i, skipped, ran);
    }
    const due = (o.checkpointEvery && i % o.checkpointEvery === 0) || i === o.steps;
    if (o.onCheckpoint && due) await o.onCheckpoint(state, i);
    if (o.stopRequested && performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (i < o.steps && o.stopRequested?.()) {
      if (o.onCheckpoint && !due) await o.onCheckpoint(state, i);
      if (showBar) tty!.write("\n");
      beta.dispose();
      return { state, step: i, stopped: true, skipped, lastLoss };
    }
  }
  if (showBar) tty!.write("\n");
  beta.dispose();
  return { state, step: o.steps, stopped: false, skipped, lastLoss };
}
