// The browser demo's model and training, on the public API only: a ring of eight Gaussians from
// @scm-ts/data, the time-conditioned MLP of @scm-ts/models, the objectives and jitted step of
// @scm-ts/consistency (Adam from @scm-ts/nn), and 1- and 2-step consistency sampling from
// @scm-ts/samplers. The run has two phases, as the paper's always do (App. G: a consistency model
// starts from diffusion weights): a TrigFlow diffusion run, then sCT started from the diffusion run's
// EMA. sCT from scratch on this ring spent thousands of steps on a ring with no modes. The sCT phase
// uses what works in 2-D (packages/consistency/src/train/quality.test.ts): tangent normalisation
// g/(‖g‖ + c) with c = 1 (c = 0.1 biases the normalised tangent on a mixture), tangent warm-up, a
// learning rate decaying to 0 (cosine: at a constant rate the raw weights keep jumping and EMA cannot
// average that out), adaptive weighting, and EDM2's power EMA for sampling. Training runs in short
// chunks of `train` so that the page can redraw between them; the state of one chunk is the start of
// the next.
//
// The budget goes into steps rather than width or batch. Measured in Node (CPU backend, 2 cores, the
// fraction of 2000 one-step samples within 3 std of a mode centre at the end): width 128, batch 512,
// 600 + 600 steps 0.91 (samples as a ring with dense spots); batch 1024 or width 256 no better at equal
// steps; width 128, batch 256, 1500 + 2000 steps 0.93 in 110 s; width 64, batch 256, 3000 + 4000 steps
// 0.95 in about 60 s, with the modes separated. More steps of a smaller network win.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, train, type TrainState } from "@scm-ts/consistency";
import { ringOfGaussians } from "@scm-ts/data";
import { mlp, type MlpParams, type ModelParams } from "@scm-ts/models";
import { adam, constantSchedule, cosineSchedule, powerFunctionBeta } from "@scm-ts/nn";
import { lowDimensionTMid, sampleOneStep, sampleTwoStep } from "@scm-ts/samplers";

/** The two phases of a run: diffusion pre-training, then sCT from the diffusion EMA. */
export type DemoPhase = "diffusion" | "sct";

/** Settings of one phase. */
export interface PhaseConfig {
  /** Training steps of the phase. */
  readonly steps: number;
  /** Fresh draws of the data per step. */
  readonly batch: number;
  /** Adam's rate: constant, or the peak of a cosine decay to 0 at the phase's last step. */
  readonly learningRate: number;
  /** Whether the rate stays at `learningRate` or decays from it to 0. */
  readonly schedule: "constant" | "cosine";
  /**
   * The EMA sampled from: a constant decay β, or EDM2's power EMA of relative width σ_rel (β_i =
   * (1 − 1/i)^(γ+1), so step 1 copies the weights and the phase's start is forgotten as it goes).
   */
  readonly ema: { readonly beta: number } | { readonly std: number };
  /** Tangent warm-up H in steps, r = min(1, i/H) (sCT only; 0 for none). */
  readonly warmup: number;
}

/** Settings of the demo run. */
export interface DemoConfig {
  /** The MLP's hidden width. */
  readonly width: number;
  /** The MLP's residual blocks. */
  readonly depth: number;
  /** Seeds the initial weights, the training keys and the data batches. */
  readonly seed: number;
  /** Phase 1: TrigFlow diffusion from the initial weights. */
  readonly diffusion: PhaseConfig;
  /** Phase 2: sCT from the diffusion EMA. */
  readonly sct: PhaseConfig & {
    /** c of the tangent normalisation g/(‖g‖₂ + c). */
    readonly tangentC: number;
  };
}

/**
 * The defaults: an MLP of width 64 and depth 3, the paper's σ_d = 0.5 and time proposal (−1.0, 1.4);
 * 3000 diffusion steps, then 4000 sCT steps from the diffusion EMA, all at batch 256 (a few ms a step
 * on the CPU backend). sct-trainer.test.ts runs it to the end in Node: every mode of the ring holds its
 * share of the 1- and 2-step samples, and most samples lie within 2–3 std of a mode centre.
 */
export const defaultDemoConfig: DemoConfig = {
  width: 64,
  depth: 3,
  seed: 0,
  diffusion: { steps: 3000, batch: 256, learningRate: 2e-3, schedule: "cosine", ema: { std: 0.1 }, warmup: 0 },
  sct: { steps: 4000, batch: 256, learningRate: 1e-3, schedule: "cosine", ema: { std: 0.05 }, warmup: 1000, tangentC: 1 },
};

/** One logged training step. */
export interface LossPoint {
  /** The step over the whole run (diffusion steps first). */
  readonly step: number;
  /** The phase it belongs to (each phase has its own objective, so its own scale). */
  readonly phase: DemoPhase;
  readonly loss: number;
}

