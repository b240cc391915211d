// PF-ODE solvers (docs/guide/math.md, "PF-ODE solvers and step schedules"; T12 of "What the oracles check"):
// DDIM is exact for a point mass even from t = π/2; DPM-Solver-2 with r = 1 equals EDM's Heun sampler run in
// EDM coordinates, for any velocity field; DPM-Solver++(2M) is exact for a point mass and equals DPM-Solver++'s
// published multistep update in EDM's σ; each method converges at its order against the closed-form Gaussian
// flow; evaluation counts are as documented (18 EDM steps = 35 NFE; 2M: one per step); the same solver runs on
// numbers and on Float64Array; bad schedules and methods are rejected clearly.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { edmSigmaFromTime, edmStateFromXt, timeFromEdmSigma, xtFromEdm } from "./converters.js";
import { floatingNumber } from "./floating.js";
import { floatingVector } from "./floating-vector.js";
import { gaussianOracle } from "./gaussian-oracle.js";
import { pfOdeEvaluations, solvePfOde, type PfOdeMethod, type Velocity } from "./pf-ode-solvers.js";
import { edmSchedule, ScheduleError, uniformSchedule } from "./step-schedule.js";

const sigmaData = 0.5;
const num = floatingVector;

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const vector = (d: number): fc.Arbitrary<number[]> => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: d, maxLength: d });

