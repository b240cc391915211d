// Converters (docs/guide/math.md, "Teachers in other parameterisations"; T9 of "What the oracles check"): each
// teacher parameterisation, fed a per-sample (x0, ε), lands on the TrigFlow state and target exactly; every map
// round-trips to 1e−12 in float64, including t near 0 and near π/2.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  edmCNoiseFromTime,
  edmFFromF,
  edmSigmaFromTime,
  edmStateFromXt,
  FFromEdm,
  FFromFlow,
  FFromVPrediction,
  flowStateFromXt,
  flowTimeFromTime,
  flowVelocityFromF,
  timeFromEdmSigma,
  timeFromFlow,
  timeFromVPrediction,
  vPredictionFromF,
  vPredictionStateFromXt,
  vPredictionTimeFromTime,
  xtFromEdm,
  xtFromFlow,
  xtFromVPrediction,
} from "./converters.js";
import { floatingNumber as num } from "./floating.js";
import { FFromX0Z, xt } from "./trigflow.js";

const value = fc.double({ min: -10, max: 10, noNaN: true });
const sigmaData = fc.oneof(fc.constant(0.5), fc.constant(1), fc.double({ min: 0.05, max: 4, noNaN: true }));
const exponent = fc.double({ min: -12, max: -2, noNaN: true });
/** Times in (0, π/2): anywhere, within 1e−12…1e−2 of 0, or within 1e−12…1e−2 of π/2. */
const time = fc.oneof(
  fc.double({ min: 1e-3, max: Math.PI / 2 - 1e-3, noNaN: true }),
  exponent.map((e) => 10 ** e),
  exponent.map((e) => Math.PI / 2 - 10 ** e),
);
const options = { seed: 42, numRuns: 300 };

/** |a − b| ≤ tol·(1 + |b|). */
function expectNear(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * (1 + Math.abs(b)));
}

describe("EDM / EDM2", () => {
  test("x_σ = x0 + σε maps to x_t = cos t·x0 + sin t·σ_d ε, and F = −F_EDM is the TrigFlow target", () => {
    fc.assert(
      fc.property(value, value, fc.double({ min: 1e-3, max: Math.PI / 2 - 1e-3, noNaN: true }), sigmaData, (x0, eps, t, sd) => {
        const sigma = edmSigmaFromTime(num, t, sd);
        const xSigma = x0 + sigma * eps;
        expectNear(xtFromEdm(num, xSigma, t), xt(num, x0, sd * eps, t), 1e-12);
        // EDM preconditioning: D = c_skip x_σ + c_out F_EDM, c_skip = σ_d²/(σ² + σ_d²), c_out = σσ_d/√(σ² + σ_d²).
        const cSkipEdm = (sd * sd) / (sigma * sigma + sd * sd);
        const cOutEdm = (sigma * sd) / Math.sqrt(sigma * sigma + sd * sd);
        const FEdmTarget = (x0 - cSkipEdm * xSigma) / cOutEdm;
        const scale = 1 + Math.abs(x0) / (sd * Math.sin(t)) + Math.abs(eps);
        expect(Math.abs(FFromEdm(num, FEdmTarget) - FFromX0Z(num, x0, sd * eps, t, sd))).toBeLessThan(1e-12 * scale);
        expect(edmCNoiseFromTime(num, t, sd)).toBeCloseTo(0.25 * Math.log(sigma), 12);
      }),
      options,
    );
  });

  test("t → σ → t, x_t → x_σ → x_t and F → F_EDM → F round-trip to 1e−12", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x, F, t, sd) => {
        expectNear(timeFromEdmSigma(num, edmSigmaFromTime(num, t, sd), sd), t, 1e-15);
        expectNear(xtFromEdm(num, edmStateFromXt(num, x, t), t), x, 1e-12);
        expect(FFromEdm(num, edmFFromF(num, F))).toBe(F);
      }),
      options,
    );
  });

  test("σ → t → σ round-trips to 1e−12 for σ/σ_d ≤ 1e3 (beyond, t ≈ π/2 cannot resolve σ in float64)", () => {
    fc.assert(
      fc.property(fc.double({ min: -9, max: 3, noNaN: true }), sigmaData, (e, sd) => {
        const sigma = sd * 10 ** e;
        expectNear(edmSigmaFromTime(num, timeFromEdmSigma(num, sigma, sd), sd) / sigma, 1, 1e-12);
      }),
      options,
    );
  });
});

