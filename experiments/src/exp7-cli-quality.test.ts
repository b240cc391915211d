// Experiment 7's claims from the sets' scores: each acceptance item holds only when every set meets
// it, its detail names the sets that pass and the gap of those that do not, and a lost mode is named.
import { describe, expect, it } from "vitest";
import { exp7Claims, qualityGap } from "./exp7-cli-quality.js";

const score = (logDensity: number, modesCovered = 8) => ({ logDensity, modesCovered, modes: 8 });
const run = (name: string, p: [number, number, number, number, number], covered = 8) => ({
  name,
  scores: { data: score(p[0]), teacher: score(p[1]), sCD1: score(p[2]), sCD2: score(p[3]), sCT2: score(p[4], covered) },
});

describe("exp7Claims", () => {
  const ring = run("ring", [0.5, 0.4, 0.33, 0.44, 0.37]);
  const spirals = run("spirals", [0.5, 0.1, -1.2, -0.3, -1.5], 7);

  it("measures the teacher from a data draw and the students from the teacher", () => {
    expect(qualityGap(ring, "teacher")).toBeCloseTo(0.1, 12);
    expect(qualityGap(ring, "sCD1")).toBeCloseTo(0.07, 12);
    expect(qualityGap(ring, "sCD2")).toBeCloseTo(-0.04, 12);
  });

  it("holds only where every set meets the mark, naming the sets and the gaps", () => {
    const [teacher, sCD1, sCD2, sCT2, modes] = exp7Claims([ring, spirals]);
    expect(exp7Claims([ring]).every((c) => c.holds)).toBe(true);
    expect([teacher!.holds, sCD1!.holds, sCD2!.holds, sCT2!.holds, modes!.holds]).toEqual([false, false, false, false, false]);
    expect(teacher!.detail).toBe("holds on ring; not on spirals (0.40 nats)");
    expect(sCD1!.detail).toBe("holds on ring; not on spirals (1.30 nats)");
    expect(modes!.detail).toBe("holds on ring; not on spirals (sCT, 2 steps 7/8)");
  });
});
