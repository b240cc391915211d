// The error of a consistency network's map f_θ(x, t) = cos t·x − sin t·σ_d·F(x/σ_d, t) against the
// exact consistency function f*(x, t) = Φ_{t→0}(x) of the mixture (trigflow's float64 oracle), on probe
// points of their own seeds — never the evaluation's noise or reference — so that training choices can be
// read off f* without looking at the evaluation's SW. At each probe time t the points are draws of the
// true marginal x_t = cos t·x0 + sin t·z (x0 from the data, z ~ N(0, σ_d² I)). The 2-step path probe
// also measures f_θ at t_mid where the 2-step sampler actually goes: x_mid = cos t_mid·f_θ(z, t_max) +
// sin t_mid·z', against f*(x_mid, t_mid).
import * as c from "@scm-ts/core";
import type { RawNetwork } from "@scm-ts/core";
import { consistencyFunction, samplePrior } from "@scm-ts/samplers";
import { tMax } from "@scm-ts/trigflow";
import { sigmaData, type ToyProblem } from "./toy-setup.js";

/** Probe seeds: apart from the evaluation's (5–9) and every training seed (11–13 plus offsets, 31–33, 7000+). */
export const probeSeeds = { data: 101, noise: 102, renoise: 103 } as const;

/** The RMS errors of one network at the probe times, and along the 2-step path. */
export interface ProbeErrors {
  /** RMS ‖f_θ(x_t, t) − f*(x_t, t)‖ at each probe time, x_t from the true marginal. */
  readonly atTime: number[];
  /** RMS ‖f_θ(x_mid, t_mid) − f*(x_mid, t_mid)‖ with x_mid from the network's own first step. */
  readonly twoStepPath: number;
  /** RMS ‖f_θ(x_mid, t_mid) − f*(f*(z, t_max) renoised)‖: the 2-step sample against the exact 2-step map of the same z, z'. */
  readonly twoStepTotal: number;
}

/** A probe bound to one problem, probe times and t_mid. */
export interface FStarProbe {
  readonly times: readonly number[];
  readonly tMid: number;
  readonly points: number;
  measure(F: RawNetwork): Promise<ProbeErrors>;
}

const rms = (a: ArrayLike<number>, b: ArrayLike<number>, n: number) => {
  let s = 0;
  for (let i = 0; i < n * 2; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / n);
};

/** Builds the probe: draws the points and solves the exact flow maps once (n ODE solves per time). */
export async function makeFStarProbe(problem: ToyProblem, times: readonly number[], tMid: number, n: number): Promise<FStarProbe> {
  const x0 = await problem.data.sample(c.random.key(probeSeeds.data), n).data();
  const z = await samplePrior(c.random.key(probeSeeds.noise), [n, 2], sigmaData).data();
  const zMid = await samplePrior(c.random.key(probeSeeds.renoise), [n, 2], sigmaData).data();
  const marginal = times.map((t) => Float64Array.from({ length: n * 2 }, (_, i) => Math.cos(t) * x0[i]! + Math.sin(t) * z[i]!));
  const exact = marginal.map((x, k) => problem.oracle.flowMapBatch(x, times[k]!, 0));
  const start = tMax(sigmaData);
  const exactFirst = problem.oracle.flowMapBatch(Float64Array.from(z), start, 0);
  const exactMid = problem.oracle.flowMapBatch(Float64Array.from({ length: n * 2 }, (_, i) => Math.cos(tMid) * exactFirst[i]! + Math.sin(tMid) * zMid[i]!), tMid, 0);
  const tensor = (v: ArrayLike<number>) => c.array(Array.from(v), [n, 2]);
  return {
    times,
    tMid,
    points: n,
    async measure(F) {
      const atTime: number[] = [];
      for (let k = 0; k < times.length; k++) {
        const y = c.tidy(() => consistencyFunction(F, tensor(marginal[k]!), times[k]!, sigmaData));
        atTime.push(rms(await y.data(), exact[k]!, n));
        y.dispose();
      }
      const first = c.tidy(() => consistencyFunction(F, tensor(z), start, sigmaData));
      const f1 = await first.data();
      first.dispose();
      const xMid = Float64Array.from({ length: n * 2 }, (_, i) => Math.cos(tMid) * f1[i]! + Math.sin(tMid) * zMid[i]!);
      const second = c.tidy(() => consistencyFunction(F, tensor(xMid), tMid, sigmaData));
      const f2 = await second.data();
      second.dispose();
      return { atTime, twoStepPath: rms(f2, problem.oracle.flowMapBatch(xMid, tMid, 0), n), twoStepTotal: rms(f2, exactMid, n) };
    },
  };
}

