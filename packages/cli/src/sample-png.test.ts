// PNGs of vector samples other than 2-D points: principal directions found by subspace iteration match
// the known axes of random anisotropic data (fixed seed), projections centre on the data's mean, and
// `scm sample --out x.png` draws a histogram beside the data's for 1-D runs and a principal-direction
// scatter beside the data's for 5-D runs, falling back to the samples alone (first two coordinates) when
// the training data is gone, and says which in its line. Images that are not square, of two channels,
// train with the default U-Net and draw each channel as a gray image.
import * as c from "@scm-ts/core";
import { decodePng, saveTensors } from "@scm-ts/io/node";
import fc from "fast-check";
import { mkdtempSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSample, runTrain } from "./index.js";
import { principalDirections, project, samplePicture } from "./sample-png.js";
import { writeSamples } from "./generate.js";

const root = mkdtempSync(join(tmpdir(), "scm-sample-png-"));
const quiet = () => {};

// Rows x = μ + Σ_a s_a z_a q_a for an orthonormal basis q (Gram–Schmidt of a random matrix) and z ~ N(0, 1).
function anisotropic(seed: number, n: number, d: number, stds: number[]): { values: Float64Array; basis: Float64Array[] } {
  let a = seed >>> 0;
  const u = () => ((a = (a * 1664525 + 1013904223) >>> 0), (a + 0.5) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const basis: Float64Array[] = [];
  for (let k = 0; k < d; k++) {
    const v = Float64Array.from({ length: d }, gauss);
    for (const b of basis) {
      const dot = v.reduce((s, x, j) => s + x * b[j]!, 0);
      for (let j = 0; j < d; j++) v[j] = v[j]! - dot * b[j]!;
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  const values = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const z = (stds[k] ?? 0.01) * gauss();
      for (let j = 0; j < d; j++) values[i * d + j] = values[i * d + j]! + z * basis[k]![j]!;
    }
    for (let j = 0; j < d; j++) values[i * d + j] = values[i * d + j]! + 1000;
  }
  return { values, basis };
}

describe("principalDirections", () => {
  it("finds the two axes of largest spread, their variances and the total", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 3, max: 12 }), (seed, d) => {
        const n = 3000;
        const { values, basis } = anisotropic(seed, n, d, [5, 2]);
        const p = principalDirections(values, n, d);
        const dot = (x: Float64Array, y: Float64Array) => Math.abs(x.reduce((s, v, j) => s + v * y[j]!, 0));
        expect(dot(p.directions[0]!, basis[0]!)).toBeGreaterThan(0.995);
        expect(dot(p.directions[1]!, basis[1]!)).toBeGreaterThan(0.99);
        expect(p.variance[0]! / 25).toBeGreaterThan(0.9);
        expect(p.variance[0]! / 25).toBeLessThan(1.1);
        expect(p.total).toBeCloseTo(p.variance[0]! + p.variance[1]! + (d - 2) * 1e-4, 0);
        // The data projected there are centred, with the variances found.
        const xy = project(values, n, d, p);
        const m0 = xy.filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / n;
        expect(Math.abs(m0)).toBeLessThan(1e-6);
      }),
      { seed: 5, numRuns: 8 },
    );
  });

  it("handles data of rank below two and a single coordinate direction deterministically", () => {
    const line = Float64Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? Math.floor(i / 4) : 0)); // 10 rows of [k, 0, 0, 0]
    const p = principalDirections(line, 10, 4);
    expect([...p.directions[0]!]).toEqual([1, 0, 0, 0]);
    expect(p.directions[1]!.reduce((s, v, j) => s + v * p.directions[0]![j]!, 0)).toBeCloseTo(0, 12);
    expect(p.variance[1]).toBeCloseTo(0, 12);
    expect(principalDirections(line, 10, 4)).toEqual(p);
  });
});

