// Mode metrics against the ring of eight Gaussians (data's default ring and its exact density, draws from
// trigflow's oracle): true draws cover all eight modes, 99.73% lie within 3σ, and score the ring's
// negative entropy; draws that drop two modes cover six; draws blurred by extra noise of twice the mode std
// lose ≈ 3 nats of mean log-density and a fifth of "within 3σ" while still covering every mode. The
// counting itself is checked against a direct reading on random samples of a stub density, and data's
// `ToyDensity` is checked to satisfy `ReferenceDensity` for every toy (a compile-time assignment).
import { array } from "@scm-ts/core";
import { checkerboard, gaussianMixtureDensity, gridOfGaussians, ringOfGaussians, spirals, twoMoons, type ToyDensity } from "@scm-ts/data";
import { counterRandom } from "@scm-ts/trigflow";
import { fcParams } from "@scm-ts/testing";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawMixture } from "./gaussian-draws.test-support.js";
import { modeMetrics, type ReferenceDensity } from "./mode-metrics.js";
import type { HostSamples } from "./samples.js";

const ring = ringOfGaussians(); // 8 modes, std 0.08
const density: ReferenceDensity = ring.density();
const n = 20_000;
const threeSigma = 0.9973002039367398;

// The draws with independent N(0, std²) noise added to every coordinate (the counter RNG's normals).
function blur(x: HostSamples, std: number, seed: number): HostSamples {
  const random = counterRandom(seed);
  const data = Float64Array.from(x.data, (v) => v + std * random.normal());
  return { ...x, data };
}

describe("modeMetrics on the ring of eight Gaussians", () => {
  const truth = drawMixture(ring.components, n, 1);

  it("true draws: every mode covered, 99.73% within 3σ, mean log-density = −H", async () => {
    const m = await modeMetrics(truth, density);
    expect([m.modes, m.modesCovered, m.nonFinite]).toEqual([8, 8, 0]);
    expect(Math.abs(m.within3Sigma - threeSigma)).toBeLessThan(0.0015); // 4 binomial standard errors
    expect(Math.abs(m.meanLogDensity - (-Math.log(8) - Math.log(2 * Math.PI * Math.E * 0.08 ** 2)))).toBeLessThan(0.03);
    m.shares.forEach((s) => expect(Math.abs(s.share - 0.125)).toBeLessThan(0.012));
    expect(m.shares.map((s) => s.weight)).toEqual(Array(8).fill(0.125));
  });

  it("draws that drop two of the eight modes cover six", async () => {
    const six = drawMixture(ring.components.slice(0, 6), n, 2);
    const m = await modeMetrics(six, density);
    expect([m.modes, m.modesCovered]).toEqual([8, 6]);
    m.shares.slice(6).forEach((s) => expect(s.share).toBeLessThan(0.001)); // only the neighbours' far tails
    // Sharper than it looks: the six modes hold 1/6 each, so the density still rates every draw as typical.
    expect(Math.abs(m.within3Sigma - threeSigma)).toBeLessThan(0.0015);
  });

  it("draws blurred by noise of twice the mode std: > 0.5 nats lower, fewer within 3σ, all still covered", async () => {
    const [sharp, blurred] = [await modeMetrics(truth, density), await modeMetrics(blur(truth, 2 * 0.08, 3), density)];
    // Against one isolated mode the drop would be ½·(5 − 1) nats per coordinate = 4 and within 3σ would be
    // P(χ²_2 ≤ 11.83/5) = 0.69; neighbouring modes catch some blurred draws, so ≈ 3.1 nats and 0.78 here.
    expect(sharp.meanLogDensity - blurred.meanLogDensity).toBeGreaterThan(0.5);
    expect(sharp.meanLogDensity - blurred.meanLogDensity).toBeGreaterThan(2.5);
    expect(blurred.within3Sigma).toBeLessThan(0.85);
    expect(blurred.modesCovered).toBe(8);
  });

  it("takes engine tensors; a non-finite sample is a failure that is counted; light modes do not count", async () => {
    const host = drawMixture(ring.components, 400, 4);
    const tensorResult = await modeMetrics(array(Float32Array.from(host.data), [400, 2]), density);
    const hostResult = await modeMetrics({ ...host, data: Float64Array.from(Float32Array.from(host.data)) }, density);
    expect(tensorResult).toEqual(hostResult);
    const broken = Float64Array.from(host.data);
    broken[7] = Number.NaN;
    broken[10] = Infinity;
    const m = await modeMetrics({ rows: 400, cols: 2, data: broken }, density);
    expect([m.meanLogDensity, m.nonFinite]).toEqual([-Infinity, 2]);
    expect(m.shares.reduce((s, v) => s + v.share, 0)).toBeCloseTo(398 / 400, 12);
    const lopsided = gaussianMixtureDensity([
      { weight: 0.97, mean: [0, 0], covariance: { kind: "isotropic", variance: 0.01 } },
      { weight: 0.03, mean: [5, 0], covariance: { kind: "isotropic", variance: 0.01 } },
    ]);
    const onlyHeavy = drawMixture([{ weight: 1, mean: [0, 0], covariance: { kind: "isotropic", variance: 0.01 } }], 500, 5);
    expect(await modeMetrics(onlyHeavy, lopsided)).toMatchObject({ modes: 1, modesCovered: 1 });
    expect(await modeMetrics(onlyHeavy, lopsided, { minWeight: 0.01 })).toMatchObject({ modes: 2, modesCovered: 1 });
  });

  it("refuses a dimension mismatch, an empty set, a bad minWeight and a density's bad mode index", async () => {
    await expect(modeMetrics({ rows: 2, cols: 3, data: new Float64Array(6) }, density)).rejects.toThrow(/samples have dimension 3 but the density is in R\^2/);
    await expect(modeMetrics({ rows: 0, cols: 2, data: [] }, density)).rejects.toThrow(/0 points; this metric needs at least 1/);
    await expect(modeMetrics(truth, density, { minWeight: 2 })).rejects.toThrow(/minWeight = 2/);
    const bad: ReferenceDensity = { ...stub([0.5, 0.5]), modeOf: (p) => new Int32Array(p.length).fill(7) };
    await expect(modeMetrics({ rows: 1, cols: 1, data: [0.2] }, bad)).rejects.toThrow(/put finite point 0 in mode 7, but it has modes 0 to 1/);
  });
});

