// Conditioning through the scm command on a labelled 2-D file (4 Gaussians, y = the component): a
// class-conditional teacher's --class k samples land at component k, alone and under classifier-free
// guidance; sCD distils it with --guidance 1,3 into a student that starts as the teacher and samples at
// --guidance 2; --dropout and --discrete-steps train and are recorded; the batches' labels are those of
// their rows; and each misuse is one UsageError line.
import * as c from "@scm-ts/core";
import { loadTensors, saveTensors } from "@scm-ts/io/node";
import { adam } from "@scm-ts/nn";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveData } from "./datasets.js";
import { loadRun, runSample, runTrain, trainFlags, UsageError } from "./index.js";

const defaults = Object.fromEntries(Object.entries(trainFlags).map(([k, s]) => [k, s.default]));
const quiet = () => {};
const dir = mkdtempSync(join(tmpdir(), "scm-cond-"));
const file = (name: string) => join(dir, name);
const K = 4;
const means = Array.from({ length: K }, (_, k) => [3 + 2 * Math.cos((k * Math.PI) / 2), -1 + 2 * Math.sin((k * Math.PI) / 2)]);

// x [n, 2] around means[y] (std 0.2), y [n] int32 component ids.
async function writeLabelled(name: string, n: number, withLabels = true): Promise<string> {
  const [kl, kx] = c.random.split(c.random.key(11), 2);
  const y = c.astype(c.minimum(c.mul(c.random.uniform(kl!, [n]), K), K - 1), "int32");
  const onehot = c.astype(c.equal(c.reshape(y, [n, 1]), c.arange(K, undefined, 1, { dtype: "int32" })), "float32");
  const x = c.add(c.matmul(onehot, c.array(means)), c.mul(c.random.normal(kx!, [n, 2]), 0.2));
  await saveTensors(file(name), withLabels ? { x, y } : { x });
  return file(name);
}

// The share of points nearest to component k.
function shareAt(xy: ArrayLike<number>, k: number): number {
  let hits = 0;
  for (let i = 0; i < xy.length / 2; i++) {
    const d = means.map(([mx, my]) => (xy[2 * i]! - mx!) ** 2 + (xy[2 * i + 1]! - my!) ** 2);
    if (d.indexOf(Math.min(...d)) === k) hits++;
  }
  return hits / (xy.length / 2);
}

async function sampled(out: string): Promise<Float32Array> {
  const r = await loadTensors(out);
  return (await r.get("x")!.data()) as Float32Array;
}

// A rejection that is a UsageError of one line matching `re`.
async function usage(p: Promise<unknown>, re: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as Error).message).toMatch(re);
  expect((e as Error).message).not.toContain("\n");
}

