// Sizes checked before allocation (issue 18, items 7 and 13): the lower bounds hold for the default
// architectures (never refusing what fits), `--n`/`--batch` beyond memory are refused with the
// estimate named, before anything is allocated, and a checkpoint whose config claims a far larger
// network than its weights (width 8000 beside a tiny file) is refused before the network is built.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { readCheckpoint, writeCheckpoint, type JsonValue } from "@scm-ts/io/node";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildNetwork, defaultModelConfig, runEval, runSample, runTrain, type RunConfig } from "./index.js";
import { checkRowsFit, entriesPerExample, minParameters } from "./memory.js";

const root = mkdtempSync(join(tmpdir(), "scm-memory-"));
const quiet = () => {};
const count = (tree: unknown) => c.treeLeaves<Tensor>(tree).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);

describe("the lower bounds", () => {
  const shapes: [RunConfig["model"], number[], { width?: number; depth?: number }][] = [
    ["mlp", [2], {}],
    ["mlp", [300], { width: 64, depth: 2 }],
    ["unet", [1, 8, 8], { width: 8 }],
    ["dit", [3, 8, 8], { width: 16, depth: 2 }],
  ];
  for (const [model, sampleShape, size] of shapes) {
    it(`${model} [${sampleShape.join(", ")}]: the parameter bound is at most the network's count, the activation bound above the input`, () => {
      const cfg = { model, modelConfig: defaultModelConfig(model, sampleShape, size), sampleShape };
      const params = buildNetwork(cfg).init(c.random.key(0)).net;
      expect(minParameters(cfg)).toBeLessThanOrEqual(count(params));
      expect(minParameters(cfg)).toBeGreaterThan(0);
      const d = sampleShape.reduce((a, b) => a * b, 1);
      expect(entriesPerExample(cfg)).toBeGreaterThan(2 * d);
      expect(entriesPerExample(cfg, true)).toBeGreaterThanOrEqual(entriesPerExample(cfg));
    });
  }

  it("checkRowsFit refuses past the memory given, naming the flag and the estimate", () => {
    const cfg = { model: "mlp" as const, modelConfig: { dataDim: 2, width: 256, depth: 3 }, sampleShape: [2] };
    expect(() => checkRowsFit("scm sample", "--n", 1000, cfg, false, 2 ** 30)).not.toThrow();
    // Samples are drawn in chunks: 1e8 of 2 entries hold 2.2 GB, which fits 4 GB but not 2 GB.
    expect(() => checkRowsFit("scm sample", "--n", 1e8, cfg, false, 4 * 2 ** 30)).not.toThrow();
    expect(() => checkRowsFit("scm sample", "--n", 1e8, cfg, false, 2 * 2 ** 30)).toThrow(/scm sample: --n 100000000 needs at least 2 GB for the mlp \(2\.0 KB an example in a pass of 8192, 0\.02 KB to hold each sample\), more than 80% of this machine's 2 GB; use a smaller --n/);
    expect(() => checkRowsFit("scm train", "--batch", 1e4, cfg, true, 4 * 2 ** 30)).not.toThrow();
    expect(() => checkRowsFit("scm train", "--batch", 1e6, cfg, true, 4 * 2 ** 30)).toThrow(/--batch 1000000 needs at least 80 GB for the mlp \(84\.2 KB an example\)/);
  });
});

describe("before allocation", () => {
  const run = join(root, "r");
  it("--batch 1e9, sample --n 1e10 and eval --n 1e10 are refused with the estimate", async () => {
    await expect(runTrain({ backend: "cpu", mode: "diffusion", steps: 1, batch: 1e9, out: join(root, "big") }, quiet)).rejects.toThrow(/--batch 1000000000 needs at least \d+ GB/);
    await runTrain({ backend: "cpu", mode: "diffusion", steps: 1, batch: 8, depth: 1, out: run }, quiet);
    await expect(runSample({ ckpt: run, n: 1e10, backend: "cpu", out: join(root, "s.png") })).rejects.toThrow(/--n 10000000000 needs at least \d+ GB/);
    await expect(runEval({ ckpt: run, n: 1e10, backend: "cpu" }, quiet)).rejects.toThrow(/--n 10000000000 needs at least/);
  });

  it("a config claiming width 8000 beside the weights of width 256 is refused before the network is built", async () => {
    const r = await readCheckpoint(run);
    const cfg = r.config as Record<string, JsonValue>;
    const dir = join(root, "wide");
    await writeCheckpoint(dir, { ...r, config: { ...cfg, modelConfig: { ...(cfg.modelConfig as Record<string, JsonValue>), width: 8000 } } });
    await expect(runSample({ ckpt: dir, n: 4, backend: "cpu", out: join(root, "w.png") })).rejects.toThrow(/describes a mlp of at least 64000000 parameters, but the file holds \d+ weights/);
  });
});
