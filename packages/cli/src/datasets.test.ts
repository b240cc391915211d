// A file data set's batches stay a pure function of the step while its memory stays flat (issue 18,
// item 12): thousands of epochs do not accumulate cached shuffle orders, and a step asked for again
// after many later ones gives the same rows as the first time.
import * as c from "@scm-ts/core";
import { saveTensors } from "@scm-ts/io/node";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveData } from "./index.js";

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
