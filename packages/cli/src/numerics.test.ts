// Non-finite numbers never pass as a result (issue 18, items 5 and 17): a run of mostly non-finite
// steps (--lr 1e39) stops with an error and its last checkpoint is finite; a checkpoint with NaN
// weights is refused by sample, eval, --resume and --teacher (sample and eval load it with
// --allow-nonfinite, and then still fail rather than pass NaN samples as a success); --lr ≤ 0 is refused.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { adam } from "@scm-ts/nn";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { countNonFinite, loadRun, maxSkippedFraction, parseFlags, runEval, runSample, runTrain, saveRun, trainFlags } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "scm-numerics-"));
const quiet = () => {};
const tiny = { backend: "cpu", data: "ring", batch: 16, width: 8, depth: 1, "checkpoint-every": 1000 };

describe("a diverging run", () => {
  it("--lr 1e39 stops with an error after the threshold; the checkpoints it kept are finite", async () => {
    const dir = join(root, "huge-lr");
    const run = runTrain({ ...tiny, mode: "sct", steps: 30, lr: 1e39, "checkpoint-every": 1, out: dir }, quiet);
    await expect(run).rejects.toThrow(/10 of 10 steps had a non-finite loss, gradient or update .*stopped at step 10, the last checkpoint is kept; lower --lr/);
    expect(maxSkippedFraction).toBe(0.1);
    const r = await loadRun(dir, adam({ learningRate: 1 }));
    expect(r.step).toBe(9);
    expect((await countNonFinite({ params: r.state.params, ema: r.state.ema, opt: r.state.opt })).bad).toBe(0);
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; reason?: string });
    expect(events.at(-1)).toMatchObject({ kind: "stopped", reason: "non-finite" });
  });

  it("--lr -1, --lr 0 and --lr= are refused before any work", async () => {
    for (const lr of [-1, 0]) {
      const dir = join(root, `lr${lr}`);
      await expect(runTrain({ ...tiny, mode: "sct", steps: 2, lr, out: dir }, quiet)).rejects.toThrow(/--lr must be a positive number/);
      expect(existsSync(dir)).toBe(false);
    }
    expect(() => parseFlags("train", ["--lr="], trainFlags)).toThrow(/--lr must be a number, got ''/);
  });
});

describe("a checkpoint with non-finite weights", () => {
  const dir = join(root, "nan");
  beforeAll(async () => {
    await runTrain({ ...tiny, mode: "diffusion", steps: 2, out: dir }, quiet);
    const r = await loadRun(dir, adam({ learningRate: 1 }));
    // Half the entries of every weight NaN, as a diverged run leaves them.
    const poison = (t: Tensor) => c.where(c.greater(c.random.uniform(c.random.key(1), [...t.shape]), 0.5), c.full([...t.shape], NaN), t);
    await saveRun(dir, r.cfg, { ...r.state, params: c.treeMap(r.state.params, poison), ema: c.treeMap(r.state.ema, poison) }, r.step);
  });

  it("is refused by sample and eval, which name --allow-nonfinite", async () => {
    await expect(runSample({ ckpt: dir, n: 8, backend: "cpu", out: join(root, "s.safetensors") })).rejects.toThrow(/weights hold \d+ non-finite values .*pass --allow-nonfinite/);
    expect(existsSync(join(root, "s.safetensors"))).toBe(false);
    await expect(runEval({ ckpt: dir, n: 8, metric: "sw", backend: "cpu" })).rejects.toThrow(/non-finite values/);
  });

  it("with --allow-nonfinite, sample writes the samples but still fails; eval fails on them", async () => {
    await expect(runSample({ ckpt: dir, n: 8, backend: "cpu", out: join(root, "s.safetensors"), "allow-nonfinite": true })).rejects.toThrow(/wrote .* but \d+ of its 16 values are NaN/);
    expect(existsSync(join(root, "s.safetensors"))).toBe(true);
    await expect(runEval({ ckpt: dir, n: 8, metric: "sw", backend: "cpu", "allow-nonfinite": true })).rejects.toThrow(/sampled values are NaN/);
  });

  it("is refused as a run to resume and as a teacher, and left as it was", async () => {
    const before = readFileSync(join(dir, "checkpoint.safetensors"));
    await expect(runTrain({ ...tiny, steps: 4, out: dir, resume: true }, quiet)).rejects.toThrow(/non-finite values/);
    await expect(runTrain({ ...tiny, mode: "scd", steps: 2, teacher: dir, out: join(root, "student") }, quiet)).rejects.toThrow(/non-finite values/);
    expect(readFileSync(join(dir, "checkpoint.safetensors")).equals(before)).toBe(true);
  });
});
