// The cost of one jitted training step of each objective on the same network and batch, measured
// the way the repository's benchmarks do on a noisy machine: warm-up, then interleaved rounds (each
// round times every mode once), reporting the median per-round ratio to the diffusion step.
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { initTrainState, makeObjective, makeTrainStep, type Mode, type TrainState } from "@scm-ts/consistency";
import { adam } from "@scm-ts/nn";
import { paperCm, sigmaData, type AnyNetwork, type AnyParams } from "./toy-setup.js";

/** Per-mode timing. */
export interface StepTiming {
  readonly mode: Mode;
  readonly medianMs: number;
  readonly bestMs: number;
  /** Median over rounds of (this mode's time / the diffusion step's time in the same round). */
  readonly ratio: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** Times diffusion, sCT and sCD (from `teacher`) steps of `net` at `batch` over `rounds` interleaved rounds. */
export function timeSteps(net: AnyNetwork, teacher: RawNetwork, x0: Tensor, rounds: number): StepTiming[] {
  const optimizer = adam({ learningRate: 1e-4, b2: 0.99 });
  const r = c.full([], 1), beta = c.full([], 0.999);
  const model = { apply: (q: AnyParams, u: Tensor, t: Tensor) => net.apply(q, u, t), logvar: (q: AnyParams, t: Tensor) => net.logvar(q, t) };
  const modes: Mode[] = ["diffusion", "sct", "scd"];
  const cases = modes.map((mode) => {
    const step = makeTrainStep<AnyParams>(makeObjective(model, { mode, sigmaData, time: paperCm.time, ...(mode === "scd" ? { teacher } : {}) }), { optimizer, clipNorm: 10 });
    let state: TrainState<AnyParams> = initTrainState<AnyParams>(net.init(c.random.key(3)), optimizer, c.random.key(4));
    const run = () => {
      const [next, m] = step(state, x0, r, beta);
      m.loss.dataSync();
      for (const t of c.treeLeaves<Tensor>(state)) t.dispose();
      for (const t of Object.values(m)) (t as Tensor).dispose();
      state = next;
    };
    return { mode, run, times: [] as number[] };
  });
  for (const k of cases) for (let i = 0; i < 3; i++) k.run();
  for (let round = 0; round < rounds; round++) {
    for (const k of cases) {
      const t0 = performance.now();
      k.run();
      k.times.push(performance.now() - t0);
    }
  }
  const base = cases[0]!.times;
  return cases.map((k) => ({ mode: k.mode, medianMs: median(k.times), bestMs: Math.min(...k.times), ratio: median(k.times.map((t, i) => t / base[i]!)) }));
}
