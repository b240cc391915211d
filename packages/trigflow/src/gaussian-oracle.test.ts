// The closed-form single-Gaussian oracle (docs/guide/math.md, "The exact flow and consistency function") on
// random anisotropic Gaussians: boundary values of f*, f* constant along exact trajectories, the flow's
// semigroup law, the flow's time derivative equal to the velocity, the closed-form flow equal to a
// high-accuracy ODE integration, denoiser and score against an independent Cholesky computation, F_cm against
// its defining quotient and the special case μ = 0, Σ = σ_d² I.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { integrateDopri5 } from "./adaptive-ode.js";
import type { Covariance } from "@scm-ts/core";
import { gaussianOracle } from "./gaussian-oracle.js";
import { cholesky, choleskySolve, matMul, matVec, symmetricMatrixFunction, transpose, type Matrix } from "./linalg.js";

const options = { seed: 42, numRuns: 100 };
const sigmaData = 0.5;

/** A random Gaussian in R^d (d = 1…4): mean in [−1.5, 1.5]^d, covariance B·Bᵀ/d + c·I. */
const gaussian = fc.integer({ min: 1, max: 4 }).chain((d) =>
  fc.record({
    mean: fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: d, maxLength: d }),
    b: fc.array(fc.double({ min: -0.6, max: 0.6, noNaN: true }), { minLength: d * d, maxLength: d * d }),
    c: fc.double({ min: 0.02, max: 0.3, noNaN: true }),
    x: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }),
  }).map(({ mean, b, c, x }) => {
    const bm: Matrix = { rows: d, cols: d, data: Float64Array.from(b) };
    const sigma = matMul(bm, transpose(bm));
    const rows = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => sigma.data[i * d + j]! / d + (i === j ? c : 0)));
    return { mean, covariance: { kind: "full", matrix: rows } as Covariance, x };
  }),
);
const time = fc.double({ min: 0.02, max: Math.PI / 2, noNaN: true });

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("consistency function f*", () => {
  test("f*(x, 0) = x and f*(z, π/2) = μ + Σ^{1/2} z/σ_d", () => {
    fc.assert(
      fc.property(gaussian, ({ mean, covariance, x }) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        expect(maxDifference(oracle.f(x, 0), x)).toBeLessThan(1e-14);
        const root = symmetricMatrixFunction(oracle.covariance(), Math.sqrt);
        const expected = matVec(root, x).map((v, i) => mean[i]! + v / sigmaData);
        expect(maxDifference(oracle.f(x, Math.PI / 2), expected)).toBeLessThan(1e-12);
      }),
      options,
    );
  });

  test("f* is constant along exact trajectories: f*(Φ_{t→t′}(x), t′) = f*(x, t)", () => {
    fc.assert(
      fc.property(gaussian, time, time, ({ mean, covariance, x }, t, tPrime) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const moved = oracle.flowMap(x, t, tPrime);
        expect(maxDifference(oracle.f(moved, tPrime), oracle.f(x, t))).toBeLessThan(1e-12);
      }),
      options,
    );
  });

  test("the flow composes: Φ_{t2→t3}∘Φ_{t1→t2} = Φ_{t1→t3}, also in a batch", () => {
    fc.assert(
      fc.property(gaussian, time, time, time, ({ mean, covariance, x }, t1, t2, t3) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const twoSteps = oracle.flowMap(oracle.flowMap(x, t1, t2), t2, t3);
        expect(maxDifference(twoSteps, oracle.flowMap(x, t1, t3))).toBeLessThan(1e-12);
        const batch = oracle.flowMapBatch([...x, ...x.map((v) => -v)], t1, t3);
        expect(maxDifference(batch.subarray(0, x.length), oracle.flowMap(x, t1, t3))).toBe(0);
      }),
      options,
    );
  });
});

describe("flow map against the velocity field", () => {
  test("d/dt Φ_{t0→t}(x) at t = t0 equals the velocity (central difference)", () => {
    fc.assert(
      fc.property(gaussian, fc.double({ min: 0.01, max: Math.PI / 2 - 0.01, noNaN: true }), ({ mean, covariance, x }, t0) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const h = 1e-5;
        const plus = oracle.flowMap(x, t0, t0 + h);
        const minus = oracle.flowMap(x, t0, t0 - h);
        const derivative = plus.map((v, i) => (v - minus[i]!) / (2 * h));
        expect(maxDifference(derivative, oracle.velocity(x, t0))).toBeLessThan(1e-7);
      }),
      options,
    );
  });

  test("the closed-form flow equals Dormand–Prince integration of the velocity to 1e−9", () => {
    fc.assert(
      fc.property(gaussian, time, time, ({ mean, covariance, x }, t, tEnd) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const integrated = integrateDopri5((y, s) => oracle.velocity(y, s), x, t, tEnd, { rtol: 1e-12, atol: 1e-13 }).y;
        expect(maxDifference(integrated, oracle.flowMap(x, t, tEnd))).toBeLessThan(1e-9);
      }),
      { seed: 42, numRuns: 30 },
    );
  });
});

