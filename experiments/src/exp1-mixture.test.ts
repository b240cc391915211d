// The CI run of experiment 1 (issue 9: "a CI job runs a reduced version of experiment 1 … so the claim
// keeps holding"): the whole pipeline — exact-teacher sweep, diffusion pre-training, sCD and sCT with
// the committed short-run recipe, 1/2/4-step sampling, SW/MMD and flow-map errors — at the quick budget
// (diffusion 1000, sCD 1000, sCT 300 iterations; 4,000 samples per evaluation draw, averaged over 3
// draws), with the committed seeds. 272 s on the shared 2-core machine under load 7; from its phases'
// times at quiet load (sCD about 37 ms an iteration), about 3 minutes on a quiet 2-core CPU.
//
// Asserted, because it holds at this scale (SW means over the 3 draws, each ratio against the exact
// teacher's DPM-Solver-2 at 35 NFE, the paper's comparison point):
// - 1-step sCD within 10%. Measured with these seeds: 0.887× (draws 0.87, 0.90, 0.89); with every
//   training seed + 1, checked once by hand (`npm run exp -w @scm-ts/experiments -- exp1-mixture
//   --quick --recipe short-run --eval-draws 3 --seed 1`): 0.915× (0.89, 0.92, 0.94).
// - 2-step sCD within 5%. Measured: 0.679× (0.56, 0.85, 0.64); seeds + 1: 0.745× (0.59, 0.95, 0.71).
// At 4,000 points a fresh draw of the data scores about what the 35-NFE teacher does (0.0215 vs 0.0214),
// so these check that sCD reaches the teacher's level as far as the metric resolves it here; the
// diffusion network sCD starts from scores 1.39× (seeds + 1: 1.58×) at 35 NFE, so the checks fail if
// distillation stops working. One draw is not enough: experiment 1's published draw alone put 2-step at 1.24× a network
// that is 0.48–0.65× on six other draws (exp1-probe).
// Not asserted:
// - 1- and 2-step sCD within 10% / 5% of the teacher's best SW: that best (63 NFE) is at the metric's
//   floor, and at the full evaluation size no student comes within 10% of it (docs/results.md); at
//   this size the floor hides the difference (2-step "holds" at 0.89–0.98×, 1-step does not at
//   1.17–1.20×), so the verdict would say nothing.
// - sCT: not part of issue 9's claim; at 300 iterations its 1-step map is still far off (SW about 10×
//   the teacher's best), so only its 4-step samples are checked for sanity.
// The sanity checks below fail if any stage of the pipeline breaks.
import { beforeAll, describe, expect, it } from "vitest";
import { mixtureFigures, type MixtureFigures } from "./exp1-mixture.js";

describe("experiment 1, reduced (CI): short-run recipe, quick budget, 3 evaluation draws", () => {
  let f: MixtureFigures;
  beforeAll(async () => {
    f = await mixtureFigures({ quick: true, seed: 0, recipe: "short-run", evalDraws: 3, log: () => {} });
    const t = f.teacher.find((r) => r.nfe === 35 && r.method.includes("dpm-solver-2"))!;
    for (const m of ["sCD, 1 step", "sCD, 2 steps"]) {
      const r = f.students.find((s) => s.method === m)!;
      console.log(`${m}: ${(r.sw / t.sw).toFixed(3)}× the 35-NFE teacher (draws ${r.swDraws!.map((v, d) => (v / t.swDraws![d]!).toFixed(2)).join(", ")})`);
    }
  }, 900_000);

  const ddim = () => f.teacher.filter((r) => r.method.includes("ddim"));
  const at35 = () => f.teacher.find((r) => r.nfe === 35 && r.method.includes("dpm-solver-2"))!;
  const student = (m: string) => f.students.find((r) => r.method === m)!;

  it("produces finite scores everywhere and trains without skipped steps", () => {
    expect(f.evalDraws).toBe(3);
    for (const r of [...f.teacher, ...f.students]) {
      expect(Number.isFinite(r.sw), r.method).toBe(true);
      expect(Number.isFinite(r.mmd2), r.method).toBe(true);
      expect(r.swDraws, r.method).toHaveLength(3);
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

  it("sCT's 4-step samples beat the 5-NFE teacher ODE (sCT trains)", () => {
    expect(student("sCT, 4 steps").sw).toBeLessThan(ddim().find((r) => r.nfe === 5)!.sw);
  });

  it("claim: 1-step sCD within 10% of the exact teacher at 35 NFE (mean SW over the draws)", () => {
    expect(student("sCD, 1 step").sw / at35().sw).toBeLessThanOrEqual(1.1);
  });

  it("claim: 2-step sCD within 5% of the exact teacher at 35 NFE (mean SW over the draws)", () => {
    expect(student("sCD, 2 steps").sw / at35().sw).toBeLessThanOrEqual(1.05);
  });
});
