// Checkpoint bundles: pytrees of every dtype (nested objects, arrays, numbers) round-trip through the
// single-file and folder forms, with step, config, RNG key and metadata; loading into a template
// catches a checkpoint from another model; and a write that fails half-way (or before its rename)
// leaves the previous checkpoint intact and no temporary file behind. A FIFO or a device in place of the
// checkpoint file is refused at once with one line, never waited on or read without bound. The file is
// in PyTorch's layout (linear weights [out, in], norms' γ as `weight`, snake_case module paths,
// training state under `train.`, no U32 tensor), and a file of the first layout still reads, with a notice.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { array, random, treeFlatten, Tensor } from "@scm-ts/core";
import { nodeFileSystem, type AtomicFileSystem } from "./atomic-write.js";
import { checkpointFile, readCheckpoint, readCheckpointInto, writeCheckpoint, type Checkpoint } from "./checkpoint.js";
import { readSafetensors } from "./safetensors-file.js";
import { serializeSafetensors } from "./safetensors-write.js";
import { flattenNamed } from "./tree-names.js";
import { settle } from "@scm-ts/testing";
import { IoError } from "./io-error.js";

const tempDir = (): string => mkdtempSync(path.join(tmpdir(), "scm-ckpt-"));

function model(scale: number): { params: unknown; ema: unknown; optimizer: unknown } {
  return {
    params: { layer1: { w: array([1, 2, 3, 4].map((v) => v * scale), [2, 2]), b: array([0.5 * scale, -1], [2]) }, blocks: [{ g: array([scale], [1], { dtype: "float64" }) }, { g: array([2 * scale], [1], { dtype: "float64" }) }] },
    ema: { layer1: { w: array([9, 9, 9, 9], [2, 2]), b: array([0, 0], [2]) }, blocks: [{ g: array([1], [1], { dtype: "float64" }) }, { g: array([1], [1], { dtype: "float64" }) }] },
    optimizer: { count: 7 * scale, mu: { idx: array([3, -4], [2], { dtype: "int32" }), mask: array([1, 0], [2], { dtype: "bool" }), bits: array([4294967295], [1], { dtype: "uint32" }) } },
  };
}

async function leafValues(tree: unknown): Promise<unknown[]> {
  const [leaves] = treeFlatten(tree);
  return Promise.all(leaves.map(async (l) => (l instanceof Tensor ? [l.dtype, [...l.shape], [...(await l.data())]] : l)));
}

/** Leaves by dotted name, sorted (a tree rebuilt from names alone orders object keys by name). */
async function namedValues(tree: unknown): Promise<[string, unknown][]> {
  const named = flattenNamed(tree, "t").sort(([a], [b]) => (a < b ? -1 : 1));
  return Promise.all(named.map(async ([n, l]) => [n, l instanceof Tensor ? [l.dtype, [...l.shape], [...(await l.data())]] : l] as [string, unknown]));
}

function checkpoint(scale: number, step: number): Checkpoint {
  return { step, config: { model: "mlp", width: 64, lr: 1e-3, tags: ["a", null, true] }, ...model(scale), rngKey: random.key(1234 + step), metadata: { note: "hi" } };
}

