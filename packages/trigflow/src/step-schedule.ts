// Explicit time schedules for PF-ODE solvers and their validation (docs/guide/math.md,
// "PF-ODE solvers and step schedules"). A schedule is the list of times t_0 > t_1 > … > t_N the solver visits,
// from noise (t_0 ≤ π/2) down to where sampling should stop (t_N = 0 unless stated). Builders give EDM's ρ = 7
// grid mapped by t = arctan(σ/σ_d), as the paper's teachers use, and an evenly spaced grid; `validateSchedule`
// rejects anything else with a message naming the offending entry and what to do.
import { paperSigmaData } from "./trigflow.js";

/** A schedule that is not a valid PF-ODE schedule. */
export class ScheduleError extends RangeError {
  /** "ScheduleError", for `instanceof`-free checks and stack traces. */
  override readonly name = "ScheduleError";
}

/** What `validateSchedule` requires besides basic well-formedness. */
export interface ScheduleRequirements {
  /** The time the schedule must end at (default 0). */
  readonly end?: number;
  /** The time the schedule must start at, if fixed. */
  readonly start?: number;
  /** An exclusive upper bound on the first time (e.g. π/2 for solvers singular there). */
  readonly startBelow?: number;
  /** The caller's name for messages (default "schedule"). */
  readonly context?: string;
}

const halfPi = Math.PI / 2;

/**
 * Throws a `ScheduleError` unless `schedule` has at least two entries, all finite, within [0, π/2], strictly
 * decreasing, ending at `end` (default 0), and starting at `start` / below `startBelow` when given.
 */
export function validateSchedule(schedule: ArrayLike<number>, requirements: ScheduleRequirements = {}): void {
  const context = requirements.context ?? "schedule";
  const end = requirements.end ?? 0;
  const list = Array.from(schedule);
  if (list.length < 2) {
    throw new ScheduleError(`${context}: needs at least 2 times (a start and an end), got ${list.length}: [${list.join(", ")}]`);
  }
  list.forEach((t, i) => {
    if (!Number.isFinite(t)) throw new ScheduleError(`${context}: entry ${i} is ${t}; every time must be a finite number`);
    if (t < 0 || t > halfPi) {
      throw new ScheduleError(`${context}: entry ${i} is ${t}, outside the TrigFlow interval [0, π/2 = ${halfPi}]; map σ or flow times with the converters first`);
    }
    if (i > 0 && !(t < list[i - 1]!)) {
      throw new ScheduleError(
        `${context}: entry ${i} (${t}) is not below entry ${i - 1} (${list[i - 1]}); a PF-ODE schedule runs from noise to data and must strictly decrease`,
      );
    }
  });
  const last = list[list.length - 1]!;
  if (last !== end) {
    throw new ScheduleError(`${context}: ends at ${last} but must end at ${end}; append ${end} as the final time`);
  }
  const first = list[0]!;
  if (requirements.start !== undefined && first !== requirements.start) {
    throw new ScheduleError(`${context}: starts at ${first} but must start at ${requirements.start}`);
  }
  if (requirements.startBelow !== undefined && !(first < requirements.startBelow)) {
    throw new ScheduleError(`${context}: starts at ${first} but must start below ${requirements.startBelow}`);
  }
}

/** Options of `edmSchedule`. */
export interface EdmScheduleOptions {
  /** σ_min (default 0.002). */
  readonly sigmaMin?: number;
  /** σ_max (default 80, so t_0 = arctan(80/σ_d) = 1.56455 for σ_d = 0.5). */
  readonly sigmaMax?: number;
  /** ρ (default 7). */
  readonly rho?: number;
  /** σ_d (default 0.5). */
  readonly sigmaData?: number;
}

// math.md, "PF-ODE solvers and step schedules": EDM's σ_i = (σ_max^{1/ρ} + i/(N−1)(σ_min^{1/ρ} −
// σ_max^{1/ρ}))^ρ, σ_N = 0, t_i = arctan(σ_i/σ_d).
/**
 * EDM's sampling schedule with `steps` steps (steps + 1 times, ending at 0), mapped to TrigFlow time. With
 * `steps` = 18 and DPM-Solver-2 this is the paper's CIFAR-10 teacher sampler (35 NFE).
 */
export function edmSchedule(steps: number, options: EdmScheduleOptions = {}): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new ScheduleError(`edmSchedule: steps must be a positive integer, got ${steps}`);
  const sigmaMin = options.sigmaMin ?? 0.002;
  const sigmaMax = options.sigmaMax ?? 80;
  const rho = options.rho ?? 7;
  const sigmaData = options.sigmaData ?? paperSigmaData;
  if (!(sigmaMin > 0 && sigmaMin < sigmaMax && Number.isFinite(sigmaMax) && rho > 0 && sigmaData > 0)) {
    throw new ScheduleError(
      `edmSchedule: need 0 < sigmaMin < sigmaMax < ∞, rho > 0, sigmaData > 0; got sigmaMin ${sigmaMin}, sigmaMax ${sigmaMax}, rho ${rho}, sigmaData ${sigmaData}`,
    );
  }
  const hi = sigmaMax ** (1 / rho);
  const lo = sigmaMin ** (1 / rho);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const fraction = steps === 1 ? 0 : i / (steps - 1);
    times.push(Math.atan((hi + fraction * (lo - hi)) ** rho / sigmaData));
  }
  times.push(0);
  return times;
}

/** `steps` equal steps from `start` (default π/2) down to `end` (default 0): steps + 1 times. */
export function uniformSchedule(steps: number, start = halfPi, end = 0): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new ScheduleError(`uniformSchedule: steps must be a positive integer, got ${steps}`);
  if (!(start > end && end >= 0 && start <= halfPi)) {
    throw new ScheduleError(`uniformSchedule: need π/2 ≥ start > end ≥ 0, got start ${start}, end ${end}`);
  }
  const times = Array.from({ length: steps + 1 }, (_, i) => start + (i / steps) * (end - start));
  times[steps] = end;
  return times;
}
