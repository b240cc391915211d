// The scm command end to end on tiny settings: train (diffusion, then sCD from it, then resume),
// sample to PNG and safetensors, eval; and bad input — unknown flags, missing files, a teacher
// that does not fit, a t-list that is not decreasing — gives one clear message and a non-zero exit.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "./args.js";
import type { DataArray } from "@scm-ts/core";
import { loadMnist } from "@scm-ts/data/node";
import { mnistClassifierRecordedSplit } from "@scm-ts/metrics/node";
import { resolveData } from "./datasets.js";
import { runEval, runSample, runTrain, trainFlags } from "./index.js";

const defaults = Object.fromEntries(Object.entries(trainFlags).map(([k, s]) => [k, s.default]));
const quiet = () => {};

describe("flags", () => {
  it("parses --k v, --k=v and booleans, fills defaults, and rejects bad input by name", () => {
    const f = parseFlags("train", ["--steps", "5", "--mode=scd", "--resume"], trainFlags);
    expect(f).toMatchObject({ steps: 5, mode: "scd", resume: true, backend: "auto" });
    expect(f.batch).toBeUndefined(); // resolved by the recipe (recipe.ts), not by the parser
    expect(() => parseFlags("train", ["--stpes", "5"], trainFlags)).toThrow(/unknown flag --stpes; see scm train --help/);
    expect(() => parseFlags("train", ["--steps", "many"], trainFlags)).toThrow(/--steps must be a number, got 'many'/);
    expect(() => parseFlags("train", ["--mode", "gan"], trainFlags)).toThrow(/--mode must be one of diffusion, sct, scd, cm-discrete/);
    expect(() => parseFlags("train", ["--out"], trainFlags)).toThrow(UsageError);
  });
});

describe("train, sample, eval", () => {
  it("trains a teacher, distils it, resumes, samples and evaluates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scm-cli-"));
    const base = { ...defaults, backend: "cpu", batch: 32, data: "ring" };
    await runTrain({ ...base, mode: "diffusion", steps: 6, out: join(dir, "t"), "checkpoint-every": 3 }, quiet);
    expect(existsSync(join(dir, "t", "checkpoint.safetensors"))).toBe(true);
    expect(readFileSync(join(dir, "t", "events.jsonl"), "utf8").trim().split("\n").length).toBeGreaterThan(0);
    const short = { "lr-schedule": "cosine", "ema-std": 0.05, weighting: "none" }; // the low-dimensional sCD defaults, spelled out
    await runTrain({ ...base, ...short, mode: "scd", steps: 4, teacher: join(dir, "t"), out: join(dir, "s") }, quiet);
    const resumed = await runTrain({ ...base, ...short, mode: "scd", steps: 6, teacher: join(dir, "t"), out: join(dir, "s"), resume: true }, quiet);
    expect(Number.isFinite(resumed.lastLoss)).toBe(true);
    expect(resumed.cfg).toMatchObject({ lrSchedule: "cosine", weighting: "none", ema: { kind: "power", std: 0.05 } });
    await expect(runTrain({ ...base, mode: "scd", steps: 8, weighting: "adaptive", teacher: join(dir, "t"), out: join(dir, "s"), resume: true }, quiet)).rejects.toThrow(/was trained with --weighting none, but --weighting adaptive was given; drop --weighting/);
    await expect(runTrain({ ...base, mode: "sct", steps: 2, "ema-std": 0.9, out: join(dir, "v") }, quiet)).rejects.toThrow(/--ema-std: .*σ_rel.*0\.9/);
    await expect(runTrain({ ...base, mode: "sct", steps: 2, ema: 1, out: join(dir, "v") }, quiet)).rejects.toThrow(/--ema must lie in \[0, 1\), got 1/);
    await runSample({ ckpt: join(dir, "s"), steps: 2, "t-mid": 1.1, n: 64, nfe: 35, seed: 0, backend: "cpu", out: join(dir, "x.png") }, quiet);
    await runSample({ ckpt: join(dir, "t"), steps: 1, n: 16, nfe: 5, seed: 0, backend: "cpu", out: join(dir, "x.safetensors") }, quiet);
    expect(readFileSync(join(dir, "x.png")).subarray(1, 4).toString()).toBe("PNG");
    expect(existsSync(join(dir, "x.safetensors"))).toBe(true);
    const figures = await runEval({ ckpt: join(dir, "s"), metric: "sw", steps: 1, nfe: 35, n: 128, seed: 0, backend: "cpu" }, quiet);
    expect(figures.sw).toBeGreaterThan(0);
    // eval's --t-mid reaches the 2-step sampler: the run's recorded t_mid (0.3 here) given explicitly scores the same, another not.
    const two = (tMid?: number) => runEval({ ckpt: join(dir, "s"), metric: "sw", steps: 2, n: 128, seed: 0, backend: "cpu", ...(tMid ? { "t-mid": tMid } : {}) }, quiet);
    const [recorded, same, other] = [await two(), await two(0.3), await two(1.1)];
    expect(same.sw).toBe(recorded.sw);
    expect(other.sw).not.toBe(recorded.sw);
    await expect(runTrain({ ...base, mode: "scd", steps: 2, teacher: join(dir, "nowhere"), out: join(dir, "u") }, quiet)).rejects.toThrow(/no checkpoint there/);
    await expect(runSample({ ckpt: join(dir, "s"), ts: "0.5,1.2", n: 4, nfe: 35, seed: 0, backend: "cpu", out: join(dir, "y.png") }, quiet)).rejects.toThrow(/t-list entry 1 \(1\.2\)/);
  }, 120_000);
});

describe("--data mnist", () => {
  it("trains on the feature classifier's training digits and scores against its held-out ones", async () => {
    const data = await resolveData("mnist", 0);
    const loaded = await loadMnist();
    const { train, heldOut } = await mnistClassifierRecordedSplit(loaded.shape[0]!);
    const key = (v: DataArray, i: number): string => v.subarray(i * 784, (i + 1) * 784).join(",");
    const trainSet = new Set(Array.from(train, (i) => key(loaded.values, i)));
    const heldSet = new Set(Array.from(heldOut, (i) => key(loaded.values, i)));
    const batch = await data.batch(3, 64).data(), ref = await data.reference(256, 7).data();
    for (let i = 0; i < 64; i++) expect(trainSet.has(key(batch, i))).toBe(true);
    for (let i = 0; i < 256; i++) expect(heldSet.has(key(ref, i))).toBe(true);
    expect(heldOut.length).toBe(2000);
  }, 60_000);
});

describe("the scm binary", () => {
  it.skipIf(!existsSync(join(__dirname, "..", "dist", "bin.js")))("exits 2 with one line on a usage error and 0 on --help", () => {
    const dist = join(__dirname, "..", "dist", "bin.js");
    const bad = spawnSync(process.execPath, [dist, "train", "--bogus"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("scm train: unknown flag --bogus; see scm train --help");
    const help = spawnSync(process.execPath, [dist, "sample", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--ckpt");
    const missing = spawnSync(process.execPath, [dist, "sample", "--ckpt", "/nonexistent/run", "--backend", "cpu"], { encoding: "utf8" });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split("\n").length).toBe(1);
  });
});
