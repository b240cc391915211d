// The demo's trainer on the CPU backend: the sCT loss falls over the first steps, and after a couple of
// hundred steps 1- and 2-step samples land on the ring (closer to the data than the prior noise is).
import { describe, expect, it } from "vitest";
import { createSctTrainer, defaultDemoConfig } from "./sct-trainer.js";

describe("createSctTrainer", () => {
  it("lowers the loss and moves 1-step samples towards the ring", async () => {
    const t = createSctTrainer(defaultDemoConfig);
    const losses = [];
    for (let i = 0; i < 8; i++) losses.push(...(await t.advance(25)));
    expect(t.step).toBe(200);
    expect(losses.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const mean = (a: { loss: number }[]) => a.reduce((s, p) => s + p.loss, 0) / a.length;
    expect(mean(losses.slice(-50))).toBeLessThan(mean(losses.slice(0, 5)));
    const radius = (xy: Float32Array) => {
      let s = 0;
      for (let i = 0; i < xy.length; i += 2) s += Math.abs(Math.hypot(xy[i]!, xy[i + 1]!) - Math.sqrt(2 * (0.25 - 0.0064)));
      return s / (xy.length / 2);
    };
    // The prior N(0, σ_d² I) by Box–Muller from a fixed LCG: what the samplers start from.
    let s = 12345;
    const u = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
    const noise = Float32Array.from({ length: 1000 }, () => 0.5 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
    const one = await t.sample(1, 500), two = await t.sample(2, 500), data = await t.data(500);
    expect(one.length).toBe(1000);
    expect(radius(one)).toBeLessThan(0.5 * radius(noise));
    expect(radius(two)).toBeLessThan(radius(noise));
    expect(radius(data)).toBeLessThan(0.1); // modes of std 0.08 on the ring
    t.dispose();
  });
});
