// The tensor instance: the same generic TrigFlow functions give the same numbers on @scm-ts/core tensors as on
// plain numbers (float32 tolerance for the default instance, ~1e−12 for float64), with a per-sample time that
// broadcasts against a batch; and the formulas run under the engine's forward-mode jvp, where the derivative of
// x_t in t is dx_t/dt.
import * as core from "@scm-ts/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FFromFlow, FFromVPrediction, flowTimeFromTime, timeFromEdmSigma, vPredictionTimeFromTime, xtFromEdm, xtFromFlow } from "./converters.js";
import { floatingNumber, type Floating } from "./floating.js";
import { floatingTensor, floatingTensorOf } from "./floating-tensor.js";
import { ddimStep, dpmSolver2Step } from "./pf-ode-solvers.js";
import { logitNormalTime, logNormalTime } from "./time-samplers.js";
import { dxtdt, f, FFromX0, FFromX0Z, snr, x0FromF, xt, zFromF } from "./trigflow.js";

const batch = 4;
const width = 3;

/** Every generic formula under test, as one function of (x0, z, F, t, n) over any carrier. */
function formulas<A>(num: Floating<A>, x0: A, z: A, F: A, t: A, n: A): A[] {
  const x = xt(num, x0, z, t);
  const s = flowTimeFromTime(num, t, 0.5);
  const { alpha, sigma } = vPredictionTimeFromTime(num, t, 0.5);
  const velocity = (y: A): A => num.mul(num.sin(y), num.fromNumber(0.3));
  return [
    x,
    dxtdt(num, x0, z, t),
    f(num, x, t, F, 0.5),
    x0FromF(num, x, t, F, 0.5),
    zFromF(num, x, t, F, 0.5),
    FFromX0Z(num, x0, z, t, 0.5),
    FFromX0(num, x, t, x0, 0.5),
    snr(num, t),
    timeFromEdmSigma(num, num.mul(num.fromNumber(0.5), num.tan(t)), 0.5),
    xtFromEdm(num, x0, t),
    xtFromFlow(num, x0, s, 0.5),
    FFromFlow(num, z, x0, s, 0.5),
    FFromVPrediction(num, z, x0, alpha, sigma, 0.5),
    logNormalTime(num, n, -0.8, 1.6, 0.5),
    logitNormalTime(num, n, 0.2, 1.1),
    ddimStep(num, velocity, x, 1.2, 0.7),
    dpmSolver2Step(num, velocity, x, 1.2, 0.7),
  ];
}

const entries = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: batch * width, maxLength: batch * width });
const times = fc.array(fc.double({ min: 0.05, max: 1.5, noNaN: true }), { minLength: batch, maxLength: batch });

async function compare(dtype: "float32" | "float64", x0: number[], z: number[], F: number[], t: number[], tolerance: number): Promise<void> {
  const num = dtype === "float32" ? floatingTensor : floatingTensorOf("float64");
  const tensor = (values: number[], shape: number[]): core.Tensor => core.array(values, shape, { dtype });
  const n = t.map((value) => value - 0.8);
  const outputs = formulas(num, tensor(x0, [batch, width]), tensor(z, [batch, width]), tensor(F, [batch, width]), tensor(t, [batch, 1]), tensor(n, [batch, 1]));
  for (const [k, output] of outputs.entries()) {
    const data = await output.data();
    const [rows, cols] = [batch, output.shape[1] ?? 1];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const at = (values: number[]): number => (values.length === batch ? values[i]! : values[i * width + j]!);
        const expected = formulas(floatingNumber, at(x0), at(z), at(F), t[i]!, n[i]!)[k]!;
        const actual = data[i * cols + j]!;
        expect(Math.abs(actual - expected), `formula ${k} at [${i}, ${j}]: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance * (1 + Math.abs(expected)));
      }
    }
  }
}

describe("floatingTensor", () => {
  test("every generic formula gives the numbers of floatingNumber, to float32 precision", async () => {
    await fc.assert(
      fc.asyncProperty(entries, entries, entries, times, (x0, z, F, t) => compare("float32", x0, z, F, t, 2e-5)),
      { seed: 42, numRuns: 25 },
    );
  });

  test("the float64 instance agrees to 1e−12", async () => {
    await fc.assert(
      fc.asyncProperty(entries, entries, entries, times, (x0, z, F, t) => compare("float64", x0, z, F, t, 1e-12)),
      { seed: 42, numRuns: 10 },
    );
  });

  test("under core.jvp, the t-derivative of the generic x_t is the generic dx_t/dt", async () => {
    const num = floatingTensorOf("float64");
    const x0 = core.array([0.3, -1.2, 0.8], [3], { dtype: "float64" });
    const z = core.array([0.5, 0.1, -0.4], [3], { dtype: "float64" });
    const t = core.array([0.2, 0.9, 1.4], [3], { dtype: "float64" });
    const [, tangent] = core.jvp((time: core.Tensor) => xt(num, x0, z, time), [t], [core.array([1, 1, 1], [3], { dtype: "float64" })]);
    const expected = await dxtdt(num, x0, z, t).data();
    const actual = await tangent.data();
    actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-14));
  });

  test("a non-floating dtype is rejected", () => {
    expect(() => floatingTensorOf("int32")).toThrow(/needs a floating dtype \(float32 or float64\), got int32/);
  });
});
