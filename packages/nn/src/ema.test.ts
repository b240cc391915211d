// EMA and EDM2's power-function EMA: the half-life decay, the closed-form average of a linear ramp
// under a power profile, σ_rel ↔ γ round trips, and post-hoc reconstruction: a snapshot reproduces
// itself, and an unseen width is reconstructed from snapshots of two other widths.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { emaBeta, emaInit, emaUpdate } from "./ema.js";
import { solvePosthocCoefficients, reconstructPosthocEma } from "./posthoc-ema.js";
import { expToStd, powerEmaInit, powerEmaSnapshots, powerEmaUpdate, stdToExp, type PowerEmaSnapshot } from "./power-ema.js";

describe("EMA with a half-life", () => {
  test("β = 0.5^(B/h): after h images of a step change the average is halfway", async () => {
    const cfg = { halfLifeImages: 500, batchSize: 50 };
    expect(emaBeta(cfg)).toBeCloseTo(Math.pow(0.5, 0.1), 12);
    expect(emaBeta({ ...cfg, rampupRatio: 0.05 }, 1000)).toBeCloseTo(Math.pow(0.5, 1), 12); // h = min(500, 50)
    let ema = emaInit({ w: c.zeros([1]) });
    for (let i = 0; i < 10; i++) ema = emaUpdate(ema, { w: c.ones([1]) }, emaBeta(cfg));
    expect(await ema.w.item()).toBeCloseTo(0.5, 5);
  });
});

describe("power-function EMA", () => {
  test("σ_rel ↔ γ round trip, and EDM2's pair (0.05, 0.10)", () => {
    for (const g of [0.5, 3, 6.94, 16.97, 100]) expect(stdToExp(expToStd(g))).toBeCloseTo(g, 6);
    expect(stdToExp(0.1)).toBeCloseTo(6.94, 1);
    expect(stdToExp(0.05)).toBeCloseTo(16.97, 1);
    expect(() => stdToExp(0.5)).toThrow(/std \(σ_rel\) must lie in/);
  });

  test("the average of x_t = t under profile τ^γ tends to (γ+1)/(γ+2)·t", async () => {
    let state = powerEmaInit({ x: c.zeros([1], { dtype: "float64" }) }, [0.05, 0.1]);
    const steps = 2000;
    for (let t = 1; t <= steps; t++) state = powerEmaUpdate(state, { x: c.full([1], t, { dtype: "float64" }) }, 1);
    for (let i = 0; i < 2; i++) {
      const g = stdToExp(state.stds[i]!);
      expect((await state.emas[i]!.x.item()) / steps).toBeCloseTo((g + 1) / (g + 2), 2);
    }
  });

  test("post-hoc reconstruction: a snapshot reproduces itself; an unseen σ_rel matches a tracked one", async () => {
    const x = solvePosthocCoefficients([100, 200, 300], [0.05, 0.05, 0.05], [200], [0.05]);
    expect(x.map((r) => r[0]!)).toEqual([expect.closeTo(0, 6), expect.closeTo(1, 6), expect.closeTo(0, 6)]);
    // Train a scalar "parameter" along a smooth path; track σ_rel 0.05 and 0.10 (snapshotted) and 0.07 (truth).
    let tracked = powerEmaInit({ w: c.zeros([1], { dtype: "float64" }) }, [0.05, 0.1, 0.07]);
    const snaps: PowerEmaSnapshot<{ w: Tensor }>[] = [];
    for (let t = 1; t <= 4000; t++) {
      tracked = powerEmaUpdate(tracked, { w: c.full([1], Math.sin(t / 700) + t / 4000, { dtype: "float64" }) }, 1);
      if (t % 400 === 0) snaps.push(...powerEmaSnapshots(tracked).filter((s) => s.std !== 0.07));
    }
    const rebuilt = await reconstructPosthocEma(snaps, 0.07).w.item();
    const truth = await tracked.emas[2]!.w.item();
    expect(Math.abs(rebuilt - truth)).toBeLessThan(2e-3);
  });
});
