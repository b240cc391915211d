// The demo's trainer on the CPU backend, headless. A short run checks the mechanics: the step count
// and phase across the switch from diffusion to sCT, the loss falling in each phase, and 1-step
// samples landing on the ring. The full run of the default config checks what a visitor must see at
// the end: in 1 and 2 steps, every one of the ring's 8 modes holds at least half its share (1/16) of
// 2000 samples, and ≥ 90% of the samples lie within 3 std (Euclidean, 3·0.08) of their nearest mode's
// centre (exact draws: 1 − e^{−9/2} ≈ 98.9%). That alone does not tell modes from a ring: samples
// spread evenly round the ring (its radius exact or blurred by the modes' std) are 83–88% within 3 std
// of a centre, since 3 std is most of half the gap between modes. So it also asks ≥ 75% within 2 std
// (exact draws: 1 − e^{−2} ≈ 86.5%; the even ring: 50–59%). The mode shares come from
// @scm-ts/metrics' `modeMetrics` over the ring's exact density (its "3σ" is the χ²₂ quantile at
// 0.9973, i.e. 3.44 std in 2-D, so the std checks are done here by hand). It writes the data, 1-step
// and 2-step panels as one PNG to <tmpdir>/browser-demo.png, to look at.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import { ringOfGaussians } from "@scm-ts/data";
import { scatterPlot, type Rgb } from "@scm-ts/io";
import { encodePng } from "@scm-ts/io/node";
import { modeMetrics } from "@scm-ts/metrics";
import { createSctTrainer, defaultDemoConfig, type DemoConfig } from "./sct-trainer.js";

const ring = ringOfGaussians();
const std = Math.sqrt((ring.components[0]!.covariance as { variance: number }).variance);

/** Mode shares (modeMetrics) and the fractions of points within 3 and 2 std of the nearest mode centre. */
async function ringReport(xy: Float32Array) {
  const m = await modeMetrics(c.array(xy, [xy.length / 2, 2]), ring.density());
  let near3 = 0, near2 = 0;
  for (let i = 0; i < xy.length; i += 2) {
    const d = Math.min(...ring.components.map((k) => Math.hypot(xy[i]! - k.mean[0]!, xy[i + 1]! - k.mean[1]!)));
    if (d <= 3 * std) near3++;
    if (d <= 2 * std) near2++;
  }
  const n = xy.length / 2;
  return { shares: m.shares.map((s) => s.share), modesCovered: m.modesCovered, nonFinite: m.nonFinite, within3Std: near3 / n, within2Std: near2 / n };
}

/** The three panels side by side as one RGB PNG (as `scm demo` composes its plots). */
function panelsPng(panels: { points: Float32Array; color: Rgb; title: string }[]): Uint8Array {
  const images = panels.map((p) => scatterPlot([{ points: p.points, color: p.color }], { width: 320, height: 320, x: { min: -1.2, max: 1.2 }, y: { min: -1.2, max: 1.2 }, title: p.title }));
  const W = images.reduce((s, p) => s + p.width, 0), H = images[0]!.height, strip = new Uint8Array(W * H * 3);
  let x0 = 0;
  for (const p of images) {
    for (let y = 0; y < H; y++) strip.set(p.data.subarray(y * p.width * 3, (y + 1) * p.width * 3), (y * W + x0) * 3);
    x0 += p.width;
  }
  return encodePng({ width: W, height: H, channels: 3, data: strip });
}

describe("createSctTrainer", () => {
  it("switches from diffusion to sCT, lowers each phase's loss and moves 1-step samples onto the ring", async () => {
    await c.setBackend("cpu");
    const config: DemoConfig = { ...defaultDemoConfig, diffusion: { ...defaultDemoConfig.diffusion, steps: 120 }, sct: { ...defaultDemoConfig.sct, steps: 80, batch: 256, warmup: 40 } };
    const t = createSctTrainer(config);
    expect([t.step, t.totalSteps, t.phase]).toEqual([0, 200, "diffusion"]);
    const losses = [];
    for (let i = 0; i < 7; i++) losses.push(...(await t.advance(30))); // crosses the switch inside a chunk
    expect([t.step, t.phase]).toEqual([200, "sct"]);
    expect(await t.advance(10)).toEqual([]); // the run is over
    expect(losses.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(losses.map((p) => p.phase)).toEqual([...Array<string>(120).fill("diffusion"), ...Array<string>(80).fill("sct")]);
    const mean = (a: { loss: number }[]) => a.reduce((s, p) => s + p.loss, 0) / a.length;
    expect(mean(losses.slice(100, 120))).toBeLessThan(mean(losses.slice(0, 5)));
    expect(mean(losses.slice(180))).toBeLessThan(mean(losses.slice(120, 125)));
    // Mean distance to the ring's radius: the prior N(0, σ_d² I) is ≈ 0.3 from it, data ≈ 0.06.
    const radius = (xy: Float32Array) => {
      let s = 0;
      for (let i = 0; i < xy.length; i += 2) s += Math.abs(Math.hypot(xy[i]!, xy[i + 1]!) - Math.hypot(...ring.components[0]!.mean));
      return s / (xy.length / 2);
    };
    const one = await t.sample(1, 500), two = await t.sample(2, 500), data = await t.data(500);
    expect(one.length).toBe(1000);
    expect(radius(data)).toBeLessThan(0.1);
    expect(radius(one)).toBeLessThan(0.15);
    expect(radius(two)).toBeLessThan(0.15);
    t.dispose();
  });

  it("ends the default run with the 8 modes separated in 1 and 2 steps", async () => {
    await c.setBackend("cpu");
    const t = createSctTrainer(defaultDemoConfig);
    const t0 = performance.now();
    while (t.step < t.totalSteps) await t.advance(50); // chunks, as the page trains
    const seconds = (performance.now() - t0) / 1000;
    const n = 2000, data = await t.data(n), one = await t.sample(1, n), two = await t.sample(2, n);
    const png = join(tmpdir(), "browser-demo.png");
    writeFileSync(png, panelsPng([
      { points: data, color: [85, 85, 85], title: "data: ring of 8 Gaussians" },
      { points: one, color: [31, 119, 180], title: `sCT, 1 step (step ${t.step})` },
      { points: two, color: [214, 39, 40], title: `sCT, 2 steps (step ${t.step})` },
    ]));
    t.dispose();
    const reports = { data: await ringReport(data), oneStep: await ringReport(one), twoStep: await ringReport(two) };
    const fmt = (r: Awaited<ReturnType<typeof ringReport>>) => `shares ${r.shares.map((s) => s.toFixed(3)).join(" ")}, within 3 std ${r.within3Std.toFixed(3)}, within 2 std ${r.within2Std.toFixed(3)}`;
    console.log(`demo run: ${t.totalSteps} steps in ${seconds.toFixed(1)} s; panels in ${png}\n${Object.entries(reports).map(([k, r]) => `  ${k}: ${fmt(r)}`).join("\n")}`);
    expect(reports.data.within3Std).toBeGreaterThan(0.97);
    expect(reports.data.within2Std).toBeGreaterThan(0.83);
    for (const r of [reports.oneStep, reports.twoStep]) {
      expect(r.nonFinite).toBe(0);
      expect(r.modesCovered).toBe(8);
      for (const s of r.shares) expect(s).toBeGreaterThanOrEqual(1 / 16);
      expect(r.within3Std).toBeGreaterThanOrEqual(0.9);
      expect(r.within2Std).toBeGreaterThanOrEqual(0.75);
    }
  }, 600_000);
});
