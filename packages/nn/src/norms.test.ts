// Group, layer and pixel normalisation: float64 derivative checks, unit-variance outputs for inputs of
// any scale, and config validation (channels not divisible by groups fails at init).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import * as groupNorm from "./group-norm.js";
import * as layerNorm from "./layer-norm.js";
import { pixelNorm } from "./pixel-norm.js";

const f64 = { dtype: "float64" } as const;

async function meanVar(x: Tensor): Promise<[number, number]> {
  const m = await c.mean(x).item();
  return [m, await c.mean(c.square(c.sub(x, m))).item()];
}

describe("groupNorm", () => {
  test("passes the float64 derivative checks with random affine parameters", async () => {
    const cfg = { channels: 4, groups: 2, ...f64 };
    const base = groupNorm.init(cfg);
    const p = { scale: c.add(base.scale!, c.random.normal(c.random.key(1), [4], f64)), bias: c.random.normal(c.random.key(2), [4], f64) };
    const x = c.random.normal(c.random.key(3), [2, 4, 3, 3], f64);
    await checkGrads((q: groupNorm.GroupNormParams, xx: Tensor) => groupNorm.apply(q, xx, cfg), [p, x]);
  });

  test("gives zero mean and unit variance per group whatever the input scale", async () => {
    const cfg = { channels: 8, groups: 4 };
    const x = c.add(c.mul(c.random.normal(c.random.key(4), [3, 8, 6, 6]), 7), 3);
    const y = groupNorm.apply(groupNorm.init(cfg), x, cfg);
    const g = c.reshape(y, [3, 4, -1]);
    const means = await c.mean(g, 2).data(), vars = await c.mean(c.square(g), 2).data();
    means.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    vars.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-3));
  });

  test("rejects channels not divisible by groups", () => {
    expect(() => groupNorm.init({ channels: 30, groups: 8 })).toThrow("groupNorm.init: channels (30) must be divisible by groups (8)");
    expect(() => groupNorm.init({ channels: 8, groups: 0 })).toThrow(/groups must be a positive integer/);
  });
});

describe("layerNorm", () => {
  test("float64 derivative checks; unit variance over the last axis", async () => {
    const cfg = { features: 5, ...f64 };
    const p = { scale: c.random.normal(c.random.key(1), [5], f64), bias: c.random.normal(c.random.key(2), [5], f64) };
    await checkGrads((q: layerNorm.LayerNormParams, xx: Tensor) => layerNorm.apply(q, xx, cfg), [p, c.random.normal(c.random.key(3), [2, 3, 5], f64)]);
    const y = layerNorm.apply(layerNorm.init({ features: 64, affine: false }), c.mul(c.random.normal(c.random.key(4), [16, 64]), 5));
    const [m, v] = await meanVar(y);
    expect(Math.abs(m)).toBeLessThan(1e-5);
    expect(Math.abs(v - 1)).toBeLessThan(1e-3);
    expect(() => layerNorm.init({ features: 2.5 })).toThrow(/features must be a positive integer/);
  });

  test("is one standardize primitive (no composed mean/variance), equal to the composed formula", async () => {
    const cfg = { features: 7, eps: 1e-3 };
    const p = { scale: c.random.normal(c.random.key(5), [7]), bias: c.random.normal(c.random.key(6), [7]) };
    const x = c.add(c.mul(c.random.normal(c.random.key(7), [3, 2, 7]), 4), 2);
    const eqns = c.makeJaxpr((xx: Tensor) => layerNorm.apply(p, xx, cfg))(x).jaxpr.eqns.map((e) => e.op.name);
    expect(eqns.filter((n) => n === "standardize")).toHaveLength(1);
    expect(eqns.filter((n) => n.startsWith("reduce"))).toEqual([]);
    const xc = c.sub(x, c.mean(x, -1, true));
    const composed = c.add(c.mul(c.mul(xc, c.rsqrt(c.add(c.mean(c.square(xc), -1, true), cfg.eps))), p.scale), p.bias);
    const [a, b] = await Promise.all([layerNorm.apply(p, x, cfg).data(), composed.data()]);
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5));
  });
});

describe("pixelNorm", () => {
  test("float64 derivative checks; unit RMS along the axis", async () => {
    await checkGrads((v: Tensor) => pixelNorm(v), [c.random.normal(c.random.key(1), [3, 4], f64)]);
    await checkGrads((v: Tensor) => pixelNorm(v, { axis: 1 }), [c.random.normal(c.random.key(2), [2, 3, 2, 2], f64)]);
    const y = pixelNorm(c.mul(c.random.normal(c.random.key(3), [4, 32]), 0.1));
    const rms = await c.mean(c.square(y), -1).data();
    rms.forEach((r) => expect(Math.abs(r - 1)).toBeLessThan(1e-4));
  });
});
