// The CI run of experiment 1 at its quick budget (issue 9: "a CI job runs a reduced version of
// experiment 1"): the whole pipeline — exact-teacher sweep, diffusion pre-training, sCD and sCT,
// 1/2/4-step sampling, SW/MMD and flow-map errors — end to end, with sanity checks that fail if any
// stage breaks. The paper's claim itself (2-step sCD within 5% of the teacher's best) is reported by
// the experiment, and does not hold yet at this scale (see docs/results.md), so it is not asserted here.
import { beforeAll, describe, expect, it } from "vitest";
import { mixtureFigures, type MixtureFigures } from "./exp1-mixture.js";

describe("experiment 1, quick budget", () => {
  let f: MixtureFigures;
  beforeAll(async () => {
    f = await mixtureFigures({ quick: true, seed: 0, log: () => {} });
  }, 600_000);

  const ddim = () => f.teacher.filter((r) => r.method.includes("ddim"));
  const student = (m: string) => f.students.find((r) => r.method === m)!;

  it("produces finite scores everywhere and trains without skipped steps", () => {
    for (const r of [...f.teacher, ...f.students]) {
      expect(Number.isFinite(r.sw), r.method).toBe(true);
      expect(Number.isFinite(r.mmd2), r.method).toBe(true);
    }
    for (const [name, p] of Object.entries(f.phases)) {
      expect(p.diverged, name).toBe(false);
      expect(p.skipped, name).toBe(0);
    }
  });

  it("the exact teacher improves with NFE (DDIM: SW and flow-map error fall at every doubling from 3 NFE)", () => {
    const rows = ddim().filter((r) => r.nfe >= 3);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.sw).toBeLessThan(rows[i - 1]!.sw);
      expect(rows[i]!.flowError!).toBeLessThan(rows[i - 1]!.flowError!);
    }
  });

  it("the exact teacher at 63 NFE is within 2× the metric's floor (a fresh draw of the data)", () => {
    const best = Math.min(...f.teacher.map((r) => r.sw));
    expect(best).toBeLessThan(2 * f.floor.sw);
  });

  it("1-step sCD and sCT beat the 5-NFE teacher ODE (the models learned a useful one-step map)", () => {
    const five = ddim().find((r) => r.nfe === 5)!.sw;
    expect(student("sCD, 1 step").sw).toBeLessThan(five);
    expect(student("sCT, 1 step").sw).toBeLessThan(five);
  });
});