/** The demo's data, model and training state; `dispose` releases the tensors it holds. */
export interface SctTrainer {
  /** Steps done so far, over both phases. */
  readonly step: number;
  /** Steps of the whole run (diffusion and sCT). */
  readonly totalSteps: number;
  /** The phase whose weights `sample` uses: "diffusion" until its last step is done, then "sct". */
  readonly phase: DemoPhase;
  /** Runs up to `steps` more training steps (not past `totalSteps`); returns the losses, one per step. */
  advance(steps: number): Promise<LossPoint[]>;
  /** `n` samples of the current EMA model in 1 or 2 consistency steps, as interleaved (x, y) pairs. */
  sample(steps: 1 | 2, n: number, seed?: number): Promise<Float32Array>;
  /** `n` fresh draws from the data distribution, as interleaved (x, y) pairs. */
  data(n: number, seed?: number): Promise<Float32Array>;
  dispose(): void;
}

const sigmaData = 0.5;
type Params = ModelParams<MlpParams>;

/** Builds the trainer on the active backend (call `setBackend` first). */
export function createSctTrainer(config: DemoConfig = defaultDemoConfig): SctTrainer {
  const toy = ringOfGaussians();
  const net = mlp({ dataDim: 2, width: config.width, depth: config.depth, timeFeatures: 16 });
  const model = { apply: net.apply, logvar: net.logvar };
  const time = { pMean: -1, pStd: 1.4 };
  // One phase's optimizer, jitted step and EMA decay per phase-local step i (1-based).
  const phase = (p: PhaseConfig, mode: DemoPhase) => {
    const optimizer = adam({ learningRate: p.schedule === "cosine" ? cosineSchedule({ peak: p.learningRate, steps: p.steps }) : constantSchedule(p.learningRate), b2: 0.99 });
    const normalization = mode === "sct" ? { normalization: { kind: "l2" as const, c: config.sct.tangentC } } : {};
    const objective = makeObjective<Params>(model, { mode, sigmaData, time, ...normalization });
    const ema = "beta" in p.ema ? p.ema.beta : (i: number) => powerFunctionBeta((p.ema as { std: number }).std, i, 1);
    return { p, optimizer, step: makeTrainStep(objective, { optimizer, clipNorm: 10 }), ema };
  };
  const phases = { diffusion: phase(config.diffusion, "diffusion"), sct: phase(config.sct, "sct") };
  const D = config.diffusion.steps, total = D + config.sct.steps;
  let state: TrainState<Params> = initTrainState(net.init(c.random.key(config.seed)), phases.diffusion.optimizer, c.random.key(config.seed + 1));
  let done = 0;
  const current = (): DemoPhase => (done < D ? "diffusion" : "sct");
  const release = (s: TrainState<Params>) => {
    for (const t of c.treeLeaves<Tensor>(s)) t.dispose();
  };
  // The switch: sCT's parameters (backbone and logvar head) start as the diffusion EMA, with fresh
  // optimizer moments and its own EMA (which a power EMA's first step sets to those weights).
  const startSct = () => {
    const start = c.treeMap(state.ema, (t: Tensor) => c.mul(t, 1));
    release(state);
    state = initTrainState(start, phases.sct.optimizer, c.random.key(config.seed + 2));
  };
  if (D === 0) startSct();
  const F = (u: Tensor, t: Tensor) => net.apply(state.ema, u, t);
  const read = async (x: Tensor): Promise<Float32Array> => {
    const values = Float32Array.from(await x.data());
    x.dispose();
    return values;
  };
  // Runs `n` steps of the current phase; `offset` turns the phase-local step into the run's.
  const run = async (mode: DemoPhase, n: number): Promise<LossPoint[]> => {
    const ph = phases[mode], offset = mode === "sct" ? D : 0, losses: LossPoint[] = [];
    const previous = state;
    const batch = ph.p.batch;
    const result = await train({
      state, startStep: done - offset, steps: done - offset + n, step: ph.step, warmup: ph.p.warmup, emaBeta: ph.ema, logEvery: 1, progress: false,
      batch: (i) => c.tidy(() => toy.sample(c.random.key(config.seed * 1_000_003 + offset + i), batch)),
      onEvent: (e) => losses.push({ step: e.step + offset, phase: mode, loss: e.loss }),
    });
    state = result.state;
    done = result.step + offset;
    // `train` releases the states it made on the way but not the one it was given.
    if (previous !== state) release(previous);
    return losses;
  };
  return {
    get step() {
      return done;
    },
    totalSteps: total,
    get phase() {
      return current();
    },
    async advance(steps) {
      const losses: LossPoint[] = [];
      let left = Math.max(0, Math.min(steps, total - done));
      while (left > 0) {
        const mode = current(), n = Math.min(left, mode === "diffusion" ? D - done : total - done);
        losses.push(...(await run(mode, n)));
        left -= n;
        if (done === D && mode === "diffusion") startSct();
      }
      return losses;
    },
    sample: (steps, n, seed = 1) => read(c.tidy(() => (steps === 1 ? sampleOneStep : sampleTwoStep)(F, { key: c.random.key(seed), shape: [n, 2], sigmaData, middle: lowDimensionTMid }))),
    data: (n, seed = 2) => read(c.tidy(() => toy.sample(c.random.key(seed), n))),
    dispose() {
      release(state);
    },
  };
}
