// Step schedules: the EDM grid's endpoints and step count, the uniform grid, and validation — every malformed
// schedule (too short, non-finite, out of [0, π/2], not strictly decreasing, wrong end or start) is rejected
// with a message naming the entry, while any well-formed schedule passes.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { edmSchedule, ScheduleError, uniformSchedule, validateSchedule } from "./step-schedule.js";
import { tMax } from "./trigflow.js";

/** Random valid schedules: distinct sorted times in (0, π/2], with 0 appended. */
const validSchedule = fc
  .uniqueArray(fc.double({ min: 1e-6, max: Math.PI / 2, noNaN: true }), { minLength: 1, maxLength: 40 })
  .map((times) => [...times.sort((a, b) => b - a), 0]);

describe("builders", () => {
  test("edmSchedule(18) has 19 times from t_max = arctan(80/σ_d) to arctan(0.002/σ_d), then 0", () => {
    const schedule = edmSchedule(18);
    expect(schedule.length).toBe(19);
    expect(schedule[0]).toBeCloseTo(tMax(), 14);
    expect(schedule[17]).toBeCloseTo(Math.atan(0.002 / 0.5), 14);
    expect(schedule[18]).toBe(0);
    expect(() => validateSchedule(schedule)).not.toThrow();
  });

  test("edmSchedule and uniformSchedule are valid for any step count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0.1, max: 2, noNaN: true }), (steps, sigmaData) => {
        validateSchedule(edmSchedule(steps, { sigmaData }));
        const uniform = uniformSchedule(steps);
        validateSchedule(uniform, { start: Math.PI / 2 });
        expect(uniform.length).toBe(steps + 1);
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  test("builders reject bad arguments", () => {
    expect(() => edmSchedule(0)).toThrow(/steps must be a positive integer, got 0/);
    expect(() => edmSchedule(4, { sigmaMin: 100 })).toThrow(/sigmaMin 100/);
    expect(() => uniformSchedule(4, 0.2, 0.5)).toThrow(/start 0.2, end 0.5/);
  });
});

describe("validateSchedule", () => {
  test("accepts every strictly decreasing schedule in [0, π/2] that ends at 0", () => {
    fc.assert(fc.property(validSchedule, (schedule) => validateSchedule(schedule)), { seed: 42, numRuns: 200 });
  });

  test("rejects a schedule with two entries swapped, naming the entry", () => {
    fc.assert(
      fc.property(validSchedule.filter((s) => s.length >= 3), fc.nat(), (schedule, k) => {
        const i = 1 + (k % (schedule.length - 2));
        const swapped = [...schedule];
        [swapped[i - 1], swapped[i]] = [swapped[i]!, swapped[i - 1]!];
        expect(() => validateSchedule(swapped)).toThrow(new RegExp(`entry ${i} \\(.*\\) is not below entry ${i - 1}`));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  test("rejects each kind of malformed schedule with a clear message", () => {
    const cases: [number[], RegExp][] = [
      [[1], /needs at least 2 times/],
      [[1, Number.NaN, 0], /entry 1 is NaN; every time must be a finite number/],
      [[2, 1, 0], /entry 0 is 2, outside the TrigFlow interval \[0, π\/2/],
      [[1, -0.5], /entry 1 is -0.5, outside/],
      [[1, 1, 0], /entry 1 \(1\) is not below entry 0 \(1\)/],
      [[0.5, 1, 0], /must strictly decrease/],
      [[1.5, 0.5], /ends at 0.5 but must end at 0; append 0/],
    ];
    for (const [schedule, message] of cases) {
      expect(() => validateSchedule(schedule)).toThrow(ScheduleError);
      expect(() => validateSchedule(schedule)).toThrow(message);
    }
    expect(() => validateSchedule([1.5, 0.5], { end: 0.5 })).not.toThrow();
    expect(() => validateSchedule([1.5, 0], { start: Math.PI / 2 })).toThrow(/starts at 1.5 but must start at 1.57/);
    expect(() => validateSchedule([Math.PI / 2, 0], { startBelow: Math.PI / 2, context: "heun" })).toThrow(/^heun: starts at/);
  });
});
