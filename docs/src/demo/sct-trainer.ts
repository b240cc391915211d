// The browser demo's model and training, on the public API only: a ring of eight Gaussians from
// @scm-ts/data, the time-conditioned MLP of @scm-ts/models, the sCT objective and jitted step of
// @scm-ts/consistency (Adam from @scm-ts/nn, tangent warm-up, EMA), and 1- and 2-step consistency
// sampling from @scm-ts/samplers. Training runs in short chunks of `train` so that the page can
// redraw between them; the state of one chunk is the start of the next.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, train, type TrainState } from "@scm-ts/consistency";
import { ringOfGaussians } from "@scm-ts/data";
import { mlp, type MlpParams, type ModelParams } from "@scm-ts/models";
import { adam } from "@scm-ts/nn";
import { sampleOneStep, sampleTwoStep } from "@scm-ts/samplers";

/** Settings of the demo run (the defaults train a visible ring within seconds on the CPU backend). */
export interface DemoConfig {
  readonly batch: number;
  readonly width: number;
  readonly depth: number;
  readonly learningRate: number;
  /** Tangent warm-up H in steps: r = min(1, step/H). */
  readonly warmup: number;
  readonly emaBeta: number;
  readonly seed: number;
}

/** The defaults: a small MLP, the paper's σ_d = 0.5 and time proposal (−1.0, 1.4). */
export const defaultDemoConfig: DemoConfig = { batch: 256, width: 64, depth: 2, learningRate: 2e-3, warmup: 100, emaBeta: 0.99, seed: 0 };

/** One logged training step. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

/** The demo's data, model and training state; `dispose` releases the tensors it holds. */
export interface SctTrainer {
  /** Steps done so far. */
  readonly step: number;
  /** Runs `steps` more training steps; returns the losses logged on the way (one per step). */
  advance(steps: number): Promise<LossPoint[]>;
  /** `n` samples of the EMA model in 1 or 2 consistency steps, as interleaved (x, y) pairs. */
  sample(steps: 1 | 2, n: number, seed?: number): Promise<Float32Array>;
  /** `n` fresh draws from the data distribution, as interleaved (x, y) pairs. */
  data(n: number, seed?: number): Promise<Float32Array>;
  dispose(): void;
}

const sigmaData = 0.5;

/** Builds the trainer on the active backend (call `setBackend` first). */
export function createSctTrainer(config: DemoConfig = defaultDemoConfig): SctTrainer {
  const toy = ringOfGaussians();
  const net = mlp({ dataDim: 2, width: config.width, depth: config.depth, timeFeatures: 16 });
  const model = { apply: net.apply, logvar: net.logvar };
  const optimizer = adam({ learningRate: config.learningRate, b2: 0.99 });
  const objective = makeObjective<ModelParams<MlpParams>>(model, { mode: "sct", sigmaData, time: { pMean: -1, pStd: 1.4 } });
  const trainStep = makeTrainStep(objective, { optimizer, clipNorm: 10 });
  let state: TrainState<ModelParams<MlpParams>> = initTrainState(net.init(c.random.key(config.seed)), optimizer, c.random.key(config.seed + 1));
  let done = 0;
  const F = (u: Tensor, t: Tensor) => net.apply(state.ema, u, t);
  const read = async (x: Tensor): Promise<Float32Array> => {
    const values = Float32Array.from(await x.data());
    x.dispose();
    return values;
  };
  return {
    get step() {
      return done;
    },
    async advance(steps) {
      const losses: LossPoint[] = [];
      const previous = state;
      const result = await train({
        state, startStep: done, steps: done + steps, step: trainStep, warmup: config.warmup, emaBeta: config.emaBeta, logEvery: 1, progress: false,
        batch: (i) => c.tidy(() => toy.sample(c.random.key(config.seed * 1_000_003 + i), config.batch)),
        onEvent: (e) => losses.push({ step: e.step, loss: e.loss }),
      });
      state = result.state;
      done = result.step;
      // `train` releases the states it made on the way but not the one it was given.
      if (previous !== state) for (const t of c.treeLeaves<Tensor>(previous)) t.dispose();
      return losses;
    },
    sample: (steps, n, seed = 1) => read(c.tidy(() => (steps === 1 ? sampleOneStep : sampleTwoStep)(F, { key: c.random.key(seed), shape: [n, 2], sigmaData }))),
    data: (n, seed = 2) => read(c.tidy(() => toy.sample(c.random.key(seed), n))),
    dispose() {
      for (const t of c.treeLeaves<Tensor>(state)) t.dispose();
    },
  };
}