describe("class-conditional runs", () => {
  const base = { ...defaults, backend: "cpu", batch: 128, "checkpoint-every": 1000 };
  const small = { width: 32, depth: 1 }; // runs from scratch; students keep their teacher's size
  const sample = { steps: 1, "t-mid": 1.1, nfe: 21, n: 200, seed: 0, backend: "cpu" };
  let data: string;
  beforeAll(async () => {
    data = await writeLabelled("mix.safetensors", 2048);
    await runTrain({ ...base, ...small, mode: "diffusion", data, "class-conditional": true, steps: 300, lr: 3e-3, out: file("t") }, quiet);
  }, 60_000);

  it("gives each batch the labels of its rows", async () => {
    const src = await resolveData(data, 0, { labels: true });
    expect(src.classes?.numClasses).toBe(K);
    const x = await src.batch(7, 64).data(), y = await src.classes!.labels(7, 64).data();
    for (let i = 0; i < 64; i++) expect(shareAt(x.subarray(2 * i, 2 * i + 2), y[i]!)).toBe(1);
  });

  it("records the classes, and --class k samples land at component k, alone and under CFG", async () => {
    const run = await loadRun(file("t"), adam({ learningRate: 1 }));
    expect(run.cfg.classes).toEqual({ numClasses: K, pUncond: 0.1 });
    expect(run.cfg.modelConfig.numClasses).toBe(K);
    for (let k = 0; k < K; k++) {
      await runSample({ ...sample, ckpt: file("t"), class: String(k), out: file(`t${k}.safetensors`) }, quiet);
      expect(shareAt(await sampled(file(`t${k}.safetensors`)), k)).toBeGreaterThan(0.8);
    }
    await runSample({ ...sample, ckpt: file("t"), class: "2", guidance: 2, out: file("cfg.safetensors") }, quiet);
    expect(shareAt(await sampled(file("cfg.safetensors")), 2)).toBeGreaterThan(0.8);
    await runSample({ ...sample, ckpt: file("t"), class: "all", out: file("all.safetensors") }, quiet);
    const all = await sampled(file("all.safetensors")); // classes in blocks of 50
    for (let k = 0; k < K; k++) expect(shareAt(all.subarray(100 * k, 100 * (k + 1)), k)).toBeGreaterThan(0.8);
  }, 30_000);

  it("distils the teacher with --guidance 1,3: the student starts as the teacher and samples at --guidance 2", async () => {
    const scd = { ...base, mode: "scd", data, teacher: file("t"), guidance: "1,3" };
    const first = await runTrain({ ...scd, steps: 1, lr: 1e-12, out: file("s0") }, quiet);
    const teacher = await loadRun(file("t"), adam({ learningRate: 1 }));
    const { mapGuidance, ...shared } = (first.ema as { net: Record<string, unknown> }).net;
    expect(mapGuidance).toBeDefined();
    const a = c.treeLeaves<c.Tensor>(teacher.state.ema), b = c.treeLeaves<c.Tensor>({ net: shared, logvar: first.ema.logvar });
    expect(Math.max(...a.map((t, i) => c.max(c.abs(c.sub(t, b[i]!))).dataSync()[0]!))).toBeLessThan(1e-6);
    const run = await runTrain({ ...scd, steps: 30, out: file("s") }, quiet);
    expect(Number.isFinite(run.lastLoss)).toBe(true);
    expect(run.cfg).toMatchObject({ classes: { numClasses: K }, guidance: { scales: [1, 3] }, modelConfig: { guidanceEmbedding: true, numClasses: K } });
    await runSample({ ...sample, ckpt: file("s"), class: "1", guidance: 2, out: file("s.safetensors") }, quiet);
    const xs = await sampled(file("s.safetensors"));
    expect(xs.every(Number.isFinite)).toBe(true);
    expect(shareAt(xs, 1)).toBeGreaterThan(0.8);
  }, 30_000);

  it("records --dropout and --discrete-steps, and a resume must keep them", async () => {
    const dropped = await runTrain({ ...base, ...small, mode: "diffusion", data, dropout: 0.1, steps: 5, out: file("d") }, quiet);
    expect(Number.isFinite(dropped.lastLoss)).toBe(true);
    expect(dropped.cfg.modelConfig.dropout).toBe(0.1);
    await usage(runTrain({ ...base, ...small, mode: "diffusion", data, steps: 6, resume: true, out: file("d") }, quiet), /--resume: .* was trained with classes\/guidance\/--discrete-steps\/--dropout .*0\.1/);
    const student = await runTrain({ ...base, mode: "scd", data, teacher: file("t"), "class-conditional": true, dropout: 0.1, steps: 2, out: file("sd") }, quiet);
    expect(student.cfg.modelConfig).toMatchObject({ dropout: 0.1, numClasses: K });
    const discrete = await runTrain({ ...base, ...small, mode: "cm-discrete", data: "ring", "discrete-steps": 64, steps: 3, out: file("cm") }, quiet);
    expect(discrete.cfg.intervals).toBe(64);
    expect((await runTrain({ ...base, ...small, mode: "cm-discrete", data: "ring", steps: 1, out: file("cm256") }, quiet)).cfg.intervals).toBe(256);
  }, 30_000);

  it("refuses misuse with one clear line", async () => {
    const bare = await writeLabelled("bare.safetensors", 64, false);
    await usage(runTrain({ ...base, mode: "diffusion", data: "ring", "class-conditional": true, steps: 1, out: file("u") }, quiet), /--data ring: the 2-D toys have no class labels/);
    await usage(runTrain({ ...base, mode: "diffusion", data: bare, "class-conditional": true, steps: 1, out: file("u") }, quiet), /bare\.safetensors: the file has no tensor "y"; .*int tensor "y" \[N\]/);
    await usage(runTrain({ ...base, mode: "sct", data, guidance: "1,3", steps: 1, out: file("u") }, quiet), /--guidance .* needs --mode scd .* and --teacher/);
    await usage(runTrain({ ...base, mode: "diffusion", data, "p-uncond": 0.2, steps: 1, out: file("u") }, quiet), /--p-uncond is for class-conditional training/);
    await usage(runTrain({ ...base, mode: "sct", data, "discrete-steps": 64, steps: 1, out: file("u") }, quiet), /--discrete-steps is for --mode cm-discrete/);
    await usage(runTrain({ ...base, mode: "diffusion", data, dropout: 1.5, steps: 1, out: file("u") }, quiet), /--dropout must lie in \[0, 1\)/);
    await runTrain({ ...base, ...small, mode: "diffusion", data, steps: 2, out: file("plain") }, quiet);
    await usage(runTrain({ ...base, mode: "scd", data, teacher: file("plain"), guidance: "1,3", steps: 1, out: file("u") }, quiet), /--teacher .*plain is not class-conditional/);
    const s = { ...sample, n: 8, out: file("u.safetensors") };
    await usage(runSample({ ...s, ckpt: file("plain"), class: "1" }, quiet), /--class 1: this diffusion run is not class-conditional/);
    await usage(runSample({ ...s, ckpt: file("cm"), guidance: 2 }, quiet), /--guidance 2: this cm-discrete run is not guidance-conditioned/);
    await usage(runSample({ ...s, ckpt: file("t"), class: "4" }, quiet), /--class must be a class id in \[0, 4\) or all, got 4/);
    await usage(runSample({ ...s, ckpt: file("t"), class: "two" }, quiet), /--class must be a class id .* got 'two'/);
    await usage(runSample({ ...s, ckpt: file("t"), guidance: 2 }, quiet), /classifier-free guidance of a diffusion run needs --class/);
  }, 30_000);
});
