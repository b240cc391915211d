// The time lists of multistep consistency sampling (docs/guide/math.md, "Multistep consistency sampling"): the
// network is evaluated at τ_0 > τ_1 > … > τ_{k−1}, starting from noise at τ_0 (t_max = arctan(σ_max/σ_d) =
// 1.56455 for the paper, or π/2) and renoising to each later τ_i. A list is valid when it is non-empty, finite,
// inside [0, π/2], strictly decreasing and starts above 0 (a trailing 0, as in diffusers' lists, is allowed and
// is a no-op since f(x, 0) = x); anything else is refused with a `ScheduleError` naming the entry. Also the
// paper's 1-step and 2-step lists (t_mid = 1.1), the t_mid for low-dimensional data, and rCM's default
// 4-step list.
import { paperSigmaData, paperTMid, ScheduleError, tMax } from "@scm-ts/trigflow";

const halfPi = Math.PI / 2;

/**
 * The t_mid of 2-step sampling for low-dimensional data (a few to a few hundred entries per example,
 * standardised to σ_d): σ = σ_d·tan(0.3) ≈ 0.31·σ_d, so the second step redraws the detail the first
 * blurs. The paper's 1.1 (σ ≈ 2·σ_d) suits images; on such data it is nearly pure noise, and the
 * project's quality sets (docs/guide/training.md, "Where the defaults still fall short") score far
 * better at 0.3.
 */
export const lowDimensionTMid = 0.3;

/** Throws a `ScheduleError` unless `times` is a non-empty, strictly decreasing list of finite times in [0, π/2]; returns a copy. */
export function validateConsistencyTimes(times: ArrayLike<number>, context = "consistency sampler"): number[] {
  const list = Array.from(times);
  if (list.length === 0) throw new ScheduleError(`${context}: the t-list is empty; pass at least the start time, e.g. [t_max] for 1-step sampling`);
  list.forEach((t, i) => {
    if (typeof t !== "number" || !Number.isFinite(t)) throw new ScheduleError(`${context}: t-list entry ${i} is ${t}; every time must be a finite number`);
    if (t < 0 || t > halfPi) {
      throw new ScheduleError(`${context}: t-list entry ${i} is ${t}, outside the TrigFlow interval [0, π/2 = ${halfPi}]; convert σ values with t = arctan(σ/σ_d) first`);
    }
    if (i > 0 && !(t < list[i - 1]!)) {
      throw new ScheduleError(`${context}: t-list entry ${i} (${t}) is not below entry ${i - 1} (${list[i - 1]}); the t-list must strictly decrease from the start time toward 0`);
    }
  });
  if (list[0] === 0) throw new ScheduleError(`${context}: the t-list starts at 0, where f(x, 0) = x returns the noise unchanged; start at t_max or π/2`);
  return list;
}

/** The paper's 1-step list [t_max], t_max = arctan(80/σ_d) (1.56455 for σ_d = 0.5). */
export function oneStepTimes(sigmaData: number = paperSigmaData): number[] {
  return [tMax(sigmaData)];
}

/** The paper's 2-step list [t_max, t_mid] with t_mid = 1.1 for every model and dataset. */
export function twoStepTimes(sigmaData: number = paperSigmaData, tMid: number = paperTMid): number[] {
  return validateConsistencyTimes([tMax(sigmaData), tMid], "twoStepTimes");
}

/** rCM's default 4-step list [t_max, 1.3, 1.0, 0.6] (math.md, "Multistep consistency sampling"). */
export function rcmFourStepTimes(sigmaData: number = paperSigmaData): number[] {
  return [tMax(sigmaData), 1.3, 1.0, 0.6];
}
