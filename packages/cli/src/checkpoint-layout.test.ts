// Checkpoints in PyTorch's layout from the command line (issue 19, Deliver 1): a run written by
// `scm train` stores its parameters under module paths with linear weights [out, in] and its training
// state under `train.`, with no U32 tensor; and a checkpoint written by the first layout (the fixture
// legacy-mlp, made by scm train before the layout changed) still loads, with a one-line notice, and
// samples exactly what it sampled then; written again, it is in the new layout and samples the same.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { adam } from "@scm-ts/nn";
import { readSafetensors, type HostTensor } from "@scm-ts/io";
import { loadRun, runSample, runTrain, saveRun } from "./index.js";

const fixture = fileURLToPath(new URL("./test-fixtures/legacy-mlp/", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "scm-layout-"));
const quiet = () => {};

async function tensors(file: string): Promise<ReadonlyMap<string, HostTensor>> {
  const r = await readSafetensors(file)();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.tensors;
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
    expect([...now.data]).toEqual([...then.data]);
    // Rewritten, the run is in the new layout and samples the same numbers.
    const run = await loadRun(dir, adam({ learningRate: 1 }));
    const migrated = join(root, "migrated");
    await saveRun(migrated, run.cfg, run.state, run.step);
    expect((await tensors(join(migrated, "checkpoint.safetensors"))).has("net.fc_in.weight")).toBe(true);
    const out2 = join(root, "migrated-samples.safetensors");
    await runSample({ backend: "cpu", ckpt: migrated, n: 4, seed: 3, out: out2 }, quiet);
    expect([...(await tensors(out2)).get("x")!.data]).toEqual([...then.data]);
  });
});
