// `scm train --resume` continues the run it resumes (issue 18, item 16): without repeating --mode,
// --data, --batch, --lr, --seed, --warmup or --p-mean it trains with the recorded ones (not the
// defaults, e.g. not the default `ring` data); a flag that contradicts them is refused naming both
// values; a longer --steps is recorded as an event; a finished run says so.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runTrain } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "scm-resume-"));
const quiet = () => {};
const recorded = { backend: "cpu", mode: "sct", data: "moons", batch: 24, lr: 5e-4, seed: 3, warmup: 2, "p-mean": -0.7, width: 8, depth: 1, "checkpoint-every": 1000 };
const bytes = (f: string) => readFileSync(f).toString("base64");

describe("resume", () => {
  const dir = join(root, "r");
  beforeAll(async () => {
    await runTrain({ ...recorded, steps: 3, out: dir }, quiet);
  });

  for (const [flag, value, was] of [["batch", 32, 24], ["lr", 1e-3, 5e-4], ["seed", 0, 3], ["data", "ring", "moons"], ["warmup", 0, 2], ["p-mean", -1, -0.7], ["mode", "diffusion", "sct"], ["lr-schedule", "constant", "cosine"], ["width", 16, 8], ["depth", 2, 1]] as const) {
    it(`refuses --${flag} ${value}, naming the recorded --${flag} ${was}`, async () => {
      const before = bytes(join(dir, "checkpoint.safetensors"));
      await expect(runTrain({ backend: "cpu", out: dir, resume: true, steps: 5, [flag]: value }, quiet)).rejects.toThrow(
        new RegExp(`was trained with --${flag} ${String(was)}, but --${flag} ${String(value)} was given; drop --${flag}`),
      );
      expect(bytes(join(dir, "checkpoint.safetensors"))).toBe(before);
    });
  }

  it("takes mode, data, batch, lr, seed, warm-up and P_mean from the checkpoint, and records --steps 3 → 5 as an event", async () => {
    const r = await runTrain({ backend: "cpu", out: dir, resume: true, steps: 5, lr: 5e-4 }, quiet);
    expect(r.cfg).toMatchObject({ mode: "sct", data: "moons", batch: 24, lr: 5e-4, seed: 3, warmup: 2, time: { pMean: -0.7 }, steps: 5 });
    expect(r.stepsRun).toBe(2);
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; step: number; changed?: unknown });
    expect(events.find((e) => e.kind === "resume")).toEqual({ kind: "resume", step: 3, mode: "sct", changed: { steps: { from: 3, to: 5 } } });
  });

  it("a finished run says it is finished instead of training nothing", async () => {
    await expect(runTrain({ backend: "cpu", out: dir, resume: true }, quiet)).rejects.toThrow(/is finished \(step 5 of 5\); give a larger --steps/);
    await expect(runTrain({ backend: "cpu", out: dir, resume: true, steps: 4 }, quiet)).rejects.toThrow(/is at step 5, past --steps 4/);
  });
});
