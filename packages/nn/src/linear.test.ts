// Linear and conv2d layers: shapes, float64 derivative checks, init statistics (LeCun variance,
// zero init gives zeros, same key gives the same parameters) and config validation at init.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import * as conv2d from "./conv.js";
import * as linear from "./linear.js";

const f64 = { dtype: "float64" } as const;

describe("linear", () => {
  test("maps [..., in] to [..., out] and passes the float64 derivative checks", async () => {
    const p = linear.init(c.random.key(1), { inFeatures: 3, outFeatures: 4, ...f64 });
    const x = c.random.normal(c.random.key(2), [2, 5, 3], f64);
    expect(linear.apply(p, x).shape).toEqual([2, 5, 4]);
    expect(linear.apply(p, c.random.normal(c.random.key(3), [3], f64)).shape).toEqual([4]);
    await checkGrads(linear.apply, [p, x]);
  });

  test("LeCun init keeps unit-variance inputs near unit variance; zero init gives zeros", async () => {
    const p = linear.init(c.random.key(4), { inFeatures: 256, outFeatures: 256 });
    const y = linear.apply(p, c.random.normal(c.random.key(5), [64, 256]));
    const variance = await c.mean(c.square(y)).item();
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
    const z = linear.init(c.random.key(4), { inFeatures: 8, outFeatures: 3, initScale: 0 });
    const out = await linear.apply(z, c.random.normal(c.random.key(6), [4, 8])).data();
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
  });

  test("the same key gives the same parameters; another key different ones", async () => {
    const cfg = { inFeatures: 5, outFeatures: 7 };
    const a = await linear.init(c.random.key(7), cfg).weight.data();
    const b = await linear.init(c.random.key(7), cfg).weight.data();
    const d = await linear.init(c.random.key(8), cfg).weight.data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(d));
  });

  test("rejects bad configs and inputs with the field and the rule", () => {
    expect(() => linear.init(c.random.key(0), { inFeatures: 0, outFeatures: 3 })).toThrow("linear.init: inFeatures must be a positive integer, got 0");
    expect(() => linear.init(c.random.key(0), { inFeatures: 2, outFeatures: 3, initScale: -1 })).toThrow(/initScale must be a finite non-negative/);
    const p = linear.init(c.random.key(0), { inFeatures: 2, outFeatures: 3 });
    expect(() => linear.apply(p, c.zeros([4, 5]))).toThrow(/has 5 features but the weight expects 2/);
  });
});

describe("conv2d", () => {
  test("SAME padding keeps H×W, stride 2 halves it; float64 derivative checks (grouped)", async () => {
    const cfg = { inChannels: 4, outChannels: 6, kernel: 3, groups: 2, ...f64 };
    const p = conv2d.init(c.random.key(1), cfg);
    expect(p.weight.shape).toEqual([6, 2, 3, 3]);
    const x = c.random.normal(c.random.key(2), [2, 4, 5, 5], f64);
    expect(conv2d.apply(p, x, cfg).shape).toEqual([2, 6, 5, 5]);
    expect(conv2d.apply(p, x, { ...cfg, stride: 2 }).shape).toEqual([2, 6, 3, 3]);
    await checkGrads((q: conv2d.Conv2dParams, xx: Tensor) => conv2d.apply(q, xx, cfg), [p, x]);
  });

  test("zero init gives zeros; LeCun init keeps the variance near 1", async () => {
    const z = conv2d.init(c.random.key(3), { inChannels: 3, outChannels: 2, initScale: 0 });
    const out = await conv2d.apply(z, c.random.normal(c.random.key(4), [1, 3, 4, 4])).data();
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
    const p = conv2d.init(c.random.key(5), { inChannels: 32, outChannels: 32, kernel: 1 });
    const variance = await c.mean(c.square(conv2d.apply(p, c.random.normal(c.random.key(6), [4, 32, 8, 8])))).item();
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
  });

  test("rejects channels not divisible by groups, even SAME kernels and wrong inputs", () => {
    expect(() => conv2d.init(c.random.key(0), { inChannels: 6, outChannels: 4, groups: 4 })).toThrow("conv2d.init: inChannels (6) must be divisible by groups (4)");
    expect(() => conv2d.init(c.random.key(0), { inChannels: 4, outChannels: 4, kernel: 2 })).toThrow(/kernel must be odd with 'SAME' padding/);
    const p = conv2d.init(c.random.key(0), { inChannels: 3, outChannels: 4 });
    expect(() => conv2d.apply(p, c.zeros([1, 2, 4, 4]))).toThrow(/must be \[N, 3, H, W\]/);
  });
});
