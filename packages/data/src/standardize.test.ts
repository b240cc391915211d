// Standardisation: the estimate recovers per-coordinate and per-channel moments (also far from 0),
// standardised data has mean 0 and std σ_d, unstandardize inverts standardize, and constant
// coordinates fall back to scale 1 while all-constant data is refused.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as c from "@scm-ts/core";
import { estimateStandardization, identityStandardization, isIdentityStandardization, standardize, unstandardize } from "./index.js";

describe("estimateStandardization", () => {
  it("recovers mean and std per coordinate, exactly far from 0", () => {
    const n = 4000, x = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      x[2 * i] = 20 + 5 * (i % 2 === 0 ? 1 : -1);
      x[2 * i + 1] = 100 + 0.1 * ((i % 4) - 1.5);
    }
    const s = estimateStandardization(x, [2]);
    expect(s.shift[0]).toBeCloseTo(20, 10);
    expect(s.std[0]).toBeCloseTo(5, 10);
    expect(s.scale[0]).toBeCloseTo(0.1, 10);
    expect(s.shift[1]).toBeCloseTo(100, 4);
    expect(s.std[1]! / Math.sqrt(0.1 ** 2 * 1.25)).toBeCloseTo(1, 4);
    expect(s.constant).toEqual([]);
  });

  it("groups images by channel", () => {
    const x = new Float32Array(3 * 2 * 4);
    for (let i = 0; i < 3; i++) for (let ch = 0; ch < 2; ch++) for (let p = 0; p < 4; p++) x[i * 8 + ch * 4 + p] = ch === 0 ? p : 10 * i;
    const s = estimateStandardization(x, [2, 2, 2], 1);
    expect(s.shift).toEqual([1.5, 10]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(200 / 3), 12);
  });

  it("keeps scale 1 for a constant coordinate and refuses all-constant data", () => {
    const x = Float32Array.from([1, 7, 2, 7, 3, 7]);
    const s = estimateStandardization(x, [2]);
    expect(s.constant).toEqual([1]);
    expect(s.scale[1]).toBe(1);
    expect(s.shift[1]).toBe(7);
    expect(() => estimateStandardization(Float32Array.from([7, 7, 7]), [1])).toThrow(/constant/);
    expect(() => estimateStandardization(Float32Array.from([1, NaN]), [1])).toThrow(/non-finite/);
    expect(() => estimateStandardization(Float32Array.from([1, 2, 3]), [2])).toThrow(/whole examples/);
  });
});

describe("standardize / unstandardize", () => {
  it("standardised data has mean 0 and std σ_d per coordinate, and the inverse restores it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.01, max: 20, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (d, mu, sd, seed) => {
        const n = 256;
        const x = c.add(c.mul(c.random.normal(c.random.key(seed), [n, d], { dtype: "float64" }), sd), mu);
        const host = x.dataSync() as Float64Array;
        const t = estimateStandardization(host, [d], 0.5);
        const y = standardize(t, x);
        const back = unstandardize(t, y);
        const m = c.mean(y, 0).dataSync(), v = c.mean(c.square(y), 0).dataSync();
        for (let k = 0; k < d; k++) {
          expect(Math.abs(m[k]!)).toBeLessThan(1e-9);
          expect(Math.sqrt(v[k]!)).toBeCloseTo(0.5, 9);
        }
        const err = c.max(c.abs(c.sub(back, x))).dataSync()[0]!;
        expect(err).toBeLessThan(1e-9 * (Math.abs(mu) + sd));
      }),
      { seed: 17, numRuns: 25 },
    );
  });

  it("leaves data alone under the identity, and rejects a batch of the wrong width", () => {
    const x = c.ones([3, 2]);
    expect(isIdentityStandardization(identityStandardization([2]))).toBe(true);
    expect(standardize(identityStandardization([2]), x)).toBe(x);
    expect(() => standardize({ shift: [1, 2, 3], scale: [1, 1, 1] }, x)).toThrow(/does not match/);
  });
});
