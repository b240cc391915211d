// In-memory datasets: construction checks shapes and labels, rows are taken with their labels, the whole
// set becomes one tensor, and the statistics (the measured σ_d) are the plain mean/std/RMS/range.
import { describe, expect, test } from "vitest";
import { arrayDataset, datasetSize, datasetStatistics, datasetTensor, exampleShape, exampleSize, takeExamples } from "./array-dataset.js";
import { DataError, dataError } from "./data-error.js";

describe("arrayDataset", () => {
  test("wraps values with their shape and labels; takeExamples copies rows and labels in order", async () => {
    const data = arrayDataset(Float32Array.from({ length: 12 }, (_, i) => i), [3, 2, 2], Int32Array.of(5, 6, 7));
    expect([datasetSize(data), exampleShape(data), exampleSize(data)]).toEqual([3, [2, 2], 4]);
    const taken = takeExamples(data, [2, 0, 2]);
    expect(taken.shape).toEqual([3, 2, 2]);
    expect(Array.from(taken.values)).toEqual([8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);
    expect(Array.from(taken.labels!)).toEqual([7, 5, 7]);
    const t = datasetTensor(data, "float64");
    expect([t.shape, t.dtype]).toEqual([[3, 2, 2], "float64"]);
    expect(Array.from(await t.data())).toEqual(Array.from(data.values));
  });

  test("refuses inconsistent shapes, labels and indices", () => {
    expect(() => arrayDataset(new Float32Array(4), [4])).toThrow(/needs an example axis first and at least one more axis/);
    expect(() => arrayDataset(new Float32Array(5), [2, 2])).toThrow(/5 values do not fill shape \[2, 2\] \(4 needed\)/);
    expect(() => arrayDataset(new Float32Array(0), [0, 2])).toThrow(/positive integer sizes/);
    expect(() => arrayDataset(new Float32Array(4), [2, 2], Int32Array.of(1))).toThrow(/1 labels for 2 examples/);
    expect(() => takeExamples(arrayDataset(new Float32Array(4), [2, 2]), [0, 2])).toThrow(/index 2 at position 1 is outside \[0, 2\)/);
  });

  test("statistics: mean, std (the measured σ_d), RMS and range", () => {
    const stats = datasetStatistics(arrayDataset(Float32Array.of(1, 3, 1, 3), [2, 2]));
    expect(stats).toEqual({ mean: 2, std: 1, rms: Math.sqrt(5), min: 1, max: 3 });
  });

  test("DataError carries its kind and source and prefixes the message with the source", () => {
    const e = dataError("shape", "file.safetensors", "tensor \"x\" is wrong");
    expect(e).toBeInstanceOf(DataError);
    expect([e.kind, e.source, e.message, e.name]).toEqual(["shape", "file.safetensors", "file.safetensors: tensor \"x\" is wrong", "DataError"]);
  });
});
