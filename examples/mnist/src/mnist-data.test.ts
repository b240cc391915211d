// The data path of the examples: pooling keeps the mean of each block, upsampling repeats it and clips to
// [0, 1], and the split is the feature classifier's (8 000 training digits, 2 000 held out, disjoint)
// with the training values standardised to σ_d.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadMnistSplit, poolPixels, upsampleClip } from "./mnist-data.js";

const seed = Number(process.env.FC_SEED ?? 7);

describe("pooling and upsampling", () => {
  it("a pooled pixel is the mean of its block and upsampling puts it back on the block", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.constantFrom(2, 4), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, factor, s) => {
        let a = s;
        const img = Float32Array.from({ length: n * 784 }, () => ((a = (a * 1103515245 + 12345) % 2 ** 31), a / 2 ** 31));
        const size = 28 / factor, pooled = poolPixels(img, n, factor), up = upsampleClip(pooled, n, size);
        for (let k = 0; k < n; k++) {
          let total = 0, pooledTotal = 0;
          for (let i = 0; i < 784; i++) total += img[k * 784 + i]!;
          for (let i = 0; i < size * size; i++) pooledTotal += pooled[k * size * size + i]!;
          expect(pooledTotal * factor * factor).toBeCloseTo(total, 2);
          expect(up[k * 784 + 27 * 28 + 27]).toBeCloseTo(pooled[k * size * size + size * size - 1]!, 6);
        }
      }),
      { seed, numRuns: 20 },
    );
  });

  it("clips to [0, 1] and maps NaN to 0", () => {
    const up = upsampleClip(Float32Array.of(-0.5, 2, NaN, 0.25), 1, 2);
    expect([up[0], up[27], up[28 * 27], up[28 * 28 - 1]]).toEqual([0, 1, 0, 0.25]);
  });
});

describe("loadMnistSplit", () => {
  it("splits as the classifier did and standardises the training values to σ_d", async () => {
    const d = await loadMnistSplit(14);
    expect([d.trainCount, d.heldOutCount, d.split.total]).toEqual([8000, 2000, 10000]);
    expect(d.train.length).toBe(8000 * 196);
    let s = 0, q = 0;
    for (const v of d.train) (s += v), (q += v * v);
    const mean = s / d.train.length;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(Math.sqrt(q / d.train.length - mean * mean)).toBeCloseTo(0.5, 4);
    expect(d.heldOutPixels.length).toBe(2000 * 784);
    expect(Math.min(...d.heldOutPixels.subarray(0, 784))).toBeGreaterThanOrEqual(0);
  });

  it("refuses a size that does not divide 28", async () => {
    await expect(loadMnistSplit(10)).rejects.toThrow(/--size 10: MNIST trains at 28, 14 or 7/);
  });
});
