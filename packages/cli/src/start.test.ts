// Where a run starts, end to end on tiny settings: data at another scale and location trains in
// standardised space and comes back at its own (the transform recorded in the checkpoint); sCD and
// sCT start from the teacher's EMA weights unless --init none; and the teacher, --init and
// --sigma-data mismatches are usage errors that name both sides.
import * as c from "@scm-ts/core";
import { saveTensors } from "@scm-ts/io/node";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate, loadRun, runTrain, trainFlags } from "./index.js";
import { adam } from "@scm-ts/nn";

const defaults = Object.fromEntries(Object.entries(trainFlags).map(([k, s]) => [k, s.default]));
const quiet = () => {};
const dir = mkdtempSync(join(tmpdir(), "scm-start-"));
const file = (name: string) => join(dir, name);

// [n, 3] data: coordinate 0 ~ 20 + 5·N(0,1), 1 ~ −3 + 0.01·N(0,1), 2 constant 7.
async function writeData(name: string, n: number, seed: number, constant = 7): Promise<string> {
  const z = c.random.normal(c.random.key(seed), [n, 2]);
  const x = c.concat([c.add(c.mul(c.slice(z, [0, 0], [n, 1]), 5), 20), c.add(c.mul(c.slice(z, [0, 1], [n, 2]), 0.01), -3), c.full([n, 1], constant)], 1);
  await saveTensors(file(name), { x });
  return file(name);
}

describe("a run's start", () => {
  const base = { ...defaults, backend: "cpu", batch: 64, "checkpoint-every": 1000 };
  const small = { width: 32, depth: 1 };
  let data: string;
  const lines: string[] = [];
  beforeAll(async () => {
    data = await writeData("x.safetensors", 2048, 1);
    await runTrain({ ...base, ...small, mode: "diffusion", data, steps: 300, "lr-schedule": "cosine", lr: 3e-3, out: file("t") }, (l) => lines.push(l));
  }, 120_000);

  it("standardises data of another scale and maps samples back", async () => {
    expect(lines.join("\n")).toMatch(/standardised to σ_d = 0\.5/);
    expect(lines.join("\n")).toMatch(/coordinate 2 is constant; kept at scale 1/);
    const run = await loadRun(file("t"), adam({ learningRate: 1 }));
    expect(run.cfg.dataTransform!.shift[0]).toBeCloseTo(20, 0);
    expect(run.cfg.dataTransform!.scale[0]).toBeCloseTo(0.1, 1);
    const x = generate(run.net, run.state.ema, run.cfg, { n: 2000, seed: 3, nfe: 35 });
    const m = c.mean(x, 0).dataSync(), s = c.sqrt(c.mean(c.square(c.sub(x, c.mean(x, 0, true))), 0)).dataSync();
    expect(m[0]).toBeGreaterThan(19);
    expect(m[0]).toBeLessThan(21);
    expect(s[0]).toBeGreaterThan(4);
    expect(s[0]).toBeLessThan(6);
    expect(m[1]).toBeCloseTo(-3, 1);
    expect(s[1]).toBeLessThan(0.05);
    expect(m[2]).toBeCloseTo(7, 2);
  });

  it("starts sCD and sCT from the teacher's EMA weights by default, from scratch with --init none", async () => {
    const seen: string[] = [];
    const scd = await runTrain({ ...base, mode: "scd", data, teacher: file("t"), steps: 1, lr: 1e-12, out: file("s") }, (l) => seen.push(l));
    expect(seen.join("\n")).toMatch(/scd: starting from the EMA weights of .*\/t \(a mlp\)/);
    const teacher = await loadRun(file("t"), adam({ learningRate: 1 }));
    const a = c.treeLeaves<c.Tensor>(teacher.state.ema), b = c.treeLeaves<c.Tensor>(scd.ema);
    const gap = Math.max(...a.map((t, i) => c.max(c.abs(c.sub(t, b[i]!))).dataSync()[0]!));
    expect(gap).toBeLessThan(1e-6);
    expect(scd.cfg.dataTransform).toEqual(teacher.cfg.dataTransform);
    seen.length = 0;
    await runTrain({ ...base, ...small, mode: "sct", data, teacher: file("t"), init: "none", steps: 1, out: file("c") }, (l) => seen.push(l));
    expect(seen.join("\n")).toMatch(/sct: starting from random weights/);
  }, 60_000);

  it("rejects a teacher that is not a diffusion run, of other data, or of another σ_d, and an --init of another architecture", async () => {
    const other = await writeData("y.safetensors", 512, 2, 9);
    await expect(runTrain({ ...base, mode: "scd", data, teacher: file("s"), steps: 1, out: file("u") }, quiet)).rejects.toThrow(/--teacher .*s: that is a --mode scd run; --teacher needs a --mode diffusion run/);
    await expect(runTrain({ ...base, mode: "scd", data: other, teacher: file("t"), steps: 1, out: file("u") }, quiet)).rejects.toThrow(/trained on data with mean \[20\.\d, -3\.00, 7\.00\].*has mean \[.*9\.00\]/);
    await expect(runTrain({ ...base, mode: "scd", data, teacher: file("t"), "sigma-data": 1, steps: 1, out: file("u") }, quiet)).rejects.toThrow(/--sigma-data 1 but .* σ_d = 0\.5/);
    await expect(runTrain({ ...base, mode: "sct", data, init: file("t"), model: "dit", steps: 1, out: file("u") }, quiet)).rejects.toThrow(/--model dit, but --init .* is a mlp/);
    await expect(runTrain({ ...base, mode: "sct", data: "ring", init: file("t"), steps: 1, out: file("u") }, quiet)).rejects.toThrow(/shape \[3\] but the data has \[2\]/);
  }, 60_000);

  it("resumes in the checkpoint's architecture even when today's flags would build another", async () => {
    const said: string[] = [];
    const r = await runTrain({ ...base, mode: "diffusion", data, steps: 302, "lr-schedule": "cosine", lr: 3e-3, resume: true, out: file("t") }, (l) => said.push(l));
    expect(said.join("\n")).toMatch(/resuming keeps .*architecture .*"width":32/);
    expect(r.cfg.modelConfig).toMatchObject({ width: 32, depth: 1 });
    const back = await loadRun(file("t"), adam({ learningRate: 1 }));
    expect(back.cfg.modelConfig).toMatchObject({ width: 32, depth: 1 });
  }, 60_000);

  it("trains raw data with --sigma-data and refuses all-constant data", async () => {
    const run = await runTrain({ ...base, ...small, mode: "diffusion", data, "sigma-data": 5, steps: 1, out: file("raw") }, quiet);
    expect(run.cfg.sigmaData).toBe(5);
    expect(run.cfg.dataTransform!.scale).toEqual([1, 1, 1]);
    const flat = file("flat.safetensors");
    await saveTensors(flat, { x: c.full([16, 2], 3) });
    await expect(runTrain({ ...base, ...small, mode: "diffusion", data: flat, steps: 1, out: file("f") }, quiet)).rejects.toThrow(/every coordinate of the data is constant/);
  }, 60_000);
});