describe("denoiser, score and networks", () => {
  test("score = −S_t⁻¹(x − cos t μ) and D = μ + cos t Σ S_t⁻¹(x − cos t μ), via Cholesky of S_t", () => {
    fc.assert(
      fc.property(gaussian, time, ({ mean, covariance, x }, t) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const sigma = oracle.covariance();
        const d = sigma.rows;
        const sData = sigma.data.map((v, k) => Math.cos(t) ** 2 * v + (k % (d + 1) === 0 ? (sigmaData * Math.sin(t)) ** 2 : 0));
        const e = x.map((v, i) => v - Math.cos(t) * mean[i]!);
        const solved = choleskySolve(cholesky({ rows: d, cols: d, data: sData }), e);
        expect(maxDifference(oracle.score(x, t), solved.map((v) => -v))).toBeLessThan(1e-9);
        const denoised = matVec(sigma, solved).map((v, i) => mean[i]! + Math.cos(t) * v);
        expect(maxDifference(oracle.denoiser(x, t), denoised)).toBeLessThan(1e-10);
      }),
      options,
    );
  });

  test("consistencyF equals (cos t·x − f*)/(σ_d sin t), and is 0 at t = 0", () => {
    fc.assert(
      fc.property(gaussian, fc.double({ min: 0.05, max: Math.PI / 2, noNaN: true }), ({ mean, covariance, x }, t) => {
        const oracle = gaussianOracle({ mean, covariance, sigmaData });
        const u = x.map((v) => v / sigmaData);
        const quotient = oracle.f(x, t).map((v, i) => (Math.cos(t) * x[i]! - v) / (sigmaData * Math.sin(t)));
        expect(maxDifference(oracle.consistencyF(u, t), quotient)).toBeLessThan(1e-11);
        expect(maxDifference(oracle.consistencyF(u, 0), new Float64Array(x.length))).toBe(0);
      }),
      options,
    );
  });

  test("μ = 0, Σ = σ_d² I: the flow is the identity, F* = 0 and F_cm = −tan(t/2)·x/σ_d (docs/guide/math.md#the-exact-flow-and-consistency-function)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 4 }), time, (x, t) => {
        const oracle = gaussianOracle({ mean: x.map(() => 0), covariance: { kind: "isotropic", variance: sigmaData ** 2 }, sigmaData });
        expect(maxDifference(oracle.f(x, t), x)).toBeLessThan(1e-15);
        const u = x.map((v) => v / sigmaData);
        expect(maxDifference(oracle.diffusionF(u, t), new Float64Array(x.length))).toBeLessThan(1e-15);
        expect(maxDifference(oracle.consistencyF(u, t), u.map((v) => -Math.tan(t / 2) * v))).toBeLessThan(1e-14);
      }),
      options,
    );
  });

  test("a point mass at μ: f* = μ for t > 0 and F_cm = F* = (cos t·x − μ)/(σ_d sin t)", () => {
    fc.assert(
      fc.property(gaussian, time, ({ mean, x }, t) => {
        const oracle = gaussianOracle({ mean, covariance: { kind: "isotropic", variance: 0 }, sigmaData });
        expect(maxDifference(oracle.f(x, t), mean)).toBeLessThan(1e-12);
        const u = x.map((v) => v / sigmaData);
        const expected = x.map((v, i) => (Math.cos(t) * v - mean[i]!) / (sigmaData * Math.sin(t)));
        expect(maxDifference(oracle.consistencyF(u, t), expected)).toBeLessThan(1e-10);
        expect(maxDifference(oracle.diffusionF(u, t), expected)).toBeLessThan(1e-10);
      }),
      options,
    );
  });

  test("isotropic, diagonal and full forms of the same covariance give the same oracle", () => {
    const forms: Covariance[] = [
      { kind: "isotropic", variance: 0.09 },
      { kind: "diagonal", variances: [0.09, 0.09] },
      { kind: "full", matrix: [[0.09, 0], [0, 0.09]] },
    ];
    const results = forms.map((covariance) => {
      const oracle = gaussianOracle({ mean: [0.3, -0.2], covariance, sigmaData });
      return [...oracle.f([0.4, 0.1], 0.9), ...oracle.velocity([0.4, 0.1], 0.9), ...oracle.consistencyF([1, 2], 0.5)];
    });
    expect(maxDifference(results[0]!, results[1]!)).toBeLessThan(1e-15);
    expect(maxDifference(results[0]!, results[2]!)).toBeLessThan(1e-15);
  });
});

describe("validation", () => {
  test("bad specs and arguments are rejected with the offending values", () => {
    const ok = { mean: [0, 0], covariance: { kind: "isotropic", variance: 0.1 } as Covariance };
    expect(() => gaussianOracle({ ...ok, sigmaData: 0 })).toThrow(/sigmaData must be positive and finite, got 0/);
    expect(() => gaussianOracle({ mean: [], covariance: ok.covariance })).toThrow(/the mean is empty/);
    expect(() => gaussianOracle({ mean: [0, 0], covariance: { kind: "diagonal", variances: [1] } })).toThrow(/1 diagonal variances for a mean of length 2/);
    expect(() => gaussianOracle({ mean: [0, 0], covariance: { kind: "isotropic", variance: -1 } })).toThrow(/must be ≥ 0 \(a variance\), got -1/);
    expect(() => gaussianOracle({ mean: [0, 0], covariance: { kind: "full", matrix: [[1, 2], [2, 1]] } })).toThrow(/eigenvalue -(1|0\.99+\d*) < 0, so it is not positive semi-definite/);
    expect(() => gaussianOracle({ mean: [0, 0], covariance: { kind: "full", matrix: [[1, 0, 0]] } })).toThrow(/shape \[1, 3\] but the mean has length 2/);
    const oracle = gaussianOracle(ok);
    expect(() => oracle.f([0, 0, 0], 0.5)).toThrow(/point has length 3 but the Gaussian has dimension 2/);
    expect(() => oracle.flowMap([0, 0], 0.5, 2)).toThrow(/time 2 is outside the TrigFlow interval/);
    expect(() => oracle.velocity([0, 0], -0.1)).toThrow(/time -0.1 is outside/);
  });
});
