// The samplers the examples score, on a network's EMA weights jitted once: consistency sampling in one step
// from t_max = arctan(80/σ_d) and in two steps via t_mid = 1.1 (docs/guide/math.md,
// "Multistep consistency sampling"), and the teacher's PF-ODE with DPM-Solver-2 on EDM's ρ = 7 grid at a given
// NFE (35: the paper's teacher sampler).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import type { ModelParams } from "@scm-ts/models";
import { oneStepTimes, sampleConsistency, sampleTeacher, twoStepTimes } from "@scm-ts/samplers";
import type { Method } from "./common.js";
import type { Net } from "./model.js";

/** F(u, t) on fixed weights, jitted. */
export function rawNetwork(net: Net, params: ModelParams<unknown>): (u: Tensor, t: Tensor) => Tensor {
  const apply = c.jit((p: ModelParams<unknown>, u: Tensor, t: Tensor) => net.apply(p, u, t), { name: "F" });
  return (u, t) => apply(params, u, t);
}

/** 1- and 2-step consistency samplers of a consistency model. */
export function consistencyMethods(name: string, tag: string, net: Net, ema: ModelParams<unknown>, size: number, sigmaData: number): Method[] {
  const F = rawNetwork(net, ema);
  const draw = (times: number[]) => (key: Tensor, n: number) => sampleConsistency(F, times, { key, shape: [n, 1, size, size], sigmaData });
  return [
    { method: `${name}, 1 step`, tag: `${tag}-1step`, nfe: 1, draw: draw(oneStepTimes(sigmaData)) },
    { method: `${name}, 2 steps`, tag: `${tag}-2step`, nfe: 2, draw: draw(twoStepTimes(sigmaData)) },
  ];
}

/** The teacher's PF-ODE sampler at `nfe` evaluations (DPM-Solver-2: odd NFE). */
export function teacherMethod(net: Net, ema: ModelParams<unknown>, size: number, sigmaData: number, nfe: number): Method {
  const F = rawNetwork(net, ema);
  return { method: `teacher, ${nfe} NFE`, tag: `teacher-${nfe}nfe`, nfe, draw: (key, n) => sampleTeacher(F, { key, shape: [n, 1, size, size], sigmaData, nfe }) };
}
