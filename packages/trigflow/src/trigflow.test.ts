// TrigFlow identities on plain numbers (docs/guide/math.md, "One network, four predictions"): boundary
// conditions, the analytic time derivative against finite differences, the rotation between (x_t, σ_d F) and
// (x0, z) and its inverses near both ends of [0, π/2], and the equivalent velocity forms.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { floatingNumber as num } from "./floating.js";
import { floatingVector } from "./floating-vector.js";
import {
  cNoise,
  cOut,
  cSkip,
  dxtdt,
  f,
  FFromVelocity,
  FFromX0,
  FFromX0Z,
  FFromZ,
  scoreFromX0,
  snr,
  tMax,
  velocityFromF,
  x0FromF,
  xt,
  zFromF,
} from "./trigflow.js";

const value = fc.double({ min: -10, max: 10, noNaN: true });
const sigmaData = fc.double({ min: 0.05, max: 4, noNaN: true });
const exponent = fc.double({ min: -12, max: -2, noNaN: true });
const time = fc.oneof(
  fc.double({ min: 0, max: Math.PI / 2, noNaN: true }),
  exponent.map((e) => 10 ** e),
  exponent.map((e) => Math.PI / 2 - 10 ** e),
);
const interiorTime = fc.double({ min: 0.05, max: Math.PI / 2 - 0.05, noNaN: true });
const options = { seed: 42, numRuns: 200 };

/** |a − b| ≤ tol·(1 + |b|): relative for large values, absolute near zero. */
function expectNear(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * (1 + Math.abs(b)));
}

describe("boundary conditions", () => {
  test("f(x, 0) = x exactly, for any raw network output F", () => {
    fc.assert(
      fc.property(value, fc.double({ min: -1e6, max: 1e6, noNaN: true }), sigmaData, (x, F, sd) => {
        expect(f(num, x, 0, F, sd)).toBe(x);
      }),
      options,
    );
  });

  test("t = π/2 is pure noise: x_{π/2} = z and f(z, π/2) = −σ_d F", () => {
    fc.assert(
      fc.property(value, value, value, sigmaData, (x0, z, F, sd) => {
        expectNear(xt(num, x0, z, Math.PI / 2), z, 1e-15);
        expectNear(f(num, z, Math.PI / 2, F, sd), -sd * F, 1e-15);
      }),
      options,
    );
  });

  test("c_skip, c_out and c_noise take their boundary values", () => {
    expect(cSkip(num, 0)).toBe(1);
    expect(cOut(num, 0, 0.5)).toBe(-0);
    expectNear(cSkip(num, Math.PI / 2), 0, 1e-16);
    expect(cOut(num, Math.PI / 2, 0.5)).toBe(-0.5);
    expect(cNoise(num, 0.7)).toBe(0.7);
    expectNear(snr(num, Math.PI / 4), 1, 1e-15);
  });

  test("t_max = arctan(80/σ_d) = 1.56455 for σ_d = 0.5 (docs/guide/math.md#multistep-consistency-sampling)", () => {
    expect(tMax()).toBeCloseTo(1.56455, 5);
    expect(Math.cos(tMax())).toBeCloseTo(0.00625, 5);
  });
});

describe("time derivative", () => {
  test("dx_t/dt matches a central finite difference of x_t", () => {
    fc.assert(
      fc.property(value, value, fc.double({ min: 1e-3, max: Math.PI / 2 - 1e-3, noNaN: true }), (x0, z, t) => {
        const h = 1e-5;
        const difference = (xt(num, x0, z, t + h) - xt(num, x0, z, t - h)) / (2 * h);
        expect(Math.abs(difference - dxtdt(num, x0, z, t))).toBeLessThan(1e-8 * (1 + Math.abs(x0) + Math.abs(z)));
      }),
      options,
    );
  });

  test("the velocity rotates (x0, z) by a quarter turn: x_t² + v_t² = x0² + z² ", () => {
    fc.assert(
      fc.property(value, value, time, (x0, z, t) => {
        const x = xt(num, x0, z, t);
        const v = dxtdt(num, x0, z, t);
        expectNear(x * x + v * v, x0 * x0 + z * z, 1e-13);
      }),
      options,
    );
  });
});

describe("recovering x0 and z from (x_t, F) and back", () => {
  test("F from (x0, z) returns x0 and z through x0FromF and zFromF, near t = 0 and t = π/2 too", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x0, z, t, sd) => {
        const x = xt(num, x0, z, t);
        const F = FFromX0Z(num, x0, z, t, sd);
        expectNear(x0FromF(num, x, t, F, sd), x0, 1e-12);
        expectNear(zFromF(num, x, t, F, sd), z, 1e-12);
      }),
      options,
    );
  });

  test("(x_t, F) → (x̂0, ẑ) → (x_t, F) round-trips to 1e-12", () => {
    fc.assert(
      fc.property(value, value, time, sigmaData, (x, F, t, sd) => {
        const x0 = x0FromF(num, x, t, F, sd);
        const z = zFromF(num, x, t, F, sd);
        expectNear(xt(num, x0, z, t), x, 1e-12);
        expectNear(FFromX0Z(num, x0, z, t, sd), F, 1e-12 / sd);
      }),
      options,
    );
  });

  test("F from an x0-prediction (t > 0) and from a noise prediction (t < π/2) invert the rotation", () => {
    fc.assert(
      fc.property(value, value, interiorTime, sigmaData, (x, F, t, sd) => {
        expectNear(FFromX0(num, x, t, x0FromF(num, x, t, F, sd), sd), F, 1e-12 / (sd * Math.sin(t)));
        expectNear(FFromZ(num, x, t, zFromF(num, x, t, F, sd), sd), F, 1e-12 / (sd * Math.cos(t)));
        expectNear(FFromVelocity(num, velocityFromF(num, F, sd), sd), F, 1e-15);
      }),
      options,
    );
  });

  test("the PF-ODE forms agree: (cos t·x − D)/sin t = cos t·Ẑ − sin t·D = −tan t·(x + σ_d²∇log p) (docs/guide/math.md#the-pf-ode-and-the-score)", () => {
    fc.assert(
      fc.property(value, value, interiorTime, sigmaData, (x, F, t, sd) => {
        const D = x0FromF(num, x, t, F, sd);
        const Z = zFromF(num, x, t, F, sd);
        const v = velocityFromF(num, F, sd);
        const scale = 1 + Math.abs(x) + Math.abs(v);
        expect(Math.abs((Math.cos(t) * x - D) / Math.sin(t) - v)).toBeLessThan(1e-12 * scale / Math.sin(t));
        expect(Math.abs(Math.cos(t) * Z - Math.sin(t) * D - v)).toBeLessThan(1e-12 * scale);
        const score = scoreFromX0(num, x, t, D, sd);
        expect(Math.abs(-Math.tan(t) * (x + sd * sd * score) - v)).toBeLessThan(1e-11 * scale / (Math.sin(t) * Math.cos(t)));
      }),
      options,
    );
  });

  test("the generic formulas give the same numbers on Float64Array with a broadcast time", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 6 }), time, sigmaData, (pairs, t, sd) => {
        const x = Float64Array.from(pairs, ([a]) => a);
        const F = Float64Array.from(pairs, ([, b]) => b);
        const tv = Float64Array.of(t);
        const out = f(floatingVector, x, tv, F, sd);
        pairs.forEach(([a, b], i) => expect(out[i]).toBe(f(num, a, t, b, sd)));
      }),
      options,
    );
  });
});
