// Every flag is checked before work starts (issue 18, items 18 and 19): numbers parse strictly
// (0x3, '', ' 5' are errors), a switch takes only true/false/1/0 (--resume=0 does not resume), bad
// values of --checkpoint-every, --warmup, --p-std, --seed, eval's --nfe, demo's --n and sample's --ts
// and --out are usage errors naming the flag, raised before any folder is made or checkpoint read;
// and a checkpoint whose config is malformed gives one line naming the field, not a raw JS error.
import { writeCheckpoint, readCheckpoint, type JsonValue } from "@scm-ts/io/node";
import fc from "fast-check";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDecimal, parseFlags, runDemo, runEval, runSample, runTrain, sampleFlags, trainFlags, UsageError } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "scm-flags-"));
const quiet = () => {};
const tiny = { backend: "cpu", data: "ring", batch: 16, width: 8, depth: 1, "checkpoint-every": 1000 };

describe("parsing", () => {
  it("numbers are decimals only: hex, empty, padded, Infinity and trailing junk are errors naming the flag", () => {
    for (const bad of ["0x3", "", " 5", "5 ", "Infinity", "1e", "3abc", "0b1", "1_000"]) {
      expect(() => parseFlags("train", [`--steps=${bad}`], trainFlags)).toThrow(new RegExp(`--steps must be a number, got '${bad.replace(/[+]/g, "\\+")}'`));
    }
    expect(parseFlags("train", ["--lr", "1e-3", "--p-mean=-1.5", "--seed", "+7", "--batch", ".5e1"], trainFlags)).toMatchObject({ lr: 1e-3, "p-mean": -1.5, seed: 7, batch: 5 });
  });

  it("parseDecimal agrees with Number on every decimal it accepts, and accepts what it prints", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDecimal(String(x))).toBe(Number(String(x)));
      }),
      { seed: 18, numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = parseDecimal(s);
        if (v !== undefined) expect(v).toBe(Number(s));
      }),
      { seed: 18, numRuns: 500 },
    );
  });

  it("a switch takes true/false/1/0 only: --resume=0 does not resume, --resume=maybe is an error", () => {
    expect(parseFlags("train", ["--resume=0"], trainFlags).resume).toBe(false);
    expect(parseFlags("train", ["--resume=false"], trainFlags).resume).toBe(false);
    expect(parseFlags("train", ["--resume=1"], trainFlags).resume).toBe(true);
    expect(() => parseFlags("train", ["--resume=maybe"], trainFlags)).toThrow(/--resume is a switch/);
  });

  it("train's parse leaves defaults unfilled when asked (resume tells given flags from defaults)", () => {
    expect(parseFlags("train", ["--steps", "3"], trainFlags, false)).toEqual({ steps: 3 });
  });
});