describe("flow matching / rectified flow", () => {
  test("x_s = (1−s)x0 + sε and v = ε − x0 map onto the TrigFlow state and target", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x0, eps, t, sd) => {
        const s = flowTimeFromTime(num, t, sd);
        const xS = (1 - s) * x0 + s * eps;
        const v = eps - x0;
        expectNear(xtFromFlow(num, xS, s, sd), xt(num, x0, sd * eps, t), 1e-12);
        expectNear(FFromFlow(num, v, xS, s, sd), FFromX0Z(num, x0, sd * eps, t, sd), 1e-12 * (1 + 1 / sd));
      }),
      options,
    );
  });

  test("at σ_d = 1: s = sin t/(sin t + cos t) and F = [(1−2s)x_s + (1−2s+2s²)v]/√(s² + (1−s)²) (SANA / rCM form)", () => {
    fc.assert(
      fc.property(value, value, time, (xS, v, t) => {
        const s = flowTimeFromTime(num, t, 1);
        expectNear(s, Math.sin(t) / (Math.sin(t) + Math.cos(t)), 1e-15);
        const sana = ((1 - 2 * s) * xS + (1 - 2 * s + 2 * s * s) * v) / Math.sqrt(s * s + (1 - s) ** 2);
        expectNear(FFromFlow(num, v, xS, s, 1), sana, 1e-13);
      }),
      options,
    );
  });

  test("t → s → t, x_t → x_s → x_t and F → v → F round-trip to 1e−12; s → t → s too", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x, F, t, sd) => {
        const s = flowTimeFromTime(num, t, sd);
        expectNear(timeFromFlow(num, s, sd), t, 1e-12);
        expectNear(flowTimeFromTime(num, timeFromFlow(num, s, sd), sd), s, 1e-15);
        const xS = flowStateFromXt(num, x, s, sd);
        expectNear(xtFromFlow(num, xS, s, sd), x, 1e-12);
        expectNear(FFromFlow(num, flowVelocityFromF(num, F, xS, s, sd), xS, s, sd), F, 1e-12 * (1 + 1 / sd));
      }),
      options,
    );
  });
});

describe("v-prediction", () => {
  test("x' = αx0 + σε and v = αε − σx0 map onto the TrigFlow state and target", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x0, eps, t, sd) => {
        const { alpha, sigma } = vPredictionTimeFromTime(num, t, sd);
        expectNear(alpha * alpha + sigma * sigma, 1, 1e-15);
        const xPrime = alpha * x0 + sigma * eps;
        const v = alpha * eps - sigma * x0;
        expectNear(xtFromVPrediction(num, xPrime, alpha, sigma, sd), xt(num, x0, sd * eps, t), 1e-12);
        expectNear(FFromVPrediction(num, v, xPrime, alpha, sigma, sd), FFromX0Z(num, x0, sd * eps, t, sd), 1e-12 * (1 + 1 / sd));
      }),
      options,
    );
  });

  test("at σ_d = 1 TrigFlow is v-prediction: t = arctan(σ/α), F = v, x_t = x'", () => {
    fc.assert(
      fc.property(value, value, time, (xPrime, v, t) => {
        const { alpha, sigma } = vPredictionTimeFromTime(num, t, 1);
        expectNear(alpha, Math.cos(t), 1e-15);
        expectNear(FFromVPrediction(num, v, xPrime, alpha, sigma, 1), v, 1e-15);
        expectNear(xtFromVPrediction(num, xPrime, alpha, sigma, 1), xPrime, 1e-15);
      }),
      options,
    );
  });

  test("t → (α, σ) → t, x_t → x' → x_t and F → v → F round-trip to 1e−12; (α, σ) → t → (α, σ) too", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x, F, t, sd) => {
        const { alpha, sigma } = vPredictionTimeFromTime(num, t, sd);
        expectNear(timeFromVPrediction(num, alpha, sigma, sd), t, 1e-12);
        const back = vPredictionTimeFromTime(num, timeFromVPrediction(num, alpha, sigma, sd), sd);
        expectNear(back.alpha, alpha, 1e-15);
        expectNear(back.sigma, sigma, 1e-15);
        const xPrime = vPredictionStateFromXt(num, x, alpha, sigma, sd);
        expectNear(xtFromVPrediction(num, xPrime, alpha, sigma, sd), x, 1e-12);
        const v = vPredictionFromF(num, F, xPrime, alpha, sigma, sd);
        expectNear(FFromVPrediction(num, v, xPrime, alpha, sigma, sd), F, 1e-12 * (1 + 1 / sd));
      }),
      options,
    );
  });
});
