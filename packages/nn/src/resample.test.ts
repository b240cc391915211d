// Up- and down-sampling: shapes, values (nearest copies, box averages), adjointness
// ⟨down(x), y⟩ = ⟨x, up(y)⟩/f², float64 derivative checks and rejection of indivisible sizes.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import { downsample2d, upsample2d } from "./resample.js";

const f64 = { dtype: "float64" } as const;

describe("resample", () => {
  test("nearest upsampling copies, average pooling averages, and they are adjoint up to f²", async () => {
    const x = c.array([1, 2, 3, 4], [1, 1, 2, 2], f64);
    expect(Array.from(await upsample2d(x).data())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(Array.from(await downsample2d(upsample2d(x)).data())).toEqual([1, 2, 3, 4]);
    const big = c.random.normal(c.random.key(1), [2, 3, 4, 6], f64), small = c.random.normal(c.random.key(2), [2, 3, 2, 3], f64);
    const lhs = await c.sum(c.mul(downsample2d(big), small)).item();
    const rhs = (await c.sum(c.mul(big, upsample2d(small))).item()) / 4;
    expect(lhs).toBeCloseTo(rhs, 10);
  });

  test("float64 derivative checks; bad sizes are rejected", async () => {
    await checkGrads((x: Tensor) => upsample2d(x), [c.random.normal(c.random.key(3), [1, 2, 2, 3], f64)]);
    await checkGrads((x: Tensor) => downsample2d(x), [c.random.normal(c.random.key(4), [1, 2, 4, 2], f64)]);
    expect(() => downsample2d(c.zeros([1, 1, 5, 4]))).toThrow("downsample2d: spatial size 5×4 is not divisible by the factor 2");
    expect(() => upsample2d(c.zeros([4, 4]))).toThrow(/must be \[N, C, H, W\]/);
  });
});
