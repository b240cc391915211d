// Fixed-schedule solvers of the TrigFlow PF-ODE dx_t/dt = σ_d·F(x_t/σ_d, t) for sampling teachers (paper App.
// B; docs/guide/math.md, "PF-ODE solvers and step schedules"). A solver takes the velocity v(x, t) = σ_d·F as a
// function, so it works for a network, an oracle or a converted teacher, on any carrier with a `Floating`
// instance (numbers, Float64Array, tensors). Methods: plain Euler in t; the first-order TrigFlow/DDIM step
// (exact for a point mass); Heun's trapezoidal predictor–corrector in t; and DPM-Solver-2 with r = 1
// (noise-prediction form), which is exactly EDM's Heun sampler in EDM coordinates — the paper's teacher
// sampler; and DPM-Solver++(2M), the second-order multistep method in data-prediction form, which spends one
// evaluation per step and reuses the previous step's prediction.
import { scale, type Floating } from "./floating.js";
import { validateSchedule, ScheduleError } from "./step-schedule.js";

/** The PF-ODE velocity v(x, t) = dx_t/dt = σ_d·F(x/σ_d, c_noise(t)); t is a plain number. */
export type Velocity<A> = (x: A, t: number) => A;

/** The available fixed-step PF-ODE methods. */
export type PfOdeMethod = "euler" | "ddim" | "heun" | "dpm-solver-2" | "dpm-solver-2m";

// Euler on dx/dt = v: x_t = x_s + (t − s)·v(x_s, s).
/** One explicit Euler step of the PF-ODE from time s to time t. */
export function eulerStep<A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number): A {
  return num.add(x, scale(num, t - s, velocity(x, s)));
}

// Paper App. B eq. 26 (typo fixed), math.md, "PF-ODE solvers and step schedules": x_t = cos(s − t)·x_s − sin(s
// − t)·σ_d F(x_s/σ_d, s).
/** One first-order TrigFlow (DDIM) step from s to t: rotate with D and Ẑ held fixed; allows s = π/2. */
export function ddimStep<A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number): A {
  return ddimFromVelocity(num, x, velocity(x, s), s, t);
}

function ddimFromVelocity<A>(num: Floating<A>, x: A, v: A, s: number, t: number): A {
  return num.sub(scale(num, Math.cos(s - t), x), scale(num, Math.sin(s - t), v));
}

// Heun (trapezoidal predictor–corrector) on dx/dt = v: x̃ = x_s + h v_s, x_t = x_s + h (v_s + v(x̃, t))/2.
/** One Heun step of the PF-ODE from s to t (second order in h = t − s). */
export function heunStep<A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number): A {
  const h = t - s;
  const vS = velocity(x, s);
  const predicted = num.add(x, scale(num, h, vS));
  const vT = velocity(predicted, t);
  return num.add(x, scale(num, h / 2, num.add(vS, vT)));
}

// math.md, "One network, four predictions": Ẑ = sin t·x + cos t·σ_d F = sin t·x + cos t·v.
function noiseFromVelocity<A>(num: Floating<A>, x: A, v: A, t: number): A {
  return num.add(scale(num, Math.sin(t), x), scale(num, Math.cos(t), v));
}

// math.md, "PF-ODE solvers and step schedules" (DPM-Solver, noise-prediction form, s′ = t, r = 1):
// x_t = DDIM(x_s; s → t) − [sin(s − t)/(2 cos s)]·(Ẑ(x̃, t) − Ẑ(x_s, s)), x̃ = DDIM(x_s; s → t).
/**
 * One DPM-Solver-2 step (r = 1, Heun's intermediate time) from s to t; equal to EDM's Heun step in EDM
 * coordinates. Needs s < π/2 (the factor 1/cos s). At t = 0 it falls back to the first-order step, as EDM's
 * sampler does for its last step (the network is not evaluated at t = 0).
 */
export function dpmSolver2Step<A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number): A {
  if (!(s < Math.PI / 2)) {
    throw new ScheduleError(`dpmSolver2Step: start time ${s} must be below π/2 (the step divides by cos s); start at t_max = arctan(σ_max/σ_d) or use "ddim"/"heun"`);
  }
  const vS = velocity(x, s);
  const predicted = ddimFromVelocity(num, x, vS, s, t);
  if (t === 0) return predicted;
  const zS = noiseFromVelocity(num, x, vS, s);
  const zT = noiseFromVelocity(num, predicted, velocity(predicted, t), t);
  return num.sub(predicted, scale(num, Math.sin(s - t) / (2 * Math.cos(s)), num.sub(zT, zS)));
}

/** What DPM-Solver++(2M) carries from one step to the next: the previous data prediction and its log-SNR step. */
export interface MultistepMemory<A> {
  /** D(x_s, s) = cos s·x_s − sin s·v(x_s, s) of the previous step. */
  readonly denoised: A;
  /** The previous step's h = λ(t) − λ(s), λ(u) = log(cos u/sin u). */
  readonly h: number;
}

/** The state after one step of a method, and what a multistep method carries to the next. */
export interface PfOdeStepResult<A> {
  /** The state at the step's end time. */
  readonly x: A;
  /** DPM-Solver++(2M)'s memory for the next step; absent for the one-step methods. */
  readonly memory?: MultistepMemory<A>;
}

const logSnr = (u: number): number => Math.log(Math.cos(u) / Math.sin(u));