describe("checkpoint bundles", () => {
  for (const form of ["file", "folder"] as const) {
    it(`round-trips every tree, the step, config, RNG key and metadata (${form} form)`, async () => {
      const dir = tempDir();
      const location = form === "file" ? path.join(dir, "run.safetensors") : path.join(dir, "ckpt");
      const saved = checkpoint(1, 250);
      await writeCheckpoint(location, saved);
      const template = model(0);
      const loaded = await readCheckpointInto(location, template);
      expect([loaded.step, loaded.config, loaded.metadata]).toEqual([250, saved.config, { note: "hi" }]);
      for (const field of ["params", "ema", "optimizer"] as const) expect(await leafValues(loaded[field])).toEqual(await leafValues(saved[field]));
      expect([...(await loaded.rngKey!.data())]).toEqual([...(await saved.rngKey!.data())]);
      expect(typeof (loaded.optimizer as { count: unknown }).count).toBe("number");
      // Without a template the trees come back from the names alone, arrays included.
      const plain = await readCheckpoint(location);
      expect(Array.isArray((plain.params as { blocks: unknown }).blocks)).toBe(true);
      expect(await namedValues(plain.params)).toEqual(await namedValues(saved.params));
      if (form === "folder") {
        expect(readdirSync(location).sort()).toEqual(["checkpoint.safetensors", "config.json"]);
        expect(JSON.parse(readFileSync(path.join(location, "config.json"), "utf8"))).toMatchObject({ step: 250, config: saved.config });
      }
      // PyTorch's layout in the file: parameters at the root, training state under train., the key in metadata.
      const file = await readSafetensors(checkpointFile(location));
      const names = [...file.tensors.keys()].sort();
      expect(names).toContain("layer1.w");
      expect(names).toContain("blocks.1.g");
      expect(names).toContain("train.ema.layer1.w");
      expect(names).toContain("train.optimizer.exp_avg.idx");
      expect(names).toContain("train.optimizer.step");
      expect(names).not.toContain("rng_key");
      expect(JSON.parse(file.metadata["scm.rng_key"]!)).toEqual({ dtype: "uint32", shape: [2], data: [...(await saved.rngKey!.data())] });
    });
  }

  it("stores module parameters as PyTorch does: linear weights [out, in], γ as weight, snake_case paths", async () => {
    const dir = tempDir();
    const w = array([1, 2, 3, 4, 5, 6], [2, 3]); // engine [in = 2, out = 3]
    const params = {
      net: { fcIn: { weight: w, bias: array([0, 0, 0], [3]) }, outNorm: { scale: array([1, 2], [2]), bias: array([0, 0], [2]) }, convIn: { weight: array([1, 2, 3, 4], [1, 1, 2, 2]) }, mapLabel: { table: array([1, 2, 3, 4, 5, 6], [3, 2]) }, enc: { "8x8_block0": { conv0: { bias: array([1], [1]) } } } },
    };
    await writeCheckpoint(dir, { step: 1, config: null, params, ema: params, optimizer: { count: array(2), mu: params, nu: params } });
    const file = await readSafetensors(checkpointFile(dir));
    const get = (n: string) => file.tensors.get(n) ?? expect.fail(`no tensor "${n}" among ${[...file.tensors.keys()].join(", ")}`);
    for (const prefix of ["", "train.ema.", "train.optimizer.exp_avg.", "train.optimizer.exp_avg_sq."]) {
      expect(get(`${prefix}net.fc_in.weight`).shape).toEqual([3, 2]);
      expect([...get(`${prefix}net.fc_in.weight`).data]).toEqual([1, 4, 2, 5, 3, 6]);
      expect(get(`${prefix}net.out_norm.weight`).shape).toEqual([2]);
      expect(get(`${prefix}net.conv_in.weight`).shape).toEqual([1, 1, 2, 2]);
      expect([...get(`${prefix}net.map_label.weight`).data]).toEqual([1, 3, 5, 2, 4, 6]); // table [3, 2] as nn.Linear(3, 2).weight [2, 3]
      expect(get(`${prefix}net.enc.8x8_block0.conv0.bias`).shape).toEqual([1]);
    }
    expect(get("train.optimizer.step").shape).toEqual([]);
    expect(Object.values(Object.fromEntries(file.tensors)).every((h) => h.dtype !== "uint32")).toBe(true);
    const back = await readCheckpointInto(dir, { params, ema: params, optimizer: { count: array(0), mu: params, nu: params } });
    expect(await namedValues(back.params)).toEqual(await namedValues(params));
    expect(await namedValues(back.optimizer)).toEqual(await namedValues({ count: array(2), mu: params, nu: params }));
    expect(back.notice).toBeUndefined();
    // A tree key the layout cannot express is refused with one line, not stored ambiguously.
    const r = await settle(writeCheckpoint(dir, { step: 1, config: null, params: { a_b: array([1]) } }), IoError);
    expect(E.isLeft(r) && r.left.message).toMatch(/"params\.a_b" cannot be stored in PyTorch's layout .* rename the tree key/);
  });

  it("reads a checkpoint of the first layout (engine names, U32 rng_key) with a one-line notice", async () => {
    const dir = tempDir();
    const location = path.join(dir, "old.safetensors");
    const f32 = (v: number[], shape: number[]) => ({ dtype: "float32" as const, shape, data: Float32Array.from(v) });
    const bytes = serializeSafetensors(
      { "params.fc.weight": f32([1, 2, 3, 4, 5, 6], [2, 3]), "ema.fc.weight": f32([0, 0, 0, 0, 0, 0], [2, 3]), rng_key: { dtype: "uint32", shape: [2], data: Uint32Array.of(7, 4294967295) } },
      { "scm.format": "scm-ts/checkpoint@1", "scm.step": "5", "scm.config": "{\"a\":1}" },
    );
    writeFileSync(location, bytes);
    const template = { params: { fc: { weight: array([0, 0, 0, 0, 0, 0], [2, 3]) } }, ema: { fc: { weight: array([0, 0, 0, 0, 0, 0], [2, 3]) } } };
    const old = await readCheckpointInto(location, template);
    expect([...(await (old.params as { fc: { weight: Tensor } }).fc.weight.data())]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(await old.rngKey!.data())]).toEqual([7, 4294967295]);
    expect(old.notice).toMatch(/first scm-ts layout \(scm-ts\/checkpoint@1\), read by migration/);
    expect(old.notice).not.toMatch(/\n/);
    // Written again, it is in the new layout and reads back the same.
    await writeCheckpoint(location, old);
    const names = [...(await readSafetensors(location)).tensors.keys()].sort();
    expect(names).toEqual(["fc.weight", "train.ema.fc.weight"]);
    const again = await readCheckpointInto(location, template);
    expect([...(await (again.params as { fc: { weight: Tensor } }).fc.weight.data())]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...(await again.rngKey!.data())]).toEqual([7, 4294967295]);
    expect(again.notice).toBeUndefined();
  });

  it("refuses a checkpoint from another model, listing the differences", async () => {
    const dir = tempDir();
    await writeCheckpoint(dir, checkpoint(1, 1));
    const other = { params: { layer1: { w: array([0, 0, 0, 0, 0, 0], [2, 3]), b: array([0, 0], [2]) }, head: array([0], [1]), blocks: [{ g: array([1], [1], { dtype: "float64" }) }] } };
    const r = await settle(readCheckpointInto(dir, other), IoError);
    if (E.isRight(r)) throw new Error("accepted a mismatched checkpoint");
    expect(r.left.kind).toBe("mismatch");
    expect(r.left.message).toMatch(/checkpoint\.safetensors: the checkpoint does not fit the model/);
    expect(r.left.message).toMatch(/"layer1\.w" is float32\[2, 2\] in the file but the model expects float32\[2, 3\]/);
    expect(r.left.message).toMatch(/"head" \(float32\[1\]\) is missing from the file/);
    expect(r.left.message).toMatch(/"blocks\.1\.g" is in the file but not in the model/);
    // A linear weight is named and shaped as PyTorch stores it: nn.Linear(2, 3).weight is [3, 2].
    const lin = tempDir();
    await writeCheckpoint(lin, { step: 1, config: null, params: { fc: { weight: array([1, 2, 3, 4, 5, 6], [2, 3]) } } });
    const r2 = await settle(readCheckpointInto(lin, { params: { fc: { weight: array([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]) } } }), IoError);
    expect(E.isLeft(r2) && r2.left.message).toMatch(/"fc\.weight" is float32\[3, 2\] in the file but the model expects float32\[4, 2\]/);
  });

  it("gives clear Lefts for bad checkpoints and bad arguments", async () => {
    const dir = tempDir();
    const missing = await settle(readCheckpoint(path.join(dir, "none")), IoError);
    expect(E.isLeft(missing) && missing.left.kind).toBe("not-found");
    const plainFile = path.join(dir, "plain.safetensors");
    writeFileSync(plainFile, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32));
    const plain = await settle(readCheckpoint(plainFile), IoError);
    expect(E.isLeft(plain) && plain.left.message).toMatch(/not an scm-ts checkpoint/);
    const fifoRun = path.join(dir, "fifo-run");
    mkdirSync(fifoRun);
    execFileSync("mkfifo", [path.join(fifoRun, "checkpoint.safetensors")]);
    const zero = path.join(dir, "zero.safetensors");
    symlinkSync("/dev/zero", zero);
    for (const location of [fifoRun, zero]) {
      const special = await settle(readCheckpoint(location), IoError);
      expect(E.isLeft(special) && special.left.message).toMatch(/is a (FIFO \(named pipe\)|character device \(like \/dev\/zero\)), not a regular file/);
    }
    const bad = async (c: Partial<Checkpoint>): Promise<string> => {
      const r = await settle(writeCheckpoint(path.join(dir, "x.safetensors"), { ...checkpoint(1, 1), ...c }), IoError);
      return E.isLeft(r) ? r.left.message : "accepted";
    };
    expect(await bad({ step: -1 })).toMatch(/step -1 is not a non-negative integer/);
    expect(await bad({ config: { lr: NaN } })).toMatch(/the config holds the number NaN/);
    expect(await bad({ params: { "a.b": array([1]) } })).toMatch(/tree key "a\.b" at "params"/);
    expect(await bad({ params: { f: "text" } })).toMatch(/"params\.f" is a string/);
    expect(await bad({ metadata: { "scm.step": "3" } })).toMatch(/reserved/);
  });
});

