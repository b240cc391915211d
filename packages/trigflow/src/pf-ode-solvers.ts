// Fixed-schedule solvers of the TrigFlow PF-ODE dx_t/dt = σ_d·F(x_t/σ_d, t) for sampling teachers (paper App.
// B; docs/guide/math.md, "PF-ODE solvers and step schedules"). A solver takes the velocity v(x, t) = σ_d·F as a
// function, so it works for a network, an oracle or a converted teacher, on any carrier with a `Floating`
// instance (numbers, Float64Array, tensors). Methods: plain Euler in t; the first-order TrigFlow/DDIM step
// (exact for a point mass); Heun's trapezoidal predictor–corrector in t; and DPM-Solver-2 with r = 1
// (noise-prediction form), which is exactly EDM's Heun sampler in EDM coordinates — the paper's teacher
// sampler.
import { scale, type Floating } from "./floating.js";
import { validateSchedule, ScheduleError } from "./step-schedule.js";

/** The PF-ODE velocity v(x, t) = dx_t/dt = σ_d·F(x/σ_d, c_noise(t)); t is a plain number. */
export type Velocity<A> = (x: A, t: number) => A;

/** The available fixed-step PF-ODE methods. */
export type PfOdeMethod = "euler" | "ddim" | "heun" | "dpm-solver-2";

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

const steppers: { readonly [M in PfOdeMethod]: <A>(num: Floating<A>, velocity: Velocity<A>, x: A, s: number, t: number) => A } = {
  euler: eulerStep,
  ddim: ddimStep,
  heun: heunStep,
  "dpm-solver-2": dpmSolver2Step,
};

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
  const step = steppers[method];
  if (step === undefined) {
    throw new ScheduleError(`solvePfOde: unknown method "${String(method)}"; use one of ${Object.keys(steppers).join(", ")}`);
  }
  const requirements = { context: `solvePfOde(${method})`, end: options.end ?? 0 };
  validateSchedule(schedule, method === "dpm-solver-2" ? { ...requirements, startBelow: Math.PI / 2 } : requirements);
  let state = x;
  for (let i = 0; i + 1 < schedule.length; i++) {
    state = step(num, velocity, state, schedule[i]!, schedule[i + 1]!);
    options.onStep?.(i, schedule[i + 1]!, state);
  }
  return state;
}

/** The number of velocity evaluations `solvePfOde` makes for a method and a schedule of `times` entries. */
export function pfOdeEvaluations(method: PfOdeMethod, times: number, end = 0): number {
  const steps = times - 1;
  if (method === "euler" || method === "ddim") return steps;
  if (method === "heun") return 2 * steps;
  return 2 * steps - (end === 0 ? 1 : 0);
}
