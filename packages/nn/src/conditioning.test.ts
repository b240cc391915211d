// Conditioning layers: positional and Fourier time embeddings, adaptive double normalisation, class
// and guidance-scale embeddings — float64 derivative checks, the stated statistical properties,
// determinism from keys and config validation.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkGrads } from "@scm-ts/testing";
import { describe, expect, test } from "vitest";
import * as adn from "./adaptive-double-norm.js";
import * as classEmbedding from "./class-embedding.js";
import * as fourierEmbedding from "./fourier-embedding.js";
import * as guidanceEmbedding from "./guidance-embedding.js";
import { positionalEmbedding } from "./positional-embedding.js";

const f64 = { dtype: "float64" } as const;
const times = (n: number) => c.mul(c.random.uniform(c.random.key(n), [4], f64), Math.PI / 2);

describe("positionalEmbedding", () => {
  test("c_noise(t) = t: [cos ωt, sin ωt] with ω ∈ [1e-4, 1], |d emb/dt| ≤ 1, derivative checks", async () => {
    const t = times(1);
    const emb = positionalEmbedding(t, { dim: 8 });
    expect(emb.shape).toEqual([4, 8]);
    const e = await emb.data(), tv = await t.data();
    expect(e[0]).toBeCloseTo(Math.cos(tv[0]!), 12); // ω₀ = 1
    expect(e[4]).toBeCloseTo(Math.sin(tv[0]!), 12);
    const [, de] = c.jvp((x: Tensor) => positionalEmbedding(x, { dim: 16 }), [t], [c.ones([4], f64)]);
    expect(await c.max(c.abs(de)).item()).toBeLessThanOrEqual(1 + 1e-12);
    await checkGrads((x: Tensor) => positionalEmbedding(x, { dim: 6 }), [t]);
    expect(() => positionalEmbedding(t, { dim: 7 })).toThrow("positionalEmbedding: dim must be even, got 7");
  });
});

describe("fourierEmbedding", () => {
  test("same key, same frequencies; derivative in t scales with 2π·s; frequencies get no gradient", async () => {
    const a = fourierEmbedding.init(c.random.key(2), { dim: 8, ...f64 });
    const b = fourierEmbedding.init(c.random.key(2), { dim: 8, ...f64 });
    expect(Array.from(await a.freqs.data())).toEqual(Array.from(await b.freqs.data()));
    await checkGrads((x: Tensor) => fourierEmbedding.apply(a, x), [times(3)]);
    const g = c.grad((p: fourierEmbedding.FourierEmbeddingParams) => c.sum(fourierEmbedding.apply(p, times(3))))(a);
    expect(Array.from(await g.freqs.data()).every((v) => v === 0)).toBe(true);
    const [, de] = c.jvp((x: Tensor) => fourierEmbedding.apply(a, x), [times(4)], [c.ones([4], f64)]);
    expect(await c.max(c.abs(de)).item()).toBeGreaterThan(10); // the oscillation sCM avoids
  });
});

describe("adaptiveDoubleNorm", () => {
  const cfg = { embDim: 6, channels: 4, ...f64 };
  test("float64 derivative checks on images, tokens and vectors", async () => {
    const p = adn.init(c.random.key(1), cfg);
    const emb = c.random.normal(c.random.key(2), [2, 6], f64);
    for (const shape of [[2, 4, 3, 3], [2, 5, 4], [2, 4]]) {
      const h = c.random.normal(c.random.key(3), shape, f64);
      await checkGrads((q: adn.AdaptiveDoubleNormParams, hh: Tensor, e: Tensor) => adn.apply(q, hh, e), [p, h, emb]);
    }
  });

  test("modulation vectors have unit RMS whatever the embedding scale (the point of pnorm)", async () => {
    const p = adn.init(c.random.key(4), { embDim: 16, channels: 32 });
    const h = c.ones([3, 32]);
    for (const scale of [1e-3, 1, 1e3]) {
      const emb = c.mul(c.random.normal(c.random.key(5), [3, 16]), scale);
      const noShift = adn.apply({ scale: p.scale }, h, emb); // = pnorm(s(emb))
      const rms = await c.mean(c.square(noShift), -1).data();
      rms.forEach((r) => expect(Math.abs(r - 1)).toBeLessThan(1e-3));
    }
    const s = adn.apply({ scale: p.scale }, h, c.zeros([3, 16])); // s(0) = bias = 1 → pnorm = 1
    expect(Array.from(await s.data()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  test("scale-only mode and validation", () => {
    expect(adn.init(c.random.key(0), { embDim: 2, channels: 3, shift: false }).shift).toBeUndefined();
    expect(() => adn.init(c.random.key(0), { embDim: 2, channels: 0 })).toThrow("adaptiveDoubleNorm.init: channels must be a positive integer, got 0");
  });
});

describe("classEmbedding and guidanceEmbedding", () => {
  test("one-hot rows pick table rows; dropped labels embed to zero; derivative checks", async () => {
    const p = classEmbedding.init(c.random.key(1), { numClasses: 5, dim: 3, ...f64 });
    const onehot = classEmbedding.oneHot(c.array([4, 0, 2], [3], { dtype: "int32" }), 5, "float64");
    const emb = await classEmbedding.apply(p, onehot).data();
    const table = await p.table.data();
    expect(Array.from(emb.slice(0, 3))).toEqual(Array.from(table.slice(12, 15)));
    await checkGrads((q: classEmbedding.ClassEmbeddingParams) => classEmbedding.apply(q, onehot), [p]);
    const dropped = classEmbedding.dropLabels(c.random.key(2), c.ones([400, 5]), 0.25);
    const kept = await c.mean(c.max(dropped, 1)).item();
    expect(kept).toBeGreaterThan(0.68);
    expect(kept).toBeLessThan(0.82);
    expect(() => classEmbedding.apply(p, c.zeros([3, 4], f64))).toThrow(/one-hot rows \[B, 5\]/);
  });

  test("guidance embedding starts at zero and has derivatives", async () => {
    const cfg = { featureDim: 8, dim: 4, ...f64 };
    const p = guidanceEmbedding.init(c.random.key(3), cfg);
    const w = c.array([1, 2.5, 4], [3], f64);
    const out = await guidanceEmbedding.apply(p, w, cfg).data();
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
    const q = { ...p, fc2: { weight: c.random.normal(c.random.key(4), [4, 4], f64), bias: p.fc2.bias! } };
    await checkGrads((pp: guidanceEmbedding.GuidanceEmbeddingParams, ww: Tensor) => guidanceEmbedding.apply(pp, ww, cfg), [q, w]);
  });
});
