// Consistency sampling (docs/guide/math.md, "Multistep consistency sampling"; paper Sec. 4 and the multistep
// sampler of Song et al. 2023): start from z ~ N(0, σ_d² I) at τ_0, map it to data with the consistency
// function f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t) (docs/guide/math.md, "One network, four predictions"),
// then for each later τ_i renoise x_{τ_i} = cos τ_i·x̂0 + sin τ_i·z_i and map again. One step from t_max =
// arctan(80/σ_d) is the paper's 1-step sampler, [t_max, 1.1] its 2-step sampler. The randomness is
// `random.split(key, k)`: the first key draws z, key i the renoising noise z_i of step i. Each step runs in its
// own `tidy` scope, so memory stays flat over steps. The caller may pass z and every z_i instead (`noise`,
// `renoise`), to compare samples across implementations. Class labels and, for a guidance-distilled student, the
// guidance scale w go to every call of F (conditioning.ts).
import type { NetworkOptions, RawNetwork } from "@scm-ts/core";
import { add, array, mul, random, tidy, type Tensor } from "@scm-ts/core";
import { f, floatingTensorOf, paperSigmaData, paperTMid, tMax } from "@scm-ts/trigflow";
import { networkOptions, type ConditionOptions } from "./conditioning.js";
import { validateConsistencyTimes } from "./consistency-times.js";
import { samplePrior, startingNoise, type PriorOptions } from "./prior.js";
import { evaluateNetwork, type TimeLayout } from "./raw-network.js";

/** Options of the consistency samplers; `labels`/`numClasses` condition on classes, `guidance` is a guidance-distilled student's w. */
export interface ConsistencySampleOptions extends PriorOptions, ConditionOptions {
  /** How t is passed to F (default "vector": [B]; "broadcast": [B, 1, …, 1]). */
  readonly timeLayout?: TimeLayout;
  /**
   * The renoising draws z_1, z_2, … (each of `shape` and `dtype`, std σ_d) for steps 1, 2, … instead of drawing
   * them from the key, so another implementation given the same noise takes the same path; one per step after the first.
   */
  readonly renoise?: readonly Tensor[];
}

// Paper Sec. 3, math.md, "One network, four predictions": f(x_t, t) = cos(t)·x_t − sin(t)·σ_d·F(x_t/σ_d, t).
/** The consistency function f(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t) of the raw network F at one time t for the batch (F given `options` when present). */
export function consistencyFunction(F: RawNetwork, x: Tensor, t: number, sigmaData: number = paperSigmaData, timeLayout: TimeLayout = "vector", options?: NetworkOptions): Tensor {
  const num = floatingTensorOf(x.dtype);
  const output = evaluateNetwork(F, x, t, sigmaData, timeLayout, "consistencyFunction", options);
  return f(num, x, array(t, [], { dtype: x.dtype }), output, sigmaData);
}

/**
 * Multistep consistency sampling along the validated t-list `times` (strictly decreasing in [0, π/2]): k = times.length
 * network evaluations. Throws a `ScheduleError` on a bad list and a RangeError on bad options or a network of the wrong shape.
 */
export function sampleConsistency(F: RawNetwork, times: ArrayLike<number>, options: ConsistencySampleOptions): Tensor {
  const list = validateConsistencyTimes(times, "sampleConsistency");
  const sigmaData = options.sigmaData ?? paperSigmaData;
  const layout = options.timeLayout ?? "vector";
  const cond = networkOptions("sampleConsistency", options, true);
  const keys = tidy(() => random.split(options.key, list.length));
  if (options.renoise !== undefined && options.renoise.length !== list.length - 1) {
    throw new RangeError(`sampleConsistency: ${list.length} steps need ${list.length - 1} renoising draws, got ${options.renoise.length}; pass one per step after the first`);
  }
  const z = startingNoise("sampleConsistency", keys[0]!, options);
  let x0 = tidy(() => consistencyFunction(F, z, list[0]!, sigmaData, layout, cond));
  if (options.noise === undefined) z.dispose();
  for (let i = 1; i < list.length; i++) {
    const t = list[i]!;
    const previous = x0;
    // x_t = cos t·x̂0 + sin t·z_i, z_i ~ N(0, σ_d² I), then x̂0 = f(x_t, t).
    x0 = tidy(() => {
      const given = options.renoise?.[i - 1];
      const noise = given === undefined ? samplePrior(keys[i]!, options.shape, sigmaData, options.dtype ?? "float32") : startingNoise("sampleConsistency (renoise)", keys[i]!, { ...options, noise: given });
      const xt = add(mul(previous, Math.cos(t)), mul(noise, Math.sin(t)));
      return consistencyFunction(F, xt, t, sigmaData, layout, cond);
    });
    previous.dispose();
  }
  for (const k of keys) k.dispose();
  for (const v of Object.values(cond ?? {})) (v as Tensor).dispose();
  return x0;
}

/** The paper's 1-step sampler: x̂0 = f(z, t_max), t_max = arctan(80/σ_d) unless `start` is given (e.g. π/2). */
export function sampleOneStep(F: RawNetwork, options: ConsistencySampleOptions & { readonly start?: number }): Tensor {
  return sampleConsistency(F, [options.start ?? tMax(options.sigmaData ?? paperSigmaData)], options);
}

/** The paper's 2-step sampler: 1 step from t_max, renoise to t_mid = 1.1 (or `middle`), one more step. */
export function sampleTwoStep(F: RawNetwork, options: ConsistencySampleOptions & { readonly start?: number; readonly middle?: number }): Tensor {
  return sampleConsistency(F, [options.start ?? tMax(options.sigmaData ?? paperSigmaData), options.middle ?? paperTMid], options);
}
