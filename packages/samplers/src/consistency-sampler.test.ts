// Consistency sampling against the exact oracles (docs/guide/math.md, "What the oracles check" T12): with the
// exact consistency network F_cm of a Gaussian as the "network", 1 step reproduces the exact flow map f*(z,
// t_max) and, from π/2, the exact data distribution; 2-step (t_mid = 1.1) and k-step lists with the exact f*
// give the data's moments; a mixture's F_cm reproduces its (ODE-integrated) flow map; the samplers trace under
// jit; the key, noise and time-layout options behave as documented; and bad t-lists and mismatched networks are
// refused clearly.
import type { RawNetwork } from "@scm-ts/core";
import { add, array, cos, div, jit, mul, random, sin, sqrt, square, sub, type Tensor } from "@scm-ts/core";
import { gaussianMixtureOracle, gaussianOracle, ScheduleError, tMax } from "@scm-ts/trigflow";
import { describe, expect, test } from "vitest";
import { consistencyFunction, sampleConsistency, sampleOneStep, sampleTwoStep } from "./consistency-sampler.js";
import { oneStepTimes, rcmFourStepTimes, twoStepTimes, validateConsistencyTimes } from "./consistency-times.js";
import { oracleNetwork } from "./oracle-network.js";
import { samplePrior } from "./prior.js";
import { moments } from "./test-fixtures/moments.js";

const sigmaData = 0.5;
// An anisotropic Gaussian in R² with a full covariance (eigenvalues ≈ 0.03 and 0.13, not ≪ σ_d²).
const data = { mean: [0.3, -0.2], covariance: { kind: "full" as const, matrix: [[0.09, 0.04], [0.04, 0.07]] }, sigmaData };
const oracle = gaussianOracle(data);
const exactF = oracleNetwork(oracle, "consistency");

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function expectDataMoments(values: ArrayLike<number>, tolerance: { mean: number; covariance: number }): void {
  const { mean, covariance } = moments(values, 2);
  expect(maxDifference(mean, data.mean)).toBeLessThan(tolerance.mean);
  expect(maxDifference(covariance, data.covariance.matrix.flat())).toBeLessThan(tolerance.covariance);
}

describe("1-step", () => {
  test("with the exact F_cm reproduces the exact flow map f*(z, t_max), z = samplePrior(split(key, 1)[0])", async () => {
    const key = random.key(1);
    const x = sampleOneStep(exactF, { key, shape: [256, 2], sigmaData, dtype: "float64" });
    const z = await samplePrior(random.split(key, 1)[0]!, [256, 2], sigmaData, "float64").data();
    const expected = oracle.flowMapBatch(z, tMax(sigmaData), 0);
    expect(maxDifference(await x.data(), expected)).toBeLessThan(1e-12);
    expect(tMax(sigmaData)).toBeCloseTo(1.56455, 5);
  });

  test("from π/2 gives exactly p0 (moments within Monte-Carlo error); from t_max it is close", async () => {
    const n = 20_000;
    const fromHalfPi = sampleOneStep(exactF, { key: random.key(2), shape: [n, 2], sigmaData, start: Math.PI / 2, dtype: "float64" });
    expectDataMoments(await fromHalfPi.data(), { mean: 0.006, covariance: 0.004 });
    const fromTMax = sampleOneStep(exactF, { key: random.key(2), shape: [n, 2], sigmaData, dtype: "float64" });
    expectDataMoments(await fromTMax.data(), { mean: 0.01, covariance: 0.006 });
  });

  test("a mixture's exact F_cm reproduces its ODE-integrated flow map", async () => {
    const mixture = gaussianMixtureOracle({
      components: [
        { weight: 1, mean: [-0.5, 0.1], covariance: { kind: "isotropic", variance: 0.04 } },
        { weight: 2, mean: [0.4, -0.2], covariance: { kind: "isotropic", variance: 0.0625 } },
      ],
      sigmaData,
    });
    const key = random.key(3);
    const x = sampleOneStep(oracleNetwork(mixture, "consistency"), { key, shape: [32, 2], sigmaData, dtype: "float64" });
    const z = await samplePrior(random.split(key, 1)[0]!, [32, 2], sigmaData, "float64").data();
    expect(maxDifference(await x.data(), mixture.flowMapBatch(z, tMax(sigmaData), 0))).toBeLessThan(1e-9);
  });
});

