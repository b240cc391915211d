// A file data set's batches stay a pure function of the step while its memory stays flat (issue 18,
// item 12): thousands of epochs do not accumulate cached shuffle orders, and a step asked for again
// after many later ones gives the same rows as the first time. Data given wrongly is one usage line
// that says what to give instead: a run folder or its checkpoint, a file whose examples are not "x".
// eval's reference and noise-floor draws of a file share no row (a 50-row file gave a floor of 0).
import * as c from "@scm-ts/core";
import { saveTensors } from "@scm-ts/io/node";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveData, UsageError } from "./index.js";

describe("a file data set over many epochs", () => {
  it("keeps no order per epoch (flat memory) and gives the same batch for the same step", async () => {
    const n = 4096;
    const file = join(mkdtempSync(join(tmpdir(), "scm-datasets-")), "x.safetensors");
    await saveTensors(file, { x: c.reshape(c.arange(n), [n, 1]) });
    const data = await resolveData(file, 7);
    const rowsOf = async (step: number) => {
      const t = data.batch(step, n);
      const v = Array.from(await t.data());
      t.dispose();
      return v;
    };
    const first = await rowsOf(3);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i)); // one epoch: every row once
    // One epoch per step: a cache of every epoch's order would hold 2500 × 16 KB = 40 MB here.
    const before = process.memoryUsage().arrayBuffers;
    for (let step = 4; step < 2500; step++) data.batch(step, n).dispose();
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(16 * 2 ** 20);
    expect(await rowsOf(3)).toEqual(first);
  }, 60_000);
});

describe("--data given wrongly", () => {
  const dir = mkdtempSync(join(tmpdir(), "scm-datasets-bad-"));

  it("a run folder or its checkpoint file is named as a run, with the data it recorded", async () => {
    const run = join(dir, "teacher");
    mkdirSync(run);
    writeFileSync(join(run, "checkpoint.safetensors"), "");
    writeFileSync(join(run, "config.json"), JSON.stringify({ config: { data: "mix.safetensors" } }));
    for (const spec of [run, join(run, "checkpoint.safetensors")]) {
      const r = resolveData(spec, 0);
      await expect(r).rejects.toThrow(UsageError);
      await expect(r).rejects.toThrow(/that is the checkpoint of an scm train run, not data; give the data to train on \(that run recorded --data mix\.safetensors\)/);
    }
  });

  it("a file without \"x\" names the tensors it has and the name to store the examples under", async () => {
    const file = join(dir, "named.safetensors");
    await saveTensors(file, { data: c.zeros([4, 2]) });
    await expect(resolveData(file, 0)).rejects.toThrow(/has no tensor named "x"; it has tensors "data"; store the examples as the tensor "x"/);
  });

  it("a vector [N] trains as N one-dimensional examples", async () => {
    const file = join(dir, "vector.safetensors");
    await saveTensors(file, { x: c.arange(5) });
    expect((await resolveData(file, 0)).sampleShape).toEqual([1]);
  });
});

describe("a metric's reference and its noise floor's", () => {
  it("share no row of a file, whatever n asks: halves of a small file, n each of a large one", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "scm-datasets-pair-")), "fifty.safetensors");
    await saveTensors(file, { x: c.reshape(c.arange(50), [50, 1]) });
    const data = await resolveData(file, 0);
    for (const [n, k] of [[1000, 25], [50, 25], [10, 10]] as const) {
      const [a, b] = data.referencePair(n, 3);
      const [va, vb] = [Array.from(await a.data()), Array.from(await b.data())];
      expect([va.length, vb.length]).toEqual([k, k]);
      expect(va.filter((v) => vb.includes(v))).toEqual([]);
    }
  });
});
