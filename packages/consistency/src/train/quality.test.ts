// End to end on a 2-D Gaussian mixture (issue 6, acceptance bullet 2): sCD from the exact teacher gives
// 1-step samples whose sliced Wasserstein distance (SW) to the true mixture is within 10% of that of
// 35-NFE teacher ODE samples, 2-step within 5%, and sCT reaches within 25% (1-step), on the CPU backend.
//
// The recipe is Algorithm 1 (docs/guide/math.md, "The paper's settings": c = 0.1, P = (−1.0, 1.4), warm-up r,
// EMA for sampling) with two choices for a short 2-D run. Each was chosen by the error of f_θ against the exact
// consistency function f* on probe points (trigflow's mixture oracle), never by this test's SW, and the seeds
// below were not used while choosing:
// - Both students start from the EMA of a short TrigFlow diffusion run on the data (App. G: the CM is
//   always initialised from diffusion weights), and the learning rate decays to 0 (cosine). At a constant
//   1e-3 the raw parameters of a 700-step run keep jumping (f_θ − f* at t_max 0.10 → 0.15 → 0.10 between
//   checkpoints) and EMA cannot average that out: sCD ends at RMS error 0.045 at t_max, 0.039 with decay.
// - sCD trains without the adaptive weighting w_φ. With the exact teacher g = cos t·df_θ/dt is pure error
//   and → 0 as f_θ → f*; in 2-D ‖g‖ (0.03–0.1) is at or below c = 0.1, so g/(‖g‖+c) stays linear and the
//   learned weight e^{w*} = D/E‖g_n‖² grows as the error shrinks (e^w from about 9 at t = 0.1 to 90 at
//   t_max): the weighted gradient no longer shrinks with the error and piles onto large t (grad norm 6–20
//   against 0.3–1). Measured: 0.091 vs 0.045 (constant lr) and 0.044 vs 0.039 (cosine) at t_max, 0.038 vs
//   0.029 at t = 1.1. (In the paper's D ≥ 3072, ‖g‖ ≫ c and e^w is flat.)
// - sCT keeps w_φ: its ‖g‖ ≈ 0.45 carries the single-sample noise of dx_t/dt, so e^w stays flat (about 3
//   to 7 over t). That noise is what limits it: the error at t_max is 0.066 after 800 steps of batch 256,
//   0.056 after 1600, 0.049 with batch 768 (used here). It uses c = 1, since with c = 0.1 the normalised
//   estimate E[g/(‖g‖+c) | x_t] is not 0 at f* on a mixture (math.md, "What the oracles check" T6: bias −0.099 at c = 0.1,
//   −0.013 at c = 1).
//
// The comparison uses 16k samples against 64k draws of the mixture: with 4k, two sets of exact samples
// are 0.023 ± 0.009 apart, as much as the teacher's whole error, so 10% could not be resolved. All
// samplers share their starting noise z.
import { beforeAll, describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { ringOfGaussians } from "@scm-ts/data";
import { slicedWasserstein } from "@scm-ts/metrics";
import { mlp, type MlpParams, type ModelParams } from "@scm-ts/models";
import { adam, cosineSchedule, type Schedule } from "@scm-ts/nn";
import { samplePrior, sampleOneStep, sampleTeacher, sampleTwoStep } from "@scm-ts/samplers";
import type { LogNormalParameters } from "@scm-ts/trigflow";
import { initTrainState, makeObjective, makeTrainStep, mixtureTeacher, train, type Mode, type TangentNormalization } from "../index.js";

const sd = 0.5;
const data = ringOfGaussians({ count: 6, std: 0.12 });
const teacher = mixtureTeacher(data.oracleSpec(sd).components, sd);
const net = mlp({ dataDim: 2, width: 128, depth: 3 });
type Params = ModelParams<MlpParams>;

/** One training phase. */
interface Phase {
  readonly mode: Mode;
  readonly steps: number;
  readonly lr: number | ((steps: number) => Schedule);
  readonly time: LogNormalParameters;
  readonly adaptiveWeighting: boolean;
  readonly warmup: number;
  readonly ema: number;
  readonly seed: number;
  readonly batch: number;
  readonly normalization?: TangentNormalization;
}

// α(i) = peak·(1 + cos(π i/steps))/2 over the phase's steps.
const cosine = (peak: number) => (steps: number): Schedule => cosineSchedule({ peak, steps });

const paperTime = { pMean: -1, pStd: 1.4 };
const diffusionPhase: Phase = { mode: "diffusion", steps: 500, lr: 1e-3, time: paperTime, adaptiveWeighting: true, warmup: 0, ema: 0.995, seed: 31, batch: 256 };
const scdPhase: Phase = { mode: "scd", steps: 700, lr: cosine(1e-3), time: paperTime, adaptiveWeighting: false, warmup: 300, ema: 0.99, seed: 32, batch: 256 };
const sctPhase: Phase = { mode: "sct", steps: 800, lr: cosine(1e-3), time: paperTime, normalization: { kind: "l2", c: 1 }, adaptiveWeighting: true, warmup: 300, ema: 0.995, seed: 33, batch: 768 };

// Trains one phase on fresh draws of the mixture (batch i is the same in every phase) and returns its EMA.
async function trainPhase(p: Phase, init?: Params): Promise<Params> {
  const model = { apply: (q: Params, u: Tensor, t: Tensor) => net.apply(q, u, t), ...(p.adaptiveWeighting ? { logvar: (q: Params, t: Tensor) => net.logvar(q, t) } : {}) };
  const opt = adam({ learningRate: typeof p.lr === "number" ? p.lr : p.lr(p.steps), b2: 0.99 });
  const objective = makeObjective(model, { mode: p.mode, sigmaData: sd, time: p.time, ...(p.normalization ? { normalization: p.normalization } : {}), ...(p.mode === "scd" ? { teacher } : {}) });
  const step = makeTrainStep(objective, { optimizer: opt, clipNorm: 10 });
  const [kInit, kState] = c.random.split(c.random.key(p.seed), 2);
  const state = initTrainState(init ?? net.init(kInit!), opt, kState!);
  const t0 = performance.now();
  const out = await train({ state, steps: p.steps, batch: (i) => c.tidy(() => data.sample(c.random.split(c.random.key(7000 + i))[0]!, p.batch)), step, warmup: p.warmup, emaBeta: p.ema, progress: false });
  console.log(`${p.mode}: ${p.steps} steps of ${p.batch} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  expect(out.skipped).toBe(0);
  return out.state.ema;
}

describe("sCM on a 2-D Gaussian mixture (issue 6 acceptance)", () => {
  const n = 16_000;
  const sw: Record<string, number> = {};
  const ratio = (k: string) => sw[k]! / sw.teacher!;

  beforeAll(async () => {
    const reference = data.sample(c.random.key(41), 64_000);
    const distance = (x: Tensor) => slicedWasserstein(x, reference, { key: c.random.key(42), projections: 128 });
    const z = samplePrior(c.random.key(44), [n, 2], sd);
    const sampling = { key: c.random.key(45), shape: [n, 2], sigmaData: sd, noise: z };
    sw.floor = await distance(data.sample(c.random.key(43), n));
    sw.teacher = await distance(sampleTeacher(teacher, { ...sampling, nfe: 35 }));
    const diffusion = await trainPhase(diffusionPhase);
    const apply = c.jit((q: Params, u: Tensor, t: Tensor) => net.apply(q, u, t));
    const scd = await trainPhase(scdPhase, diffusion);
    sw.sCD1 = await distance(sampleOneStep((u, t) => apply(scd, u, t), sampling));
    sw.sCD2 = await distance(sampleTwoStep((u, t) => apply(scd, u, t), sampling));
    const sct = await trainPhase(sctPhase, diffusion);
    sw.sCT1 = await distance(sampleOneStep((u, t) => apply(sct, u, t), sampling));
    console.log(JSON.stringify(Object.fromEntries(Object.entries(sw).map(([k, v]) => [k, +v.toFixed(4)]))));
  }, 900_000);

  it("16k samples resolve the 35-NFE teacher's error (SW of exact samples well below it)", () => {
    expect(sw.floor!).toBeLessThan(0.5 * sw.teacher!);
  });

  it("sCD from the exact teacher: 1-step SW within 10% of the teacher's", () => {
    expect(ratio("sCD1")).toBeLessThanOrEqual(1.1);
  });

  it("sCD from the exact teacher: 2-step SW within 5% of the teacher's", () => {
    expect(ratio("sCD2")).toBeLessThanOrEqual(1.05);
  });

  it("sCT: 1-step SW within 25% of the teacher's", () => {
    expect(ratio("sCT1")).toBeLessThanOrEqual(1.25);
  });
});
