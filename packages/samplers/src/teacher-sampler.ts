// Sampling a diffusion teacher by integrating the TrigFlow PF-ODE dx_t/dt = σ_d·F(x_t/σ_d, t)
// (docs/guide/math.md, "The PF-ODE and the score" and "PF-ODE solvers and step schedules") from
// z ~ N(0, σ_d² I) at the schedule's first time
// down to 0, with @scm-ts/trigflow's fixed-step solvers — Euler, the first-order TrigFlow/DDIM step, Heun,
// DPM-Solver-2 with r = 1 (= EDM's Heun, the paper's teacher sampler) and DPM-Solver++(2M) (multistep, one
// evaluation per step) — and its validated schedules (EDM's ρ = 7 grid mapped to t by default, from
// t_max = arctan(80/σ_d)). The budget is stated as a number of network
// evaluations (NFE): 35 NFE with DPM-Solver-2 is the paper's CIFAR-10 teacher (18 steps). Each step runs in its
// own `tidy` scope. A class-conditional teacher takes `labels`; `guidance` w ≠ 1 samples F_u + w·(F_c − F_u)
// (classifier-free guidance, one doubled-batch evaluation per NFE).
import type { RawNetwork } from "@scm-ts/core";
import { tidy, type Tensor } from "@scm-ts/core";
import {
  edmSchedule,
  floatingTensorOf,
  paperSigmaData,
  pfOdeEvaluations,
  pfOdeMethods,
  pfOdeStep,
  ScheduleError,
  startsBelowHalfPi,
  tMax,
  uniformSchedule,
  validateSchedule,
  type EdmScheduleOptions,
  type PfOdeMethod,
  type PfOdeStepResult,
  type Velocity,
} from "@scm-ts/trigflow";
import { classifierFreeGuidance, networkOptions, type ConditionOptions } from "./conditioning.js";
import { startingNoise, type PriorOptions } from "./prior.js";
import { evaluateNetwork, type TimeLayout } from "./raw-network.js";

/** The schedule families `teacherSchedule` builds. */
export type ScheduleKind = "edm" | "uniform";

/** The number of solver steps that spend exactly `nfe` network evaluations with `method` (ending at t = 0). */
export function stepsForNfe(method: PfOdeMethod, nfe: number): number {
  if (!pfOdeMethods.includes(method)) throw new ScheduleError(`stepsForNfe: unknown method "${String(method)}"; use one of ${pfOdeMethods.join(", ")}`);
  if (!Number.isInteger(nfe) || nfe < 1) throw new ScheduleError(`stepsForNfe: NFE must be a positive integer, got ${nfe}`);
  // euler/ddim/dpm-solver-2m: NFE = steps; heun: NFE = 2·steps; dpm-solver-2: NFE = 2·steps − 1 (no evaluation at t = 0).
  const steps = method === "heun" ? nfe / 2 : method === "dpm-solver-2" ? (nfe + 1) / 2 : nfe;
  if (!Number.isInteger(steps)) {
    const valid = method === "heun" ? "an even NFE (2 per step)" : "an odd NFE (2 per step, 1 for the last)";
    throw new ScheduleError(`stepsForNfe: ${method} cannot spend exactly ${nfe} network evaluations; use ${valid}, e.g. ${nfe - 1} or ${nfe + 1}`);
  }
  return steps;
}

/** A schedule (steps + 1 times ending at 0) that spends `nfe` evaluations with `method`: EDM's ρ = 7 grid, or uniform from t_max. */
export function teacherSchedule(method: PfOdeMethod, nfe: number, kind: ScheduleKind = "edm", edm: EdmScheduleOptions = {}): number[] {
  const steps = stepsForNfe(method, nfe);
  if (kind === "edm") return edmSchedule(steps, edm);
  if (kind === "uniform") return uniformSchedule(steps, tMax(edm.sigmaData ?? paperSigmaData, edm.sigmaMax), 0);
  throw new ScheduleError(`teacherSchedule: unknown schedule kind "${String(kind)}"; use "edm" or "uniform"`);
}