// A 1-D stub: mode m is the interval [m, m + 1), log p(x) = −|x|, near when the fractional part < ½.
function stub(weights: readonly number[]): ReferenceDensity {
  const mode = (x: number) => Math.min(weights.length - 1, Math.max(0, Math.floor(x)));
  return {
    dimension: 1,
    modes: weights.map((weight, m) => ({ weight, label: `m${m}` })),
    logDensity: (p) => p.map((x) => -Math.abs(x)),
    modeOf: (p) => Int32Array.from(p, mode),
    near: (p) => Uint8Array.from(p, (x) => (x - Math.floor(x) < 0.5 ? 1 : 0)),
  };
}

describe("the counting, against a direct reading", () => {
  it("shares, coverage (share ≥ weight/2, weight ≥ minWeight), within 3σ and the mean", async () => {
    const weights = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }).map((w) => w.map((v) => v / w.reduce((a, b) => a + b, 0)));
    const value = fc.oneof(fc.double({ min: -1, max: 7, noNaN: true }), fc.constant(Number.NaN));
    await fc.assert(
      fc.asyncProperty(weights, fc.array(value, { minLength: 1, maxLength: 60 }), fc.constantFrom(0, 0.05, 0.2), async (w, xs, minWeight) => {
        const reference = stub(w);
        const got = await modeMetrics({ rows: xs.length, cols: 1, data: xs }, reference, { minWeight });
        const finite = xs.filter(Number.isFinite);
        const counts = w.map((_, m) => finite.filter((x) => reference.modeOf(Float64Array.of(x))[0] === m).length);
        const counted = w.map((weight, m) => ({ weight, share: counts[m]! / xs.length })).filter((m) => m.weight >= minWeight);
        expect(got.nonFinite).toBe(xs.length - finite.length);
        expect(got.shares.map((s) => s.share)).toEqual(counts.map((c) => c / xs.length));
        expect(got.modes).toBe(counted.length);
        expect(got.modesCovered).toBe(counted.filter((m) => m.share >= m.weight / 2).length);
        expect(got.within3Sigma).toBe(finite.filter((x) => x - Math.floor(x) < 0.5).length / xs.length);
        if (finite.length < xs.length) expect(got.meanLogDensity).toBe(-Infinity);
        else expect(got.meanLogDensity).toBeCloseTo(-finite.reduce((s, x) => s + Math.abs(x), 0) / finite.length, 12);
      }),
      fcParams(100),
    );
  });

  it("a mode holding exactly half its weight's share is covered; just under is not", async () => {
    const reference = stub([0.5, 0.5]);
    // 4 samples: mode 1 holds 1 (share ¼ = ½·½): covered.
    expect((await modeMetrics({ rows: 4, cols: 1, data: [0.1, 0.2, 0.3, 1.5] }, reference)).modesCovered).toBe(2);
    expect((await modeMetrics({ rows: 5, cols: 1, data: [0.1, 0.2, 0.3, 0.4, 1.5] }, reference)).modesCovered).toBe(1);
  });
});

describe("data's ToyDensity is a ReferenceDensity", () => {
  it("for every toy (checked by the compiler; evaluated once here)", () => {
    const densities: ReferenceDensity[] = [ring, gridOfGaussians(), twoMoons(), checkerboard(), spirals()].map((toy): ToyDensity => toy.density());
    expect(densities.map((d) => d.modes.length)).toEqual([8, 25, 2, 8, 2]);
  });
});