describe("samplePicture", () => {
  it("1-D: a histogram panel per series on one axis; alone, the caption says the data were not read", async () => {
    const x = c.array(Float32Array.from({ length: 500 }, (_, i) => 1000 + Math.sin(i)), [500, 1]);
    const ref = c.array(Float32Array.from({ length: 300 }, (_, i) => 1000 + Math.cos(i)), [300, 1]);
    const both = await samplePicture(x, "sct samples", ref);
    expect([both.image.width, both.image.height]).toEqual([800, 400]);
    expect(both.caption).toMatch(/histogram of the samples beside one of the training data \(300 rows\)/);
    const alone = await samplePicture(c.array([5], [1, 1]), "sct samples");
    expect(alone.image.width).toBe(400);
    expect(alone.caption).toMatch(/could not be read/);
  });

  it("D ≥ 3: principal-direction panels beside the data's, or the first two coordinates alone", async () => {
    const { values } = anisotropic(3, 400, 6, [4, 1]);
    const ref = c.array(Float32Array.from(values), [400, 6]);
    const pic = await samplePicture(ref, "scd samples", ref);
    expect(pic.image.width).toBe(800);
    expect(pic.caption).toMatch(/top-2 principal directions \(PC1 9\d%, PC2 \d%/);
    const alone = await samplePicture(ref, "scd samples");
    expect(alone.caption).toMatch(/first two coordinates/);
    await expect(samplePicture(ref, "x", c.zeros([3, 5]))).rejects.toThrow(/do not match samples \[400, 6\]/);
  });
});

describe("scm sample --out x.png of vector data", () => {
  const tiny = { backend: "cpu", batch: 16, width: 8, depth: 1, steps: 2, "checkpoint-every": 1000 };
  const fileOf = async (name: string, d: number) => {
    const file = join(root, `${name}.safetensors`);
    const x = c.array(Float32Array.from({ length: 200 * d }, (_, i) => 50 + 3 * Math.sin(i * 1.7)), [200, d]);
    await saveTensors(file, { x });
    return file;
  };

  for (const d of [1, 5]) {
    it(`D = ${d}: writes a PNG of two panels and names what it drew; alone once the data is gone`, async () => {
      const data = await fileOf(`d${d}`, d);
      const run = (await runTrain({ ...tiny, mode: "diffusion", data, out: join(root, `t${d}`) }, quiet)).dir;
      const lines: string[] = [];
      const out = join(root, `s${d}.png`);
      await runSample({ ckpt: run, n: 50, nfe: 3, backend: "cpu", out }, (l) => lines.push(l));
      const png = decodePng(readFileSync(out), out);
      expect([png.width, png.height]).toEqual([800, 400]);
      expect(lines.join("\n")).toMatch(d === 1 ? /histogram of the samples beside one of the training data/ : /data's top-2 principal directions/);
      renameSync(data, `${data}.moved`);
      await runSample({ ckpt: run, n: 1, nfe: 3, backend: "cpu", out: join(root, `alone${d}.png`) }, (l) => lines.push(l));
      expect(decodePng(readFileSync(join(root, `alone${d}.png`)), "alone").width).toBe(400);
      expect(lines.at(-1)).toMatch(/could not be read/);
    });
  }
});

describe("images that are not square, of two channels", () => {
  it("train with the default U-Net, and the PNG draws each channel as a gray image", async () => {
    const file = join(root, "rect.safetensors");
    await saveTensors(file, { x: c.tanh(c.random.normal(c.random.key(3), [40, 2, 4, 6])) });
    const run = await runTrain({ backend: "cpu", batch: 8, width: 8, steps: 2, mode: "diffusion", data: file, out: join(root, "rect") }, quiet);
    expect(run.cfg.modelConfig).toMatchObject({ imageSize: 4, imageWidth: 6, inChannels: 2 });
    const lines: string[] = [];
    const out = join(root, "rect.png");
    await runSample({ ckpt: run.dir, n: 4, nfe: 3, backend: "cpu", out }, (l) => lines.push(l));
    const png = decodePng(readFileSync(out), out);
    // 2 samples to a line, 2 channels each: 4 tiles of width 6 across and 2 rows of height 4, padded by 2 (imageGrid's default).
    expect([png.width, png.height]).toEqual([4 * 6 + 5 * 2, 2 * 4 + 3 * 2]);
    expect(lines.at(-1)).toMatch(/each sample's 2 channels as gray images side by side, 2 samples to a line/);
  });
});

describe("images stored in [0, 255]", () => {
  it("record their value range, and their samples are drawn on that gray scale, not [−1, 1]'s", async () => {
    const file = join(root, "bytes.safetensors");
    // Pixel 0 of every image is black (0), pixel 1 white (255), the rest in between.
    const v = Float32Array.from({ length: 40 * 16 }, (_, i) => (i % 16 === 0 ? 0 : i % 16 === 1 ? 255 : 60 + ((i * 37) % 120)));
    await saveTensors(file, { x: c.array(v, [40, 1, 4, 4]) });
    const run = await runTrain({ backend: "cpu", batch: 8, width: 8, steps: 2, mode: "diffusion", data: file, out: join(root, "bytes") }, quiet);
    expect(run.cfg.valueRange).toEqual([0, 255]);
    const out = join(root, "bytes.png");
    await writeSamples(out, c.array(v.slice(0, 16), [1, 1, 4, 4]), run.cfg);
    const png = decodePng(readFileSync(out), out);
    // The first tile starts after the grid's padding of 2; a gray PNG has one channel.
    const at = (x: number, y: number) => png.data[(y * png.width + x) * png.channels]!;
    expect([at(2, 2), at(3, 2)]).toEqual([0, 255]);
  });
});