describe("exactness", () => {
  test("DDIM maps any start to the point mass μ, in one step from π/2 or along any schedule", () => {
    fc.assert(
      fc.property(vector(3), vector(3), fc.integer({ min: 1, max: 12 }), (mu, x, steps) => {
        const oracle = gaussianOracle({ mean: mu, covariance: { kind: "isotropic", variance: 0 }, sigmaData });
        const velocity: Velocity<Float64Array> = (y, t) => oracle.velocity(y, t);
        const oneStep = solvePfOde(num, velocity, Float64Array.from(x), [Math.PI / 2, 0], { method: "ddim" });
        expect(maxDifference(oneStep, mu)).toBeLessThan(1e-12);
        const many = solvePfOde(num, velocity, Float64Array.from(x), uniformSchedule(steps), { method: "ddim" });
        expect(maxDifference(many, mu)).toBeLessThan(1e-12);
        // DPM-Solver++(2M) combines data predictions, all equal to μ here, so it is exact too (from below π/2).
        const multistep = solvePfOde(num, velocity, Float64Array.from(x), uniformSchedule(steps, 1.5), { method: "dpm-solver-2m" });
        expect(maxDifference(multistep, mu)).toBeLessThan(1e-12);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("DPM-Solver-2 (r = 1) equals EDM's Heun sampler in EDM coordinates, for an arbitrary velocity field", () => {
    fc.assert(
      fc.property(vector(2), vector(4), fc.integer({ min: 1, max: 20 }), (x, coefficients, steps) => {
        const [a, b, c, e] = coefficients as [number, number, number, number];
        // Any smooth "network": the identity is algebraic, not a property of exact teachers.
        const velocity: Velocity<Float64Array> = (y, t) => y.map((v, i) => a * Math.sin(v + i) + b * t * v + c * Math.cos(t) - e * v * v * 0.1);
        const schedule = edmSchedule(steps, { sigmaData });
        const trig = solvePfOde(num, velocity, Float64Array.from(x), schedule, { method: "dpm-solver-2" });
        // EDM Heun (Karras et al. 2022, Alg. 1 without churn): dx/dσ = (x − D(x; σ))/σ, Euler on the last step.
        const denoise = (xSigma: Float64Array, sigma: number): Float64Array => {
          const t = timeFromEdmSigma(floatingNumber, sigma, sigmaData);
          const xt = xtFromEdm(num, xSigma, Float64Array.of(t));
          const v = velocity(xt, t);
          return xt.map((value, i) => Math.cos(t) * value - Math.sin(t) * v[i]!);
        };
        const slope = (xSigma: Float64Array, sigma: number): Float64Array => {
          const D = denoise(xSigma, sigma);
          return xSigma.map((value, i) => (value - D[i]!) / sigma);
        };
        const sigmas = schedule.map((t) => (t === 0 ? 0 : edmSigmaFromTime(floatingNumber, t, sigmaData)));
        let xSigma = edmStateFromXt(num, Float64Array.from(x), Float64Array.of(schedule[0]!));
        for (let i = 0; i + 1 < sigmas.length; i++) {
          const [s0, s1] = [sigmas[i]!, sigmas[i + 1]!];
          const d0 = slope(xSigma, s0);
          const euler = xSigma.map((value, k) => value + (s1 - s0) * d0[k]!);
          if (s1 === 0) {
            xSigma = euler;
            continue;
          }
          const d1 = slope(euler, s1);
          xSigma = xSigma.map((value, k) => value + ((s1 - s0) * (d0[k]! + d1[k]!)) / 2);
        }
        expect(maxDifference(trig, xSigma)).toBeLessThan(1e-9 * (1 + Math.max(...Array.from(xSigma, Math.abs))));
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

test("DPM-Solver++(2M) equals its published update in EDM's σ (x/σ form), for an arbitrary velocity field", () => {
  fc.assert(
    fc.property(vector(2), vector(3), fc.integer({ min: 2, max: 20 }), (x, coefficients, steps) => {
      const [a, b, c] = coefficients as [number, number, number];
      const velocity: Velocity<Float64Array> = (y, t) => y.map((v, i) => a * Math.sin(v + i) + b * t * v + c * Math.cos(t));
      const schedule = edmSchedule(steps, { sigmaData });
      const trig = solvePfOde(num, velocity, Float64Array.from(x), schedule, { method: "dpm-solver-2m" });
      // Lu et al. 2022 (DPM-Solver++, Alg. 2) with α = 1, σ = EDM σ, λ = −log σ, on x̃ = x_t/cos t:
      // x̃_i = (σ_i/σ_{i−1}) x̃ − (e^{−h} − 1) D′, first order on the first step and into σ = 0.
      const denoise = (xSigma: Float64Array, t: number): Float64Array => {
        const xt = xtFromEdm(num, xSigma, Float64Array.of(t));
        const v = velocity(xt, t);
        return xt.map((value, i) => Math.cos(t) * value - Math.sin(t) * v[i]!);
      };
      const sigmas = schedule.map((t) => (t === 0 ? 0 : edmSigmaFromTime(floatingNumber, t, sigmaData)));
      let xSigma = edmStateFromXt(num, Float64Array.from(x), Float64Array.of(schedule[0]!));
      let previous: { D: Float64Array; h: number } | undefined;
      for (let i = 0; i + 1 < sigmas.length; i++) {
        const D = denoise(xSigma, schedule[i]!);
        if (sigmas[i + 1] === 0) {
          xSigma = D;
          break;
        }
        const h = Math.log(sigmas[i]! / sigmas[i + 1]!);
        const r = previous ? previous.h / h : 0;
        const Dp = previous ? D.map((v, k) => (1 + 1 / (2 * r)) * v - (1 / (2 * r)) * previous!.D[k]!) : D;
        xSigma = xSigma.map((v, k) => (sigmas[i + 1]! / sigmas[i]!) * v - Math.expm1(-h) * Dp[k]!);
        previous = { D, h };
      }
      expect(maxDifference(trig, xSigma)).toBeLessThan(1e-9 * (1 + Math.max(...Array.from(xSigma, Math.abs))));
    }),
    { seed: 42, numRuns: 100 },
  );
});

describe("convergence order against the closed-form Gaussian flow", () => {
  const oracle = gaussianOracle({ mean: [0.4, -0.3], covariance: { kind: "full", matrix: [[0.2, 0.05], [0.05, 0.1]] }, sigmaData });
  const velocity: Velocity<Float64Array> = (y, t) => oracle.velocity(y, t);
  const start = Float64Array.of(0.3, -0.5);
  const [t0, t1] = [1.5, 0.2];
  const exact = oracle.flowMap(start, t0, t1);
  const error = (method: PfOdeMethod, steps: number): number =>
    maxDifference(solvePfOde(num, velocity, start, uniformSchedule(steps, t0, t1), { method, end: t1 }), exact);

  test.each([
    ["euler", 1],
    ["ddim", 1],
    ["heun", 2],
    ["dpm-solver-2", 2],
    ["dpm-solver-2m", 2],
  ] as const)("%s has order %i (error ratio 2^order when steps double)", (method, order) => {
    const ratio = error(method, 40) / error(method, 80);
    expect(Math.log2(ratio)).toBeGreaterThan(order - 0.25);
    expect(Math.log2(ratio)).toBeLessThan(order + 0.25);
  });

  test("second-order methods beat first-order ones by over an order of magnitude at 80 steps", () => {
    expect(error("heun", 80)).toBeLessThan(error("euler", 80) / 10);
    expect(error("dpm-solver-2", 80)).toBeLessThan(error("ddim", 80) / 10);
    expect(error("dpm-solver-2m", 80)).toBeLessThan(error("ddim", 80) / 10);
  });
});

describe("bookkeeping and genericity", () => {
  test("evaluation counts: 18 EDM steps of DPM-Solver-2 cost 35 NFE (docs/guide/math.md#pf-ode-solvers-and-step-schedules), and onStep sees each step", () => {
    for (const method of ["euler", "ddim", "heun", "dpm-solver-2", "dpm-solver-2m"] as const) {
      let calls = 0;
      const steps: number[] = [];
      const schedule = edmSchedule(18);
      solvePfOde(floatingNumber, (x, t) => (calls++, -x * Math.sin(t)), 1, schedule, { method, onStep: (i) => steps.push(i) });
      expect(calls).toBe(pfOdeEvaluations(method, schedule.length));
      expect(steps).toEqual(Array.from({ length: 18 }, (_, i) => i));
    }
    expect(pfOdeEvaluations("dpm-solver-2", 19)).toBe(35);
    expect(pfOdeEvaluations("dpm-solver-2m", 36)).toBe(35);
  });

  test("the same solver gives the same numbers on plain numbers as on length-1 vectors", () => {
    const oracle = gaussianOracle({ mean: [0.7], covariance: { kind: "isotropic", variance: 0.05 }, sigmaData });
    const schedule = edmSchedule(10);
    for (const method of ["euler", "ddim", "heun", "dpm-solver-2", "dpm-solver-2m"] as const) {
      const scalar = solvePfOde(floatingNumber, (x, t) => oracle.velocity([x], t)[0]!, 0.4, schedule, { method });
      const vectorResult = solvePfOde(num, (x, t) => oracle.velocity(x, t), Float64Array.of(0.4), schedule, { method });
      expect(vectorResult[0]).toBe(scalar);
    }
  });

  test("bad schedules and methods are rejected with a ScheduleError naming the problem", () => {
    const velocity = (x: number): number => -x;
    expect(() => solvePfOde(floatingNumber, velocity, 1, [1, 1.2, 0], { method: "euler" })).toThrow(/solvePfOde\(euler\): entry 1 \(1.2\) is not below entry 0/);
    expect(() => solvePfOde(floatingNumber, velocity, 1, [1.5, 0.5])).toThrow(/ends at 0.5 but must end at 0/);
    expect(() => solvePfOde(floatingNumber, velocity, 1, [Math.PI / 2, 0])).toThrow(/solvePfOde\(dpm-solver-2\): starts at 1.57\d+ but must start below/);
    expect(() => solvePfOde(floatingNumber, velocity, 1, [Math.PI / 2, 0], { method: "dpm-solver-2m" })).toThrow(/solvePfOde\(dpm-solver-2m\): starts at 1.57\d+ but must start below/);
    expect(() => solvePfOde(floatingNumber, velocity, 1, [Math.PI / 2, 0], { method: "heun" })).not.toThrow();
    expect(() => solvePfOde(floatingNumber, velocity, 1, [1, 0], { method: "rk4" as PfOdeMethod })).toThrow(ScheduleError);
    expect(() => solvePfOde(floatingNumber, velocity, 1, [1, 0], { method: "rk4" as PfOdeMethod })).toThrow(/unknown method "rk4"; use one of euler, ddim, heun, dpm-solver-2/);
  });
});
