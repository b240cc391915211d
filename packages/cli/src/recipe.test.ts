// The recipe's defaults: teachers of 8–255 entries per example train 12 000 steps, others 4000;
// students 12 000 in low dimension and 2000 (sCD on images 500) at image scale; 2-step sampling's
// t_mid 0.3 below 8 entries, 0.45 from 8 to 255, 1.1 above; the low-dimensional
// recipe (no adaptive weighting for sCD and sCT, c = 1, the teacher sampler
// DPM-Solver++(2M) from σ_max = 10) applies below 256 entries per example and the paper's above; the
// choice is said in one line; and flags override every training default.
import { describe, expect, it } from "vitest";
import { defaultSteps, imageBatch, lowDimension, recipeTMid, resolveRecipe } from "./recipe.js";

describe("resolveRecipe", () => {
  const said: string[] = [];
  const log = (l: string) => said.push(l);

  it("decides weighting and c from the data's dimension, and says so once", () => {
    said.length = 0;
    const low = resolveRecipe({}, "scd", [2], log);
    expect(low).toMatchObject({ steps: 12000, batch: 256, lr: 3e-4, lrSchedule: "cosine", weighting: "none", tangentC: 1, warmup: 1800, ema: { kind: "power", std: 0.05 } });
    expect(low.tMid).toBe(0.3);
    expect(low.sampleSigmaMax).toBeUndefined();
    expect(said).toEqual([expect.stringMatching(/2 entries per example is low-dimensional \(< 256\), so 12000 steps, peak rate 0\.0003, weighting none, tangent normalisation c = 1, 2-step sampling via t_mid = 0\.3/)]);
    expect(resolveRecipe({}, "sct", [2], log)).toMatchObject({ weighting: "none", tangentC: 1, tMid: 0.3 });
    expect(resolveRecipe({}, "sct", [1, 28, 28], log)).toMatchObject({ weighting: "adaptive", tangentC: 0.1 });
    expect(resolveRecipe({}, "scd", [1, 28, 28], log)).toMatchObject({ steps: 500, lr: 1e-4, weighting: "adaptive", tangentC: 0.1, tMid: 1.1 });
    expect(said.at(-1)).toMatch(/784 entries per example is image-scale, so 500 steps, peak rate 0\.0001 \(images\), weighting adaptive/);
    expect([defaultSteps("diffusion", 784), defaultSteps("diffusion", 2), defaultSteps("sct", 2), defaultSteps("scd", 2), defaultSteps("scd", lowDimension - 1), defaultSteps("scd", lowDimension), defaultSteps("sct", lowDimension), defaultSteps("cm-discrete", 2)]).toEqual([4000, 4000, 12000, 12000, 12000, 2000, 2000, 4000]);
    expect([7, 8, lowDimension - 1, lowDimension].map((d) => defaultSteps("diffusion", d))).toEqual([4000, 12000, 12000, 4000]);
    expect(resolveRecipe({}, "scd", [lowDimension], log)).toMatchObject({ steps: 2000, lr: 1e-3, tangentC: 0.1 });
    expect(said.at(-1)).toMatch(/image-scale, so 2000 steps, weighting adaptive, tangent normalisation c = 0\.1/);
    expect([7, 8, lowDimension - 1, lowDimension].map(recipeTMid)).toEqual([0.3, 0.45, 0.45, 1.1]);
    expect(resolveRecipe({}, "sct", [16], log).tMid).toBe(0.45);
    expect(said.at(-1)).toMatch(/16 entries per example is low-dimensional .*2-step sampling via t_mid = 0\.45/);
  });

  it("distils images 500 steps at 1e-4; sCT on images and sCD on long vectors keep 2000 at 1e-3", () => {
    const quiet = () => {};
    expect(resolveRecipe({}, "sct", [1, 28, 28], quiet)).toMatchObject({ steps: 2000, lr: 1e-3 });
    expect(resolveRecipe({}, "scd", [3, 16, 16], quiet)).toMatchObject({ steps: 500, lr: 1e-4, warmup: 75 });
    // Images too small for the image-scale recipe take the low-dimensional one, rate included.
    expect(resolveRecipe({}, "scd", [1, 8, 8], quiet)).toMatchObject({ steps: 12000, lr: 3e-4, weighting: "none" });
    expect(resolveRecipe({}, "sct", [2], quiet)).toMatchObject({ steps: 12000, lr: 1e-3 });
    said.length = 0;
    expect(resolveRecipe({ lr: 3e-4, steps: 800, batch: 32, weighting: "adaptive", "tangent-c": 0.1 }, "scd", [1, 28, 28], log)).toMatchObject({ steps: 800, lr: 3e-4 });
    expect(said).toEqual([]);
    resolveRecipe({ steps: 800, batch: 32, weighting: "adaptive", "tangent-c": 0.1 }, "scd", [1, 28, 28], log);
    expect(said).toEqual([expect.stringMatching(/image-scale, so peak rate 0\.0001 \(images\), 2-step sampling via t_mid = 1\.1/)]);
  });

  it("gives the diffusion teacher more steps, no warm-up, and in low dimension DPM-Solver++(2M) from σ_max = 10", () => {
    said.length = 0;
    expect(resolveRecipe({}, "diffusion", [2], log)).toMatchObject({ steps: 4000, warmup: 0, lr: 2e-3, sampleSigmaMax: 10, sampleMethod: "dpm-solver-2m" });
    expect(said).toEqual([expect.stringMatching(/low-dimensional \(< 256\), so the PF-ODE sampler is DPM-Solver\+\+\(2M\) on a grid from σ_max = 10 \(DPM-Solver-2 from EDM's 80 at image scale\)$/)]);
    said.length = 0;
    // From 8 entries the teacher trains 12 000 steps, and the line says so unless --steps was given.
    expect(resolveRecipe({}, "diffusion", [16], log).steps).toBe(12000);
    expect(said).toEqual([expect.stringMatching(/σ_max = 10 .*, 12000 steps \(8–255 entries; 4000 below; override with --steps\)$/)]);
    said.length = 0;
    expect(resolveRecipe({ steps: 500 }, "diffusion", [16], log).steps).toBe(500);
    expect(said).toEqual([expect.not.stringMatching(/12000/)]);
    said.length = 0;
    const image = resolveRecipe({}, "diffusion", [1, 28, 28], log);
    expect(image.sampleSigmaMax).toBeUndefined();
    expect(image.sampleMethod).toBeUndefined();
    expect(image.tMid).toBeUndefined();
    expect(image.batch).toBe(32);
    expect(said).toEqual([expect.stringMatching(/images of 784 entries train at batch 32 .*override with --batch/)]);
  });

  it("gives images a batch of about 2^15 entries, a power of two within [8, 256]; vectors 256", () => {
    expect([4, 144, 784, 3 * 32 * 32, 3 * 256 * 256].map(imageBatch)).toEqual([256, 128, 32, 8, 8]);
    const quiet = () => {};
    expect(resolveRecipe({}, "sct", [3, 8, 8], quiet).batch).toBe(128);
    expect(resolveRecipe({}, "sct", [784], quiet).batch).toBe(256);
    expect(resolveRecipe({ batch: 64 }, "sct", [1, 28, 28], quiet).batch).toBe(64);
  });

  it("lets flags override every default and rejects bad values by name", () => {
    said.length = 0;
    const r = resolveRecipe({ steps: 10, batch: 8, lr: 3e-4, "lr-schedule": "constant", weighting: "adaptive", "tangent-c": 0.5, warmup: 0, ema: 0.99 }, "scd", [2], log);
    expect(r).toEqual({ steps: 10, batch: 8, lr: 3e-4, lrSchedule: "constant", weighting: "adaptive", tangentC: 0.5, warmup: 0, ema: { kind: "fixed", beta: 0.99 }, tMid: 0.3 });
    expect(said).toEqual([]);
    expect(() => resolveRecipe({ "tangent-c": 0 }, "sct", [2], log)).toThrow(/--tangent-c must be positive/);
    expect(() => resolveRecipe({ warmup: 1.5 }, "sct", [2], log)).toThrow(/--warmup must be a whole number/);
    expect(() => resolveRecipe({ "ema-std": 0.9 }, "sct", [2], log)).toThrow(/--ema-std/);
  });
});