describe("values checked before work starts", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ "checkpoint-every": 0 }, /--checkpoint-every must be a positive integer, got 0/],
    [{ "checkpoint-every": -1 }, /--checkpoint-every must be a positive integer, got -1/],
    [{ "checkpoint-every": 1.5 }, /--checkpoint-every must be a positive integer, got 1.5/],
    [{ warmup: -5 }, /--warmup must be a whole number ≥ 0, got -5/],
    [{ "p-std": -1 }, /--p-std must be a positive number, got -1/],
    [{ seed: -1 }, /--seed must be a whole number ≥ 0, got -1/],
    [{ seed: 0.5 }, /--seed must be a whole number ≥ 0/],
    [{ lr: 0 }, /--lr must be a positive number/],
    [{ steps: 2.5 }, /--steps must be a positive integer/],
    [{ dropout: 1 }, /--dropout must lie in \[0, 1\)/],
  ];
  for (const [flags, want] of cases) {
    it(`scm train ${JSON.stringify(flags)}: usage error, no folder made`, async () => {
      const out = join(root, `t-${Object.keys(flags)[0]}-${String(Object.values(flags)[0])}`);
      // A data set that does not exist: a check made after data loading would fail on it instead.
      await expect(runTrain({ ...tiny, data: join(root, "missing.safetensors"), steps: 2, ...flags, out }, quiet)).rejects.toThrow(want);
      await expect(runTrain({ ...tiny, steps: 2, ...flags, out }, quiet)).rejects.toThrow(UsageError);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("sample: --ts '1.5,' or '1.5,1.6', --t-mid 5, --out x.jpg, --n 0 and --seed -1 are refused before the checkpoint is read", async () => {
    const ckpt = join(root, "no-such-run");
    await expect(runSample({ ckpt, ts: "1.5,", out: join(root, "a.png") })).rejects.toThrow(/--ts must be comma-separated numbers, got '1.5,'/);
    await expect(runSample({ ckpt, out: join(root, "x.jpg") })).rejects.toThrow(/--out .*x\.jpg: use a \.png or \.safetensors file name/);
    await expect(runSample({ ckpt, n: 0 })).rejects.toThrow(/--n must be a positive integer, got 0/);
    await expect(runSample({ ckpt, seed: -1 })).rejects.toThrow(/--seed must be a whole number ≥ 0, got -1/);
    await expect(runSample({ ckpt, steps: 2, "t-mid": 5, out: join(root, "a.png") })).rejects.toThrow(/--t-mid must lie in \(0, π\/2\).*got 5/);
    await expect(runSample({ ckpt, ts: "1.5,1.6", out: join(root, "a.png") })).rejects.toThrow(/scm sample: --ts: t-list entry 1 is 1\.6/);
    expect(sampleFlags["allow-nonfinite"]).toBeDefined();
  });

  it("eval --nfe 0 or --t-mid 2 and demo --n 0 are refused before any work", async () => {
    await expect(runEval({ ckpt: join(root, "no-such-run"), nfe: 0 }, quiet)).rejects.toThrow(/scm eval: --nfe must be a positive integer, got 0/);
    await expect(runEval({ ckpt: join(root, "no-such-run"), steps: 2, "t-mid": 2 }, quiet)).rejects.toThrow(/scm eval: --t-mid must lie in \(0, π\/2\).*got 2/);
    const out = join(root, "demo");
    await expect(runDemo({ out, steps: 4, width: 8, n: 0, seed: 0, backend: "cpu" }, quiet)).rejects.toThrow(/scm demo: --n must be a positive integer, got 0/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("a checkpoint whose config is malformed", () => {
  const good = join(root, "good");
  let config: Record<string, JsonValue>;
  beforeAll(async () => {
    await runTrain({ ...tiny, mode: "diffusion", steps: 2, out: good }, quiet);
    const r = await readCheckpoint(good);
    config = r.config as Record<string, JsonValue>;
  });
  // The good checkpoint with one config field replaced (undefined: removed).
  async function withConfig(name: string, patch: Record<string, JsonValue | undefined>): Promise<string> {
    const r = await readCheckpoint(good);
    const cfg = Object.fromEntries(Object.entries({ ...config, ...patch }).filter(([, v]) => v !== undefined)) as JsonValue;
    const dir = join(root, name);
    await writeCheckpoint(dir, { ...r, config: cfg });
    return dir;
  }
  const cases: [string, Record<string, JsonValue | undefined>, RegExp][] = [
    ["mode", { mode: "foo" }, /config has mode = "foo", but it must be one of diffusion, sct, scd, cm-discrete/],
    ["model", { model: "gan" }, /config has model = "gan"/],
    ["no-model-config", { modelConfig: undefined }, /config has modelConfig = nothing/],
    ["bad-model-config", { modelConfig: { dataDim: 2 } }, /modelConfig does not describe a mlp network|config has modelConfig/],
    ["shape", { sampleShape: [2, -1] }, /config has sampleShape = \[2,-1\]/],
    ["sigma", { sigmaData: -0.5 }, /config has sigmaData = -0.5/],
    ["time", { time: undefined }, /config has time = nothing/],
    ["sample-method", { sampleMethod: "rk4" }, /config has sampleMethod = "rk4", but it must be one of euler, ddim, heun, dpm-solver-2, dpm-solver-2m/],
  ];
  for (const [name, patch, want] of cases) {
    it(`${name}: one line naming the field, for sample and resume alike`, async () => {
      const dir = await withConfig(name, patch);
      const e = await runSample({ ckpt: dir, n: 4, backend: "cpu", out: join(root, `${name}.png`) }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(want);
      expect((e as Error).message).not.toMatch(/\n|is not a function|Cannot read properties/);
      await expect(runTrain({ ...tiny, steps: 4, out: dir, resume: true }, quiet)).rejects.toThrow(want);
    });
  }
});