/** Node's file system, except that the write after `okWrites` writes fails (a full disk, a kill). */
function failingFileSystem(okWrites: number, failRename = false): AtomicFileSystem {
  let writes = 0;
  return {
    ...nodeFileSystem,
    create: async (file) => {
      const real = await nodeFileSystem.create(file);
      return {
        ...real,
        write: async (data, offset, length) => {
          if (writes++ >= okWrites) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          // Partial writes exercise the write loop.
          return real.write(data, offset, Math.max(1, Math.min(length, 7)));
        },
      };
    },
    rename: async (from, to) => {
      if (failRename) throw Object.assign(new Error("EIO: i/o error, rename"), { code: "EIO" });
      return nodeFileSystem.rename(from, to);
    },
  };
}

describe("atomic checkpoint writes", () => {
  for (const [what, fs] of [["fails mid-write", failingFileSystem(5)], ["fails at the rename", failingFileSystem(1e9, true)]] as const) {
    it(`a write that ${what} keeps the previous checkpoint intact and cleans up`, async () => {
      for (const location of [path.join(tempDir(), "c.safetensors"), path.join(tempDir(), "folder")]) {
        await writeCheckpoint(location, checkpoint(1, 100));
        const before = readFileSync(checkpointFile(location));
        const r = await settle(writeCheckpoint(location, checkpoint(2, 200), { fileSystem: fs }), IoError);
        if (E.isRight(r)) throw new Error("the failing write succeeded");
        expect(r.left.message).toMatch(/the previous file, if any, is unchanged/);
        expect(readFileSync(checkpointFile(location)).equals(before)).toBe(true);
        expect((await readCheckpoint(location)).step).toBe(100);
        expect(readdirSync(path.dirname(checkpointFile(location))).filter((f) => f.includes(".tmp-"))).toEqual([]);
      }
    });
  }

  it("a temporary file left by a killed run does not disturb reading or the next write", async () => {
    const location = path.join(tempDir(), "c.safetensors");
    await writeCheckpoint(location, checkpoint(1, 100));
    writeFileSync(path.join(path.dirname(location), ".c.safetensors.tmp-999-deadbeef"), new Uint8Array(100));
    expect((await readCheckpoint(location)).step).toBe(100);
    await writeCheckpoint(location, checkpoint(2, 200));
    expect((await readCheckpoint(location)).step).toBe(200);
    expect(existsSync(location)).toBe(true);
  });
});