describe("multistep", () => {
  test("2-step with t_mid = 1.1 and the exact f* gives p0's moments", async () => {
    const x = sampleTwoStep(exactF, { key: random.key(4), shape: [20_000, 2], sigmaData, dtype: "float64" });
    expectDataMoments(await x.data(), { mean: 0.006, covariance: 0.004 });
    expect(twoStepTimes()).toEqual([tMax(0.5), 1.1]);
  });

  test("k-step along rCM's [t_max, 1.3, 1.0, 0.6] and along [π/2, 1.2, 0.5, 0] gives p0's moments", async () => {
    for (const times of [rcmFourStepTimes(), [Math.PI / 2, 1.2, 0.5, 0]]) {
      const x = sampleConsistency(exactF, times, { key: random.key(5), shape: [20_000, 2], sigmaData, dtype: "float64" });
      expectDataMoments(await x.data(), { mean: 0.006, covariance: 0.004 });
    }
  });

  test("each step draws fresh noise from split(key, k): the last step's renoising decides the sample", async () => {
    // With F_cm = F* for a point mass, f*(x, t) = μ whatever x is, so every step returns μ exactly.
    const pointMass = gaussianOracle({ mean: [0.25, -0.75], covariance: { kind: "isotropic", variance: 0 }, sigmaData });
    const x = sampleConsistency(oracleNetwork(pointMass, "consistency"), [1.5, 1.0, 0.3], { key: random.key(6), shape: [8, 2], sigmaData, dtype: "float64" });
    expect(maxDifference(await x.data(), Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 0.25 : -0.75)))).toBeLessThan(1e-12);
    // A network that ignores its input (F = 0) makes f(x, t) = cos t·x: the result is cos τ_k·(cos τ_k renoise mix).
    const zero: RawNetwork = (u) => mul(u, 0);
    const key = random.key(7);
    const out = await sampleConsistency(zero, [1.2, 0.7], { key, shape: [4, 2], sigmaData }).data();
    const keys = random.split(key, 2);
    const z0 = await samplePrior(keys[0]!, [4, 2], sigmaData).data();
    const z1 = await samplePrior(keys[1]!, [4, 2], sigmaData).data();
    const expected = Array.from(z0, (v, i) => Math.cos(0.7) * (Math.cos(0.7) * Math.cos(1.2) * v + Math.sin(0.7) * z1[i]!));
    expect(maxDifference(out, expected)).toBeLessThan(1e-6);
  });
});

// The closed-form F_cm of N(0, s² I) written with engine ops (traceable): f* = s·x/√(s² cos²t + σ_d² sin²t).
function isotropicConsistencyF(s: number): RawNetwork {
  return (u: Tensor, tIn: Tensor) => {
    const t = tIn.ndim === 1 ? tIn.reshape([tIn.shape[0]!, ...u.shape.slice(1).map(() => 1)]) : tIn;
    const x = mul(u, sigmaData);
    const a = sqrt(add(mul(square(cos(t)), s * s), mul(square(sin(t)), sigmaData * sigmaData)));
    const fStar = div(mul(x, s), a);
    return div(sub(mul(cos(t), x), fStar), mul(sin(t), sigmaData));
  };
}

describe("options", () => {
  test("1-step and 2-step trace under jit and equal the eager result", async () => {
    const F = isotropicConsistencyF(0.4);
    const key = random.key(8);
    for (const sampler of [sampleOneStep, sampleTwoStep]) {
      const eager = await sampler(F, { key, shape: [64, 2], sigmaData }).data();
      const jitted = jit((k: Tensor) => sampler(F, { key: k, shape: [64, 2], sigmaData }));
      expect(maxDifference(await jitted(key).data(), eager)).toBeLessThan(1e-6);
    }
  });

  test("explicit noise replaces the draw; t is [B] by default and [B, 1, …] with the broadcast layout", async () => {
    const noise = array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]);
    let seen: readonly number[] = [];
    const F: RawNetwork = (u, t) => {
      seen = t.shape;
      return isotropicConsistencyF(0.4)(u, t.reshape([t.shape[0]!, ...u.shape.slice(1).map(() => 1)]));
    };
    const out = sampleOneStep(F, { key: random.key(0), shape: [3, 2], noise, sigmaData, start: Math.PI / 2 });
    expect(seen).toEqual([3]);
    // From π/2, f*(z, π/2) = s·z/σ_d.
    expect(maxDifference(await out.data(), (await noise.data()).map((v) => (0.4 * v) / sigmaData))).toBeLessThan(1e-6);
    sampleOneStep(isotropicConsistencyF(0.4), { key: random.key(0), shape: [3, 1, 2, 2], sigmaData });
    sampleOneStep((u, t) => ((seen = t.shape), u), { key: random.key(0), shape: [3, 1, 2, 2], sigmaData, timeLayout: "broadcast" });
    expect(seen).toEqual([3, 1, 1, 1]);
  });

  test("consistencyFunction satisfies the boundary condition f(x, 0) = x for any network", async () => {
    const x = array([[1, 2], [3, 4]]);
    const out = consistencyFunction((u) => add(mul(u, 7), 3), x, 0, sigmaData);
    expect(Array.from(await out.data())).toEqual([1, 2, 3, 4]);
  });
});

