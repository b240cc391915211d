// Checkpoints in PyTorch's layout from the command line (issue 19, Deliver 1): a run written by
// `scm train` stores its parameters under module paths with linear weights [out, in] and its training
// state under `train.`, with no U32 tensor; and a checkpoint written by the first layout (the fixture
// legacy-mlp, made by scm train before the layout changed) still loads, with a one-line notice, and
// samples exactly what it sampled then; written again, it is in the new layout and samples the same.
// `scm sample --noise` (Deliver 4) takes z and the renoising draws from a file, whatever --seed says.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as c from "@scm-ts/core";
import { adam } from "@scm-ts/nn";
import { type HostTensor } from "@scm-ts/io";
import { readSafetensors, saveTensors } from "@scm-ts/io/node";
import { loadRun, runSample, runTrain, saveRun } from "./index.js";

const fixture = fileURLToPath(new URL("./test-fixtures/legacy-mlp/", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "scm-layout-"));
const quiet = () => {};

async function tensors(file: string): Promise<ReadonlyMap<string, HostTensor>> {
  const r = await readSafetensors(file);
  return r.tensors;
}

afterEach(() => vi.restoreAllMocks());

describe("checkpoint layout", () => {
  it("scm train writes PyTorch's layout", async () => {
    const dir = join(root, "new");
    await runTrain({ backend: "cpu", mode: "sct", data: "ring", batch: 8, width: 8, depth: 1, steps: 2, out: dir }, quiet);
    const t = await tensors(join(dir, "checkpoint.safetensors"));
    expect(t.get("net.fc_in.weight")!.shape).toEqual([8, 18]); // nn.Linear(2·(1 + 2·4), 8): [out, in]
    expect(t.get("net.blocks.0.fc0.weight")!.shape).toEqual([8, 8]);
    expect(t.get("net.map_noise0.weight")!.shape).toEqual([8, 64]);
    expect(t.get("logvar.linear.weight")!.shape).toEqual([1, 128]);
    expect(t.has("train.ema.net.fc_out.bias")).toBe(true);
    expect(t.has("train.optimizer.exp_avg_sq.net.out_adn.scale.weight")).toBe(true);
    expect([...t.values()].every((h) => h.dtype !== "uint32")).toBe(true);
    expect([...t.keys()].every((n) => !/[A-Z]/.test(n))).toBe(true);
  });

  it("loads a checkpoint of the first layout with one notice line and samples what it sampled then", async () => {
    const dir = join(root, "legacy");
    mkdirSync(dir);
    for (const f of ["checkpoint.safetensors", "config.json"]) copyFileSync(join(fixture, f), join(dir, f));
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
    const out = join(root, "legacy-samples.safetensors");
    await runSample({ backend: "cpu", ckpt: dir, n: 4, seed: 3, out }, quiet);
    vi.restoreAllMocks();
    expect(lines.filter((l) => /first scm-ts layout/.test(l))).toHaveLength(1);
    const then = (await tensors(join(fixture, "samples-n4-seed3.safetensors"))).get("x")!;
    const now = (await tensors(out)).get("x")!;
    // The fixture was drawn by the eager network; sampling now replays it jitted, whose fused kernels
    // may round differently in the last bits (float32: relative 1e-6).
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(Array.from(a, (v, i) => Math.abs(v - b[i]!) <= 1e-6 * Math.max(1e-3, Math.abs(b[i]!)))).toEqual(Array.from(b, () => true));
    close(now.data, then.data);
    // Rewritten, the run is in the new layout and samples the same numbers.
    const run = await loadRun(dir, adam({ learningRate: 1 }));
    const migrated = join(root, "migrated");
    await saveRun(migrated, run.cfg, run.state, run.step);
    expect((await tensors(join(migrated, "checkpoint.safetensors"))).has("net.fc_in.weight")).toBe(true);
    const out2 = join(root, "migrated-samples.safetensors");
    await runSample({ backend: "cpu", ckpt: migrated, n: 4, seed: 3, out: out2 }, quiet);
    expect([...(await tensors(out2)).get("x")!.data]).toEqual([...now.data]);
  });
});

describe("scm sample --noise", () => {
  it("samples from the file's z and z1 whatever the seed, and refuses a file that does not fit", async () => {
    const dir = join(root, "new");
    const noise = join(root, "noise.safetensors");
    const z = c.mul(c.random.normal(c.random.key(1), [5, 2]), 0.5), z1 = c.mul(c.random.normal(c.random.key(2), [5, 2]), 0.5);
    await saveTensors(noise, { z, z1 });
    const draw = async (seed: number, steps: number, file = noise): Promise<number[]> => {
      const out = join(root, `n-${seed}-${steps}.safetensors`);
      // A draw from another noise file replaces the one of the same seed and steps.
      await runSample({ backend: "cpu", ckpt: dir, noise: file, steps, seed, out, force: true }, quiet);
      const x = (await tensors(out)).get("x")!;
      expect(x.shape).toEqual([5, 2]);
      return [...x.data];
    };
    for (const steps of [1, 2]) expect(await draw(0, steps)).toEqual(await draw(9, steps));
    expect(await draw(0, 2)).not.toEqual(await draw(0, 1));
    const bad = join(root, "bad-noise.safetensors");
    await saveTensors(bad, { z: c.zeros([5, 3]) });
    await expect(draw(0, 1, bad)).rejects.toThrow(/"z" is \[5, 3\] but the checkpoint samples \[5, 2\]/);
    const short = join(root, "short-noise.safetensors");
    await saveTensors(short, { z });
    await expect(draw(0, 2, short)).rejects.toThrow(/2-step sampling renoises 1 time\(s\), but the file holds 0 draw\(s\)/);
    await expect(runSample({ backend: "cpu", ckpt: dir, noise, n: 7, out: join(root, "x.safetensors") }, quiet)).rejects.toThrow(/z holds 5 samples but --n 7 was given/);
  });
});
