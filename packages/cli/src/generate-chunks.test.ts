// Large sample counts are drawn in chunks of `sampleChunkRows` (so `scm sample --n 100000` does not hold
// every row's activations at once): the rows come back in order, the chunks draw independent noise, and
// a given noise file's rows are used one for one, exactly as in a single pass. And 2-step sampling
// renoises at the t_mid the run recorded unless told otherwise.
import * as c from "@scm-ts/core";
import { describe, expect, it } from "vitest";
import { chunkRows, generate, sampleChunkRows } from "./generate.js";
import { buildNetwork, defaultModelConfig, type RunConfig } from "./run.js";

const cfg = {
  mode: "sct", model: "mlp", modelConfig: defaultModelConfig("mlp", [2], { width: 8, depth: 1 }), data: "ring", sampleShape: [2], sigmaData: 0.5,
  time: { pMean: -1, pStd: 1.4 }, steps: 1, batch: 1, lr: 1e-3, seed: 0,
} as RunConfig;
const net = buildNetwork(cfg);
const params = net.init(c.random.key(3));

describe("generate in chunks", () => {
  const n = sampleChunkRows + 37;
  it("returns n finite rows whose chunks draw different noise, reporting each pass", async () => {
    const passes: string[] = [];
    const x = await generate(net, params, cfg, { n, seed: 1, steps: 1, onChunk: (d, t, r) => passes.push(`${d}/${t}×${r}`) }).data();
    expect(passes).toEqual([`1/2×${sampleChunkRows}`, `2/2×${sampleChunkRows}`]);
    expect(x.length).toBe(2 * n);
    expect(Array.from(x).every(Number.isFinite)).toBe(true);
    // The first rows of chunk 0 and chunk 1 are different draws.
    expect([x[0], x[1]]).not.toEqual([x[2 * sampleChunkRows], x[2 * sampleChunkRows + 1]]);
  });
  it("uses a noise file's rows in order: the same samples as one pass over each chunk's rows", async () => {
    const z = c.random.normal(c.random.key(9), [n, 2]);
    const z1 = c.random.normal(c.random.key(10), [n, 2]);
    const all = await generate(net, params, cfg, { n, seed: 1, steps: 2, noise: { z, renoise: [z1] } }).data();
    const tail = (t: c.Tensor) => c.slice(t, [sampleChunkRows, 0], [n, 2]);
    const last = await generate(net, params, cfg, { n: 37, seed: 1, steps: 2, noise: { z: tail(z), renoise: [tail(z1)] } }).data();
    expect(Array.from(all.slice(2 * sampleChunkRows))).toEqual(Array.from(last));
  });
});

describe("chunkRows", () => {
  it("keeps vectors at sampleChunkRows and gives networks that hold more per example fewer rows", () => {
    expect(chunkRows(cfg)).toBe(sampleChunkRows);
    const image = (side: number) => chunkRows({ model: "unet", sampleShape: [1, side, side], modelConfig: defaultModelConfig("unet", [1, side, side]) });
    expect(image(12)).toBeLessThan(sampleChunkRows);
    expect(image(28)).toBeLessThan(image(12));
    expect(image(28)).toBeGreaterThanOrEqual(1);
  });
});

describe("2-step sampling's t_mid", () => {
  it("is the run's recorded t_mid unless given, else the paper's 1.1", async () => {
    const draw = async (c2: RunConfig, tMid?: number) => Array.from(await generate(net, params, c2, { n: 64, seed: 4, steps: 2, ...(tMid ? { tMid } : {}) }).data());
    const recorded = { ...cfg, tMid: 0.3 } as RunConfig;
    expect(await draw(recorded)).toEqual(await draw(cfg, 0.3));
    expect(await draw(cfg)).toEqual(await draw(cfg, 1.1));
    expect(await draw(recorded)).not.toEqual(await draw(cfg));
    expect(await draw(recorded, 1.1)).toEqual(await draw(cfg));
  });
});
