// Oracles as raw networks: the diffusion kind returns F* = v/σ_d and the consistency kind F_cm, equal to the
// oracle's own closed forms row by row, for a shared time or one time per row, in any time layout; at t = 0
// the consistency kind returns the limit F* (so f(x, 0) = x stays exact); bad inputs are refused.
import { array, full } from "@scm-ts/core";
import { gaussianOracle } from "@scm-ts/trigflow";
import { describe, expect, test } from "vitest";
import { oracleNetwork } from "./oracle-network.js";
import { timeTensor } from "./raw-network.js";

const oracle = gaussianOracle({ mean: [0.3, -0.2], covariance: { kind: "full", matrix: [[0.09, 0.04], [0.04, 0.07]] }, sigmaData: 0.5 });
const rows = [[0.4, -1.2], [1.5, 0.3], [-0.7, 0.9]];

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe("oracleNetwork", () => {
  test("matches diffusionF and consistencyF row by row for a shared time and per-row times", async () => {
    const u = array(rows, undefined, { dtype: "float64" });
    for (const times of [[1.2, 1.2, 1.2], [0.05, 0.8, 1.56]]) {
      const t = array(times.map((v) => [v]), undefined, { dtype: "float64" });
      const diffusion = await oracleNetwork(oracle, "diffusion")(u, t).data();
      const consistency = await oracleNetwork(oracle, "consistency")(u, t).data();
      rows.forEach((row, i) => {
        expect(maxDifference(diffusion.subarray(2 * i, 2 * i + 2), oracle.diffusionF(row, times[i]!))).toBeLessThan(1e-13);
        expect(maxDifference(consistency.subarray(2 * i, 2 * i + 2), oracle.consistencyF(row, times[i]!))).toBeLessThan(1e-10);
      });
    }
  });

  test("accepts a scalar time and a [B] time; at t = 0 the consistency kind is the limit F*", async () => {
    const u = array(rows, undefined, { dtype: "float64" });
    const scalar = await oracleNetwork(oracle, "consistency")(u, full([], 0.7, { dtype: "float64" })).data();
    const vector = await oracleNetwork(oracle, "consistency")(u, timeTensor(0.7, [3, 2], "vector", "float64")).data();
    expect(Array.from(vector)).toEqual(Array.from(scalar));
    const atZero = await oracleNetwork(oracle, "consistency")(u, full([3], 0, { dtype: "float64" })).data();
    const nearZero = await oracleNetwork(oracle, "consistency")(u, full([3], 1e-4, { dtype: "float64" })).data();
    expect(maxDifference(atZero, nearZero)).toBeLessThan(1e-3);
    expect(maxDifference(atZero, rows.flatMap((row) => Array.from(oracle.diffusionF(row, 0))))).toBeLessThan(1e-13);
  });

  test("refuses rows of the wrong dimension and times of the wrong size", () => {
    const F = oracleNetwork(oracle, "diffusion");
    expect(() => F(array([[1, 2, 3]]), array([1]))).toThrow(/does not hold rows of the oracle's dimension 2/);
    expect(() => F(array(rows), array([1, 2]))).toThrow(/time of shape \[2\] is neither one time nor one per row of 3/);
  });
});

describe("timeTensor", () => {
  test("broadcast layout is [B, 1, …, 1]; vector layout is [B]", () => {
    expect(timeTensor(1, [4, 3, 8, 8], "broadcast", "float32").shape).toEqual([4, 1, 1, 1]);
    expect(timeTensor(1, [4, 2], "broadcast", "float32").shape).toEqual([4, 1]);
    expect(timeTensor(1, [4, 3, 8, 8], "vector", "float64").shape).toEqual([4]);
  });
});
