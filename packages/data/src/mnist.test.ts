// MNIST from the `mnist` package: a subset loads fast with the right shape, labels and range; the default
// normalisation makes σ_d = 0.5 exactly right over the whole package (and the symmetric one spans [−1, 1]
// with its measured σ_d ≈ 0.617 reported); images follow package order; and bad options or a corrupt
// digit file reject with `DataError`s naming the problem.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, test } from "vitest";
import { loadMnist, type MnistOptions } from "./mnist.js";
import { mnistPixelMean, mnistPixelStd } from "./mnist-pixels.js";
import { settle } from "@scm-ts/testing";
import { DataError } from "./data-error.js";

async function refusal(options: MnistOptions): Promise<DataError> {
  const result = await settle(loadMnist(options), DataError);
  if (E.isRight(result)) throw new Error("expected loadMnist to fail");
  return result.left;
}

describe("loadMnist", () => {
  test("a subset has shape [N, 1, 28, 28], digit labels in the order asked, and package-order images", async () => {
    const data = await loadMnist({ digits: [3, 7], limitPerDigit: 20, normalisation: "symmetric" });
    expect(data.shape).toEqual([40, 1, 28, 28]);
    expect([...data.labels]).toEqual([...Array<number>(20).fill(3), ...Array<number>(20).fill(7)]);
    expect(data.statistics.min).toBe(-1);
    expect(data.statistics.max).toBe(1);
    // A digit is drawn on a black background: the border pixels are all −1.
    for (let n = 0; n < 40; n++) expect(data.values[n * 784]).toBe(-1);
    const again = await loadMnist({ digits: [7], limitPerDigit: 3, normalisation: "symmetric" });
    expect(again.values).toEqual(data.values.subarray(20 * 784, 23 * 784));
  });

  test("default normalisation: mean 0 and std exactly σ_d = 0.5 over all 10 000 digits", async () => {
    const data = await loadMnist({});
    expect(data.shape).toEqual([10_000, 1, 28, 28]);
    expect(data.statistics.mean).toBeCloseTo(0, 5);
    expect(data.statistics.std).toBeCloseTo(0.5, 5);
    expect(data.statistics.min).toBeCloseTo((-0.5 * mnistPixelMean) / mnistPixelStd, 5);
    const counts = Array.from({ length: 10 }, (_, d) => data.labels.filter((l) => l === d).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(Math.min(...counts)).toBeGreaterThan(800);
  });

  test("symmetric and other σ_d targets are affine images of the default, with their measured σ_d reported", async () => {
    const options = { digits: [4], limitPerDigit: 30 } as const;
    const standard = await loadMnist(options);
    const symmetric = await loadMnist({ ...options, normalisation: "symmetric" });
    const unit = await loadMnist({ ...options, sigmaData: 1 });
    // x_sym = 2p − 1 and x_σ = σ(p − m)/s, so std ratios are 2s/0.5 and 2 exactly; over the package x_sym has std 2s ≈ 0.617.
    expect(symmetric.statistics.std / standard.statistics.std).toBeCloseTo((2 * mnistPixelStd) / 0.5, 5);
    expect(unit.statistics.std / standard.statistics.std).toBeCloseTo(2, 5);
    expect(2 * mnistPixelStd).toBeCloseTo(0.617, 3);
  });

  test("bad options are Lefts with the offending value", async () => {
    expect((await refusal({ digits: [] })).message).toMatch(/no digits requested/);
    expect((await refusal({ digits: [1, 10] })).message).toMatch(/digit 10 is not one of 0 … 9/);
    expect((await refusal({ digits: [1, 1] })).message).toMatch(/repeat a digit/);
    expect((await refusal({ limitPerDigit: 0 })).message).toMatch(/limitPerDigit must be a positive integer, got 0/);
    expect((await refusal({ sigmaData: -1 })).kind).toBe("argument");
  });

  test("a missing or corrupt digit file is a Left naming the file", async () => {
    const folder = await mkdtemp(join(tmpdir(), "scm-data-mnist-"));
    try {
      await writeFile(join(folder, "0.json"), '{"data": [0, 0.5');
      await writeFile(join(folder, "1.json"), JSON.stringify({ data: [0, 1, 2] }));
      await writeFile(join(folder, "2.json"), JSON.stringify({ data: Array<number>(784).fill(2) }));
      const truncated = await refusal({ directory: folder, digits: [0] });
      expect(truncated.kind).toBe("format");
      expect(truncated.message).toMatch(/0\.json: is not valid JSON/);
      expect((await refusal({ directory: folder, digits: [1] })).message).toMatch(/1\.json: expected \{"data": \[\.\.\.\]\} with a multiple of 784 pixel values \(28×28 per image\), found 3 values/);
      expect((await refusal({ directory: folder, digits: [2] })).message).toMatch(/2\.json: pixel 0 is 2; expected a number in \[0, 1\]/);
      const missing = await refusal({ directory: folder, digits: [5] });
      expect(missing.kind).toBe("io");
      expect(missing.message).toMatch(/5\.json: no such file or folder/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