// math.md, "PF-ODE solvers and step schedules" (DPM-Solver++(2M); α = cos, σ = sin, λ = log(α/σ)): with
// D_i = cos s·x − sin s·v(x, s) and h = λ(t) − λ(s), x_t = (sin t/sin s)·x − cos t·(e^{−h} − 1)·D′, where
// D′ = (1 + 1/2r)·D_i − (1/2r)·D_{i−1}, r = h_{i−1}/h. With D′ = D_i this is the DDIM step; that is what the
// first step (no memory) takes, and the last one into t = 0 (x_0 = D_i), as DPM-Solver++ does.
/** One DPM-Solver++(2M) step from s to t (one evaluation), given the previous step's memory (none on the first). */
export function dpmSolver2MStep<A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number, memory?: MultistepMemory<A>): Required<PfOdeStepResult<A>> {
  if (!(s > 0 && s < Math.PI / 2)) throw new ScheduleError(`dpmSolver2MStep: start time ${s} must lie in (0, π/2) (the step uses log tan s); start at t_max = arctan(σ_max/σ_d)`);
  const denoised = num.sub(scale(num, Math.cos(s), x), scale(num, Math.sin(s), velocity(x, s)));
  if (t === 0) return { x: denoised, memory: { denoised, h: Infinity } };
  const h = logSnr(t) - logSnr(s);
  const r = memory === undefined ? 0 : memory.h / h;
  const d = r > 0 ? num.sub(scale(num, 1 + 1 / (2 * r), denoised), scale(num, 1 / (2 * r), memory!.denoised)) : denoised;
  return { x: num.sub(scale(num, Math.sin(t) / Math.sin(s), x), scale(num, Math.cos(t) * Math.expm1(-h), d)), memory: { denoised, h } };
}

const oneStep: { readonly [M in Exclude<PfOdeMethod, "dpm-solver-2m">]: <A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number) => A } = {
  euler: eulerStep,
  ddim: ddimStep,
  heun: heunStep,
  "dpm-solver-2": dpmSolver2Step,
};

/** The methods `solvePfOde` and `pfOdeStep` know. */
export const pfOdeMethods: readonly PfOdeMethod[] = ["euler", "ddim", "heun", "dpm-solver-2", "dpm-solver-2m"];

/** True for the methods that divide by cos s or take log tan s, so a schedule must start below π/2. */
export const startsBelowHalfPi = (method: PfOdeMethod): boolean => method === "dpm-solver-2" || method === "dpm-solver-2m";

/**
 * One step of `method` from s to t, threading the memory of the multistep method (pass what the previous step
 * returned; the one-step methods ignore it). Throws a `ScheduleError` on an unknown method.
 */
export function pfOdeStep<A>(num: Floating<A>, velocity: Velocity<A>, method: PfOdeMethod, x: A, s: number, t: number, memory?: MultistepMemory<A>): PfOdeStepResult<A> {
  if (method === "dpm-solver-2m") return dpmSolver2MStep(num, velocity, x, s, t, memory);
  const step = oneStep[method];
  if (step === undefined) throw new ScheduleError(`unknown PF-ODE method "${String(method)}"; use one of ${pfOdeMethods.join(", ")}`);
  return { x: step(num, velocity, x, s, t) };
}

/** Options of `solvePfOde`. */
export interface SolvePfOdeOptions<A> {
  /** The method (default "dpm-solver-2", the paper's teacher sampler). */
  readonly method?: PfOdeMethod;
  /** The time the schedule must end at (default 0; e.g. paperTMid to stop part-way). */
  readonly end?: number;
  /** Called after each step with the step index, the new time and state. */
  readonly onStep?: (step: number, t: number, x: A) => void;
}

/**
 * Integrates the PF-ODE along `schedule` (validated: strictly decreasing within [0, π/2], ending at `end`)
 * from the state `x` at schedule[0]. Throws a `ScheduleError` on a bad schedule or method.
 */
export function solvePfOde<A>(
  num: Floating<A>,
  velocity: Velocity<A>,
  x: A,
  schedule: ArrayLike<number>,
  options: SolvePfOdeOptions<A> = {},
): A {
  const method = options.method ?? "dpm-solver-2";
  if (!pfOdeMethods.includes(method)) {
    throw new ScheduleError(`solvePfOde: unknown method "${String(method)}"; use one of ${pfOdeMethods.join(", ")}`);
  }
  const requirements = { context: `solvePfOde(${method})`, end: options.end ?? 0 };
  validateSchedule(schedule, startsBelowHalfPi(method) ? { ...requirements, startBelow: Math.PI / 2 } : requirements);
  let state: PfOdeStepResult<A> = { x };
  for (let i = 0; i + 1 < schedule.length; i++) {
    state = pfOdeStep(num, velocity, method, state.x, schedule[i]!, schedule[i + 1]!, state.memory);
    options.onStep?.(i, schedule[i + 1]!, state.x);
  }
  return state.x;
}

/** The number of velocity evaluations `solvePfOde` makes for a method and a schedule of `times` entries. */
export function pfOdeEvaluations(method: PfOdeMethod, times: number, end = 0): number {
  const steps = times - 1;
  if (method === "euler" || method === "ddim" || method === "dpm-solver-2m") return steps;
  if (method === "heun") return 2 * steps;
  return 2 * steps - (end === 0 ? 1 : 0);
}