describe("bad input", () => {
  test("t-lists that are empty, not decreasing, outside [0, π/2] or not finite are refused", () => {
    const run = (times: number[]) => () => sampleConsistency(exactF, times, { key: random.key(0), shape: [2, 2] });
    expect(run([])).toThrow(ScheduleError);
    expect(run([])).toThrow(/the t-list is empty/);
    expect(run([1.1, 1.3])).toThrow(/t-list entry 1 \(1.3\) is not below entry 0 \(1.1\); the t-list must strictly decrease/);
    expect(run([1.1, 1.1])).toThrow(/entry 1 \(1.1\) is not below entry 0/);
    expect(run([1.6, 1.0])).toThrow(/t-list entry 0 is 1.6, outside the TrigFlow interval \[0, π\/2/);
    expect(run([1.0, -0.1])).toThrow(/entry 1 is -0.1, outside/);
    expect(run([Number.NaN])).toThrow(/entry 0 is NaN; every time must be a finite number/);
    expect(run([0])).toThrow(/starts at 0/);
    expect(validateConsistencyTimes([1.5, 0.5, 0])).toEqual([1.5, 0.5, 0]);
    expect(oneStepTimes()).toEqual([tMax(0.5)]);
  });

  test("a network of the wrong shape or dtype, wrong noise, bad σ_d or shape are refused with the shapes", () => {
    const opts = { key: random.key(0), shape: [4, 2] } as const;
    expect(() => sampleOneStep((u) => u.reshape([8]), opts)).toThrow(/the network returned shape \[8\] for an input of shape \[4, 2\] at t = 1.5645/);
    expect(() => sampleOneStep((u) => u, { ...opts, dtype: "float64" })).not.toThrow();
    expect(() => sampleOneStep((u) => u.astype("float64"), opts)).toThrow(/returned float64 for a float32 input/);
    expect(() => sampleOneStep((u) => u, { ...opts, noise: array([1, 2]) })).toThrow(/noise is float32 \[2\] but the requested samples are float32 \[4, 2\]/);
    expect(() => sampleOneStep((u) => u, { ...opts, sigmaData: 0 })).toThrow(/sigmaData must be positive and finite, got 0/);
    expect(() => sampleOneStep((u) => u, { ...opts, shape: [0, 2] })).toThrow(/shape \[0, 2\] must be a batch shape/);
    expect(() => oracleNetwork(oracle, "consistency")(array([[1, 2, 3]]), array([1]))).toThrow(/does not hold rows of the oracle's dimension 2/);
  });
});

describe("explicit renoising draws", () => {
  test("renoise equal to the key's own draws gives the same samples; any other renoise changes them; a wrong count is refused", async () => {
    const key = random.key(7);
    const shape = [64, 2];
    const times = [tMax(sigmaData), 1.1, 0.6];
    const keys = random.split(key, 3);
    const drawn = [1, 2].map((i) => samplePrior(keys[i]!, shape, sigmaData, "float64"));
    const base = await sampleConsistency(exactF, times, { key, shape, sigmaData, dtype: "float64" }).data();
    const given = await sampleConsistency(exactF, times, { key, shape, sigmaData, dtype: "float64", renoise: drawn }).data();
    expect(maxDifference(given, base)).toBe(0);
    const other = await sampleConsistency(exactF, times, { key, shape, sigmaData, dtype: "float64", renoise: [drawn[1]!, drawn[0]!] }).data();
    expect(maxDifference(other, base)).toBeGreaterThan(1e-3);
    expect(() => sampleConsistency(exactF, times, { key, shape, sigmaData, dtype: "float64", renoise: [drawn[0]!] })).toThrow(/3 steps need 2 renoising draws, got 1/);
    expect(() => sampleConsistency(exactF, times, { key, shape, sigmaData, dtype: "float64", renoise: [drawn[0]!, samplePrior(key, [3, 2], sigmaData, "float64")] })).toThrow(/noise is float64 \[3, 2\] but the requested samples are float64 \[64, 2\]/);
  });
});
