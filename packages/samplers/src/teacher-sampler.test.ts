// Teacher PF-ODE sampling with the exact oracle velocity as the network (docs/guide/math.md,
// "What the oracles check" T12): from the same noise, every solver converges to the exact flow map
// Φ_{t_max→0}(z) as the NFE grows, at its order (Euler and DDIM first, Heun, DPM-Solver-2 and DPM-Solver++(2M)
// second), for a Gaussian and for a mixture, where 2M at 35 NFE lands closer than DPM-Solver-2; DDIM is exact for a point mass in one step; the paper's default (DPM-Solver-2,
// EDM grid) spends exactly 35 evaluations; schedules come from trigflow; bad NFEs, methods and schedules are
// refused with a clear message.
import type { RawNetwork } from "@scm-ts/core";
import { random, type Tensor } from "@scm-ts/core";
import { edmSchedule, gaussianMixtureOracle, gaussianOracle, ScheduleError, tMax, type AnalyticOracle, type PfOdeMethod } from "@scm-ts/trigflow";
import { describe, expect, test } from "vitest";
import { oracleNetwork } from "./oracle-network.js";
import { samplePrior } from "./prior.js";
import { sampleTeacher, stepsForNfe, teacherSchedule } from "./teacher-sampler.js";

const sigmaData = 0.5;
const gaussian = gaussianOracle({ mean: [0.3, -0.2], covariance: { kind: "full", matrix: [[0.09, 0.04], [0.04, 0.07]] }, sigmaData });
const mixture = gaussianMixtureOracle({
  components: [
    { weight: 1, mean: [-0.5, 0.1], covariance: { kind: "isotropic", variance: 0.04 } },
    { weight: 2, mean: [0.4, -0.2], covariance: { kind: "isotropic", variance: 0.0625 } },
  ],
  sigmaData,
});

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function errors(oracle: AnalyticOracle, method: PfOdeMethod, nfes: readonly number[], schedule: "edm" | "uniform"): Promise<number[]> {
  const z = samplePrior(random.key(1), [32, 2], sigmaData, "float64");
  const exact = oracle.flowMapBatch(await z.data(), tMax(sigmaData), 0);
  const F = oracleNetwork(oracle, "diffusion");
  const out: number[] = [];
  for (const nfe of nfes) {
    const x = sampleTeacher(F, { key: random.key(0), shape: [32, 2], noise: z, dtype: "float64", method, nfe, schedule, sigmaData });
    out.push(maxDifference(await x.data(), exact));
  }
  return out;
}

// Each doubling of the steps must divide the error by at least `factor` (2 for first order, 4 for second, with slack).
function expectOrder(errs: readonly number[], factor: number): void {
  for (let i = 1; i < errs.length; i++) expect(errs[i - 1]! / errs[i]!).toBeGreaterThan(factor);
}

describe("convergence to the exact flow map", () => {
  test.each([
    // method, NFE ladder, grid, least error ratio per doubling, bound on the last error (measured ×2)
    ["euler", [16, 32, 64, 128], "uniform", 1.6, 6e-3],
    ["ddim", [8, 16, 32, 64], "uniform", 1.6, 3.5e-2],
    ["heun", [8, 16, 32, 64], "uniform", 3, 1.5e-3],
    ["dpm-solver-2", [15, 31, 63, 127], "edm", 3.5, 7e-3],
    ["dpm-solver-2", [15, 31, 63], "uniform", 3.5, 8e-3],
    ["dpm-solver-2m", [16, 32, 64, 128], "edm", 3, 1.6e-3],
  ] as const)("%s at NFE %j (%s grid) on a Gaussian", async (method, nfes, schedule, factor, bound) => {
    const errs = await errors(gaussian, method, nfes, schedule);
    expectOrder(errs, factor);
    expect(errs[errs.length - 1]).toBeLessThan(bound);
  });

  test("DPM-Solver-2 on a two-component mixture (exact flow by float64 ODE integration)", async () => {
    const errs = await errors(mixture, "dpm-solver-2", [15, 31, 63, 127], "edm");
    expectOrder(errs, 3.5);
    expect(errs[3]).toBeLessThan(7e-3);
  });

  test("DPM-Solver++(2M) on the mixture converges at second order and, at 35 NFE, beats DPM-Solver-2", async () => {
    const errs = await errors(mixture, "dpm-solver-2m", [16, 32, 64, 128], "edm");
    expectOrder(errs, 3);
    const [twoM] = await errors(mixture, "dpm-solver-2m", [35], "edm");
    const [two] = await errors(mixture, "dpm-solver-2", [35], "edm");
    expect(twoM).toBeLessThan(two! / 2);
  });

  test("DDIM is exact for a point mass in a single step from π/2", async () => {
    const pointMass = gaussianOracle({ mean: [0.7, -0.1], covariance: { kind: "isotropic", variance: 0 }, sigmaData });
    const x = sampleTeacher(oracleNetwork(pointMass, "diffusion"), { key: random.key(2), shape: [8, 2], method: "ddim", schedule: [Math.PI / 2, 0], dtype: "float64" });
    expect(maxDifference(await x.data(), Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0.7 : -0.1)))).toBeLessThan(1e-12);
  });
});