/** Options of `sampleTeacher`; `labels`/`numClasses` condition on classes, `guidance` w ≠ 1 applies classifier-free guidance. */
export interface TeacherSampleOptions extends PriorOptions, ConditionOptions {
  /** The solver (default "dpm-solver-2", the paper's teacher sampler). */
  readonly method?: PfOdeMethod;
  /** The evaluation budget; with `schedule` "edm"/"uniform" it fixes the number of steps (default 35 for dpm-solver-2). */
  readonly nfe?: number;
  /** "edm" (default), "uniform", or an explicit list of times from the start down to 0. */
  readonly schedule?: ScheduleKind | readonly number[];
  /** σ_min, σ_max and ρ of the EDM grid (σ_d comes from `sigmaData`). */
  readonly edm?: Omit<EdmScheduleOptions, "sigmaData">;
  /** How t is passed to F (default "vector": [B]; "broadcast": [B, 1, …, 1]). */
  readonly timeLayout?: TimeLayout;
}

const defaultNfe: { readonly [M in PfOdeMethod]: number } = { euler: 35, ddim: 35, heun: 36, "dpm-solver-2": 35, "dpm-solver-2m": 35 };

/**
 * Samples the diffusion teacher F by solving its PF-ODE from z = samplePrior(key, shape, σ_d) (or `noise`) at the
 * schedule's first time down to 0. Throws a
 * `ScheduleError` on a bad schedule, method or NFE (an explicit schedule must also match `nfe` when both are given).
 */
export function sampleTeacher(F: RawNetwork, options: TeacherSampleOptions): Tensor {
  const method = options.method ?? "dpm-solver-2";
  const sigmaData = options.sigmaData ?? paperSigmaData;
  if (!pfOdeMethods.includes(method)) throw new ScheduleError(`sampleTeacher: unknown method "${String(method)}"; use one of ${pfOdeMethods.join(", ")}`);
  const scheduleOption = options.schedule ?? "edm";
  let schedule: number[];
  if (typeof scheduleOption === "string") {
    schedule = teacherSchedule(method, options.nfe ?? defaultNfe[method], scheduleOption, { ...options.edm, sigmaData });
  } else {
    schedule = Array.from(scheduleOption);
    validateSchedule(schedule, startsBelowHalfPi(method) ? { context: `sampleTeacher(${method})`, startBelow: Math.PI / 2 } : { context: `sampleTeacher(${method})` });
    const spent = pfOdeEvaluations(method, schedule.length);
    if (options.nfe !== undefined && options.nfe !== spent) {
      throw new ScheduleError(`sampleTeacher: the explicit schedule of ${schedule.length} times costs ${spent} evaluations with ${method}, not nfe = ${options.nfe}`);
    }
  }
  const num = floatingTensorOf(options.dtype ?? "float32");
  const layout = options.timeLayout ?? "vector";
  const cond = networkOptions("sampleTeacher", options, false);
  const w = options.guidance ?? 1;
  if (w !== 1 && !cond?.classLabels) throw new RangeError(`sampleTeacher: guidance ${w} needs labels (classifier-free guidance combines the conditional and the null label)`);
  const G = w !== 1 ? classifierFreeGuidance(F, w) : F;
  // math.md, "The PF-ODE and the score": v(x, t) = σ_d·F(x/σ_d, t).
  const velocity: Velocity<Tensor> = (x, t) => num.mul(num.fromNumber(sigmaData), evaluateNetwork(G, x, t, sigmaData, layout, `sampleTeacher(${method})`, cond));
  const noise = startingNoise("sampleTeacher", options.key, options);
  let state: PfOdeStepResult<Tensor> = { x: noise };
  for (let i = 0; i + 1 < schedule.length; i++) {
    const previous = state;
    state = tidy(() => pfOdeStep(num, velocity, method, previous.x, schedule[i]!, schedule[i + 1]!, previous.memory));
    if (previous.x !== noise || options.noise === undefined) previous.x.dispose();
    // DPM-Solver++(2M) keeps one data prediction; the last step's is its result.
    if (previous.memory && previous.memory.denoised !== state.x) previous.memory.denoised.dispose();
  }
  if (state.memory && state.memory.denoised !== state.x) state.memory.denoised.dispose();
  cond?.classLabels?.dispose();
  return state.x;
}
