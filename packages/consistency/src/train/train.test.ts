// The training loop: a run resumed from a saved state continues bit-for-bit on the CPU; the NaN
// guard skips and counts bad steps without touching the state — also when only the update overflows —
// and a run of mostly skipped steps stops with an error; a stop request ends the run after the current
// step with a checkpoint of it; every mode runs and lowers its loss.
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Model, Tensor } from "@scm-ts/core";
import { adam } from "@scm-ts/nn";
import { initTrainState, makeObjective, makeTrainStep, NonFiniteRunError, train, type Mode, type TrainState } from "../index.js";

type P = { w1: Tensor; w2: Tensor; b1: Tensor; lv: Tensor };
const model: Model<P> = {
  apply: (p, u, t) => c.matmul(c.silu(c.add(c.matmul(c.concat([u, c.reshape(t, [t.shape[0]!, 1])], 1), p.w1), p.b1)), p.w2),
  logvar: (p, t) => c.reshape(c.matmul(c.reshape(t, [t.shape[0]!, 1]), p.lv), [t.shape[0]!]),
};
const init = (seed: number): P => {
  const k = c.random.split(c.random.key(seed), 2);
  return { w1: c.mul(c.random.normal(k[0]!, [3, 32]), 0.5), b1: c.zeros([32]), w2: c.mul(c.random.normal(k[1]!, [32, 2]), 0.1), lv: c.zeros([1, 1]) };
};
// A fixed 2-D data set; batch i is a deterministic slice of it.
const dataset = c.add(c.mul(c.random.normal(c.random.key(99), [512, 2]), 0.2), c.array([[0.3, -0.2]]));
const batch = (i: number) => c.slice(dataset, [(i * 64) % 512, 0], [((i * 64) % 512) + 64, 2]);
const snapshot = async <T>(s: T): Promise<T> => c.treeUnflatten(c.treeFlatten<Tensor>(s)[1], await Promise.all(c.treeFlatten<Tensor>(s)[0].map(async (t) => c.array(await t.data(), [...t.shape], { dtype: t.dtype }))));
const values = async (s: unknown) => (await Promise.all(c.treeLeaves<Tensor>(s).map(async (t) => Array.from(await t.data())))).flat();