describe("budget and schedules", () => {
  test("the default is DPM-Solver-2 on EDM's grid with 35 evaluations (18 steps), starting at t_max, from z = samplePrior(key)", async () => {
    const times: number[] = [];
    const counting: RawNetwork = (u: Tensor, t: Tensor) => {
      times.push(t.dataSync()[0]!);
      return oracleNetwork(gaussian, "diffusion")(u, t);
    };
    const key = random.key(3);
    const x = sampleTeacher(counting, { key, shape: [4, 2], dtype: "float64" });
    expect(times.length).toBe(35);
    expect(times[0]).toBeCloseTo(tMax(0.5), 12);
    expect(times.every((t) => t > 0)).toBe(true);
    const same = sampleTeacher(oracleNetwork(gaussian, "diffusion"), { key, shape: [4, 2], dtype: "float64", noise: samplePrior(key, [4, 2], 0.5, "float64") });
    expect(Array.from(await x.data())).toEqual(Array.from(await same.data()));
    expect(teacherSchedule("dpm-solver-2", 35)).toEqual(edmSchedule(18));
  });

  test("stepsForNfe and explicit schedules", () => {
    expect([stepsForNfe("euler", 10), stepsForNfe("ddim", 3), stepsForNfe("heun", 10), stepsForNfe("dpm-solver-2", 63)]).toEqual([10, 3, 5, 32]);
    const uniform = teacherSchedule("heun", 8, "uniform");
    expect(uniform.length).toBe(5);
    expect(uniform[0]).toBeCloseTo(tMax(0.5), 14);
    expect(uniform[4]).toBe(0);
    const counted: number[] = [];
    sampleTeacher((u, t) => (counted.push(1), u.mul(0)), { key: random.key(0), shape: [2, 2], method: "heun", schedule: [1.5, 1.0, 0.2, 0], nfe: 6 });
    expect(counted.length).toBe(6);
  });
});

describe("bad input", () => {
  const opts = { key: random.key(0), shape: [2, 2] } as const;
  const F: RawNetwork = (u) => u.mul(0);

  test("an NFE the method cannot spend exactly, or not a positive integer", () => {
    expect(() => sampleTeacher(F, { ...opts, method: "heun", nfe: 35 })).toThrow(ScheduleError);
    expect(() => sampleTeacher(F, { ...opts, method: "heun", nfe: 35 })).toThrow(/heun cannot spend exactly 35 network evaluations; use an even NFE \(2 per step\), e\.g\. 34 or 36/);
    expect(() => sampleTeacher(F, { ...opts, nfe: 36 })).toThrow(/dpm-solver-2 cannot spend exactly 36 network evaluations; use an odd NFE/);
    expect(() => sampleTeacher(F, { ...opts, method: "euler", nfe: 0 })).toThrow(/NFE must be a positive integer, got 0/);
  });

  test("an unknown method or schedule kind", () => {
    expect(() => sampleTeacher(F, { ...opts, method: "rk4" as PfOdeMethod })).toThrow(/unknown method "rk4"; use one of euler, ddim, heun, dpm-solver-2/);
    expect(() => sampleTeacher(F, { ...opts, schedule: "cosine" as "edm" })).toThrow(/unknown schedule kind "cosine"/);
  });

  test("explicit schedules that increase, leave [0, π/2], do not end at 0, start at π/2 for DPM-Solver-2, or disagree with nfe", () => {
    expect(() => sampleTeacher(F, { ...opts, method: "euler", schedule: [1.0, 1.2, 0] })).toThrow(/entry 1 \(1.2\) is not below entry 0 \(1\)/);
    expect(() => sampleTeacher(F, { ...opts, method: "euler", schedule: [2, 1, 0] })).toThrow(/entry 0 is 2, outside the TrigFlow interval/);
    expect(() => sampleTeacher(F, { ...opts, method: "euler", schedule: [1.5, 0.5] })).toThrow(/ends at 0.5 but must end at 0/);
    expect(() => sampleTeacher(F, { ...opts, schedule: [Math.PI / 2, 1, 0] })).toThrow(/must start below/);
    expect(() => sampleTeacher(F, { ...opts, method: "euler", schedule: [1.5, 1, 0], nfe: 3 })).toThrow(/3 times costs 2 evaluations with euler, not nfe = 3/);
  });

  test("a network returning the wrong shape names both shapes", () => {
    expect(() => sampleTeacher((u) => u.reshape([4]), opts)).toThrow(/sampleTeacher\(dpm-solver-2\): the network returned shape \[4\] for an input of shape \[2, 2\]/);
  });
});
