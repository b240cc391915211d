// Learning-rate schedules as functions of the update count (a float32 scalar tensor, so they run inside a
// jitted step): constant, linear warm-up, EDM2's inverse square root decay with warm-up, α(t) = α_ref·min(1,
// t/t_warmup)/sqrt(max(t/t_ref, 1)) (Karras et al. 2024, Eq. 71; the sCM ImageNet runs use t_ref = 35k or 70k,
// docs/guide/math.md, "The paper's settings"), and cosine decay to zero for short runs of a known length, where
// the raw weights of a constant rate keep jumping and EMA cannot average that out. `scheduleAt` evaluates one
// on the host.
import * as c from "@scm-ts/core";
import { checkNonNegativeInt, checkPositive } from "./config-check.js";
import type { Schedule } from "./optimizer.js";

/** α(t) = value. */
export function constantSchedule(value: number): Schedule {
  return () => c.full([], value);
}

// α(t) = init + (peak − init)·min(1, t/warmupSteps)
/** Linear warm-up from `init` (default 0) to `peak` over `warmupSteps`, then constant. */
export function warmupSchedule(config: { peak: number; warmupSteps: number; init?: number }): Schedule {
  checkNonNegativeInt("warmupSchedule", "warmupSteps", config.warmupSteps);
  const init = config.init ?? 0;
  return (count) => {
    if (config.warmupSteps === 0) return c.full([], config.peak);
    const frac = c.minimum(c.div(count, config.warmupSteps), 1);
    return c.add(c.mul(frac, config.peak - init), init);
  };
}

// α(t) = peak · min(1, t/warmupSteps) / sqrt(max(t/tRef, 1))   (EDM2, Eq. 71)
/** EDM2's inverse square root decay after `tRef` updates, with optional linear warm-up. */
export function inverseSqrtSchedule(config: { peak: number; tRef: number; warmupSteps?: number }): Schedule {
  checkPositive("inverseSqrtSchedule", "tRef", config.tRef);
  const warm = warmupSchedule({ peak: config.peak, warmupSteps: config.warmupSteps ?? 0 });
  return (count) => c.mul(warm(count), c.rsqrt(c.maximum(c.div(count, config.tRef), 1)));
}

// α(t) = peak · (1 + cos(π·min(t/steps, 1)))/2
/** Cosine decay from `peak` at update 0 to 0 at update `steps` (and 0 after it). */
export function cosineSchedule(config: { peak: number; steps: number }): Schedule {
  checkPositive("cosineSchedule", "steps", config.steps);
  return (count) => c.mul(config.peak / 2, c.add(1, c.cos(c.mul(c.minimum(c.div(count, config.steps), 1), Math.PI))));
}

/** The rate of `schedule` after `step` updates, read on the host. */
export async function scheduleAt(schedule: Schedule, step: number): Promise<number> {
  return schedule(c.full([], step)).item();
}