describe("training loop", () => {
  const opt = adam({ learningRate: 3e-3 });
  const run = (mode: Mode) => makeTrainStep(makeObjective(model, { mode, sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 }, intervals: 64 }), { optimizer: opt, clipNorm: 10 });

  it("resumes bit-for-bit from a saved state", async () => {
    const step = run("sct");
    const fresh = () => initTrainState(init(1), opt, c.random.key(7));
    const full = await train({ state: fresh(), steps: 12, batch, step, warmup: 8, progress: false });
    let saved: TrainState<P> | undefined;
    await train({ state: fresh(), steps: 5, batch, step, warmup: 8, progress: false, checkpointEvery: 5, onCheckpoint: async (s) => void (saved = await snapshot(s)) });
    const resumed = await train({ state: saved!, startStep: 5, steps: 12, batch, step, warmup: 8, progress: false });
    expect(await values(resumed.state)).toEqual(await values(full.state));
  });

  it("emaBeta as a function of the step: called with the run's step indices, and β = 0 makes the EMA the parameters", async () => {
    const step = run("diffusion");
    const seen: number[] = [];
    const res = await train({ state: initTrainState(init(6), opt, c.random.key(4)), startStep: 2, steps: 6, batch, step, progress: false, emaBeta: (i) => (seen.push(i), 0) });
    expect(seen).toEqual([3, 4, 5, 6]);
    expect(await values(res.state.ema)).toEqual(await values(res.state.params));
    await expect(train({ state: initTrainState(init(6), opt, c.random.key(4)), steps: 2, batch, step, progress: false, emaBeta: () => 1.5 })).rejects.toThrow(/emaBeta\(1\) is 1.5/);
  });

  it("the NaN guard skips and counts non-finite steps and keeps the state", async () => {
    const bad: Model<P> = { apply: (p, u, t) => c.mul(model.apply(p, u, t), NaN) };
    const step = makeTrainStep(makeObjective(bad, { mode: "diffusion", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } }), { optimizer: opt });
    const state = initTrainState(init(2), opt, c.random.key(1));
    const before = await values(state.params);
    const res = await train({ state, steps: 3, batch, step, progress: false });
    expect(res.skipped).toBe(3);
    expect(await values(res.state.params)).toEqual(before);
  });

  it("the NaN guard also skips a step whose gradient is finite but whose update overflows (lr 1e39)", async () => {
    const huge = adam({ learningRate: 1e39 });
    const step = makeTrainStep(makeObjective(model, { mode: "diffusion", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } }), { optimizer: huge, clipNorm: 10 });
    const state = initTrainState(init(2), huge, c.random.key(1));
    const before = await values(state);
    const res = await train({ state, steps: 4, batch, step, progress: false });
    expect(res.skipped).toBe(4);
    const after = await values({ params: res.state.params, opt: res.state.opt, ema: res.state.ema });
    expect(after.every(Number.isFinite)).toBe(true);
    expect(await values(res.state.params)).toEqual(await values(c.treeLeaves<Tensor>(state.params)));
    expect(before.length).toBeGreaterThan(0);
  });

  it("a run whose skipped fraction passes maxSkippedFraction stops with an error and no checkpoint of the bad state", async () => {
    const bad: Model<P> = { apply: (p, u, t) => c.mul(model.apply(p, u, t), NaN) };
    const step = makeTrainStep(makeObjective(bad, { mode: "diffusion", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } }), { optimizer: opt });
    const saved: number[] = [];
    const run = train({ state: initTrainState(init(2), opt, c.random.key(1)), steps: 30, batch, step, progress: false, maxSkippedFraction: 0.1, checkpointEvery: 1, onCheckpoint: (_s, i) => void saved.push(i) });
    await expect(run).rejects.toThrow(NonFiniteRunError);
    await expect(run).rejects.toThrow(/10 of 10 steps had a non-finite .*stopped at step 10/);
    // Judged after 10 steps: the checkpoints of steps 1–9 were written before the verdict, none after it.
    expect(saved).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A run of fewer steps is judged at its end.
    await expect(train({ state: initTrainState(init(2), opt, c.random.key(1)), steps: 3, batch, step, progress: false, maxSkippedFraction: 0.1 })).rejects.toThrow(/3 of 3 steps/);
  });

  it("stopRequested ends the run after the current step, with a checkpoint of that step", async () => {
    const step = run("diffusion");
    const saved: number[] = [];
    let calls = 0;
    const res = await train({ state: initTrainState(init(3), opt, c.random.key(2)), steps: 20, batch, step, progress: false, checkpointEvery: 4, onCheckpoint: (_s, i) => void saved.push(i), stopRequested: () => ++calls >= 6 });
    expect(res).toMatchObject({ stopped: true, step: 6 });
    expect(saved).toEqual([4, 6]);
  });

  for (const mode of ["diffusion", "sct", "cm-discrete"] as const) {
    it(`${mode}: runs and logs finite losses`, async () => {
      const events: number[] = [];
      const res = await train({ state: initTrainState(init(3), opt, c.random.key(2)), steps: 30, batch, step: run(mode), progress: false, logEvery: 10, onEvent: (e) => events.push(e.loss) });
      expect(events.length).toBe(3);
      expect(events.every(Number.isFinite)).toBe(true);
      expect(res.skipped).toBe(0);
    });
  }

  it("sCD needs a teacher, and uses it", async () => {
    expect(() => makeObjective(model, { mode: "scd", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 } })).toThrow(/needs a teacher/);
    const teacherParams = init(5);
    const step = makeTrainStep(makeObjective(model, { mode: "scd", sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 }, teacher: (u, t) => model.apply(teacherParams, u, t) }), { optimizer: opt });
    const res = await train({ state: initTrainState(init(4), opt, c.random.key(3)), steps: 5, batch, step, progress: false });
    expect(Number.isFinite(res.lastLoss)).toBe(true);
  });
});
