// Learning-rate schedules (values at chosen steps, EDM2's inverse square root decay) and clipping by
// global norm (direction kept, norm capped, small gradients untouched).
import * as c from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { clipByGlobalNorm, globalNorm } from "./clip.js";
import { constantSchedule, cosineSchedule, inverseSqrtSchedule, scheduleAt, warmupSchedule } from "./schedules.js";

describe("schedules", () => {
  test("constant, linear warm-up and inverse square root decay", async () => {
    expect(await scheduleAt(constantSchedule(0.3), 7)).toBeCloseTo(0.3, 7);
    const warm = warmupSchedule({ peak: 1e-3, warmupSteps: 100 });
    expect(await scheduleAt(warm, 25)).toBeCloseTo(2.5e-4, 9);
    expect(await scheduleAt(warm, 1000)).toBeCloseTo(1e-3, 9);
    const isqrt = inverseSqrtSchedule({ peak: 1e-2, tRef: 35000, warmupSteps: 1000 });
    expect(await scheduleAt(isqrt, 500)).toBeCloseTo(5e-3, 8);
    expect(await scheduleAt(isqrt, 35000)).toBeCloseTo(1e-2, 8);
    expect(await scheduleAt(isqrt, 140000)).toBeCloseTo(5e-3, 8); // α_ref/sqrt(4)
    expect(() => inverseSqrtSchedule({ peak: 1, tRef: 0 })).toThrow("inverseSqrtSchedule: tRef must be a finite positive number, got 0");
  });

  test("cosine decay: peak at 0, half at the midpoint, 0 at the end and after it", async () => {
    const cos = cosineSchedule({ peak: 1e-3, steps: 400 });
    expect(await scheduleAt(cos, 0)).toBeCloseTo(1e-3, 9);
    expect(await scheduleAt(cos, 100)).toBeCloseTo(1e-3 * (1 + Math.SQRT1_2) / 2, 9);
    expect(await scheduleAt(cos, 200)).toBeCloseTo(5e-4, 9);
    expect(await scheduleAt(cos, 400)).toBeCloseTo(0, 9);
    expect(await scheduleAt(cos, 900)).toBeCloseTo(0, 9);
    expect(() => cosineSchedule({ peak: 1, steps: 0 })).toThrow("cosineSchedule: steps must be a finite positive number, got 0");
  });
});

describe("clipByGlobalNorm", () => {
  test("caps the global norm, keeps the direction, leaves small gradients alone", async () => {
    const grads = { a: c.array([3, 0]), b: [c.array([[0, 4]])] };
    expect(await globalNorm(grads).item()).toBeCloseTo(5, 6);
    const [clipped, norm] = clipByGlobalNorm(grads, 1);
    expect(await norm.item()).toBeCloseTo(5, 6);
    expect(Array.from(await clipped.a.data())).toEqual([Math.fround(0.6), 0]);
    expect(Array.from(await clipped.b[0]!.data())).toEqual([0, Math.fround(0.8)]);
    const [same] = clipByGlobalNorm(grads, 10);
    expect(Array.from(await same.a.data())).toEqual([3, 0]);
    expect(() => clipByGlobalNorm(grads, -1)).toThrow(/maxNorm must be a finite positive number/);
  });
});
