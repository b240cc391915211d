// User datasets from safetensors files, read by @scm-ts/io (whose own tests cover every rule and dtype):
// files round-trip for float and integer dtypes ([N, D] and [N, C, H, W], with PyTorch's int64 labels);
// each kind of bad file — missing, truncated anywhere, corrupt header, unknown dtype, wrong byte range, a
// repeated header key, overlapping tensors, a FIFO or /dev/zero in place of a file, wrong tensor name,
// wrong rank, wrong example shape, bad labels, non-finite values — is refused with a `DataError` whose message
// names the file, the tensor and what was expected vs found. The reader is pluggable through
// `TensorFileReader`. A file whose metadata key `scm.mixture` describes a Gaussian mixture brings it back
// with the data (weights normalised), and a malformed or mismatched description is refused naming the
// key and the problem.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ArrayDataset } from "./array-dataset.js";
import { datasetFromTensorFile, type TensorDataset, type TensorDatasetOptions } from "./safetensors-dataset.js";
import { loadSafetensorsDataset } from "./tensor-files.js";
import { gaussianMixtureDensity } from "./toys/mixture-density.js";
import type { MixtureComponent } from "@scm-ts/core";
import { parseSafetensors, safetensorsReader } from "./safetensors-reader.js";
import type { TensorFileReader } from "./tensor-file.js";
import { serializeSafetensors, type HostTensor as IoTensor } from "@scm-ts/io";
import { attempt, settle } from "@scm-ts/testing";
import { DataError } from "./data-error.js";

/** A tensor to write: a dtype io writes, a shape and row-major values. */
interface TensorToWrite {
  readonly dtype: "F64" | "F32" | "I32" | "I64";
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/**
 * The bytes of a safetensors file of `tensors` (and string metadata), written by io's writer. I64 (what
 * PyTorch stores labels as) is written as F64 holding the int64 bit patterns, then renamed in the header.
 */
function writeSafetensors(tensors: Readonly<Record<string, TensorToWrite>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const host: [string, IoTensor][] = Object.entries(tensors).map(([name, t]) => {
    const shape = [...t.shape];
    if (t.dtype === "F64") return [name, { dtype: "float64", shape, data: Float64Array.from(t.values) }];
    if (t.dtype === "F32") return [name, { dtype: "float32", shape, data: Float32Array.from(t.values) }];
    if (t.dtype === "I32") return [name, { dtype: "int32", shape, data: Int32Array.from(t.values) }];
    const bits = BigInt64Array.from(Array.from(t.values, (v) => BigInt(v)));
    return [name, { dtype: "float64", shape, data: new Float64Array(bits.buffer) }];
  });
  const out = serializeSafetensors(host, metadata);
  const n = Number(new DataView(out.buffer).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(out.subarray(8, 8 + n)).toString("utf8")) as Record<string, { dtype: string }>;
  for (const [name, t] of Object.entries(tensors)) if (t.dtype === "I64") header[name]!.dtype = "I64";
  out.set(Buffer.from(JSON.stringify(header).padEnd(n, " ")), 8);
  return out;
}

let folder = "";
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "scm-data-safetensors-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, bytes);
  return path;
}

function load(path: string, options: TensorDatasetOptions = {}): Promise<E.Either<DataError, TensorDataset>> {
  return settle(loadSafetensorsDataset(path, options), DataError);
}

async function loadError(path: string, options: TensorDatasetOptions = {}): Promise<DataError> {
  const result = await load(path, options);
  if (E.isRight(result)) throw new Error(`expected ${path} to be refused`);
  return result.left;
}

const images = Float32Array.from({ length: 3 * 2 * 4 * 5 }, (_, i) => Math.sin(i) * 0.9);

describe("round trip", () => {
  test("an [N, C, H, W] float32 tensor with int64 labels and metadata", async () => {
    const path = await fileWith(
      "images.safetensors",
      writeSafetensors({ x: { dtype: "F32", shape: [3, 2, 4, 5], values: images }, y: { dtype: "I64", shape: [3], values: [7, 0, 3] } }, { format: "pt" }),
    );
    const result = await load(path, { labels: "y", exampleShape: [2, 4, 5] });
    expect(E.isRight(result)).toBe(true);
    const data = (result as E.Right<ArrayDataset>).right;
    expect(data.shape).toEqual([3, 2, 4, 5]);
    expect(data.values).toEqual(images);
    expect(data.labels).toEqual(Int32Array.of(7, 0, 3));
  });

  test.each([
    ["F64", [0.1, -2.5, 1e-3, 3.25]],
    ["F32", [0.1, -2.5, 1e-3, 3.25]],
    ["I32", [1, -2, 3, 40000]],
    ["I64", [1, -2, 3, 40000]],
  ] as const)("an [N, D] %s tensor, under another name", async (dtype, values) => {
    const path = await fileWith(`vectors-${dtype}.safetensors`, writeSafetensors({ other: { dtype: "I32", shape: [1], values: [1] }, points: { dtype, shape: [2, 2], values } }));
    const result = await load(path, { name: "points" });
    if (E.isLeft(result)) throw result.left;
    expect(result.right.shape).toEqual([2, 2]);
    expect([...result.right.values]).toEqual(values.map((v) => Math.fround(v)));
  });

  test("the reader is pluggable: a custom TensorFileReader is used instead of safetensors", async () => {
    const path = await fileWith("custom.bin", Uint8Array.of(1, 2, 3, 4));
    const reader: TensorFileReader = {
      format: "bytes-as-one-row",
      parse: (bytes, source) => ({
        source,
        names: ["x"],
        shapeOf: (name) => (name === "x" ? [1, bytes.length] : undefined),
        tensor: (name) => ({ name, dtype: "U8", shape: [1, bytes.length], values: Float32Array.from(bytes) }),
      }),
    };
    const result = await load(path, { reader });
    if (E.isLeft(result)) throw result.left;
    expect(result.right.values).toEqual(Float32Array.of(1, 2, 3, 4));
    expect(safetensorsReader.format).toBe("safetensors");
  });
});

describe("bad files", () => {
  const good = writeSafetensors({ x: { dtype: "F32", shape: [3, 2, 4, 5], values: images } });

  test("a missing file", async () => {
    const error = await loadError(join(folder, "nope.safetensors"));
    expect(error.kind).toBe("io");
    expect(error.message).toMatch(/nope\.safetensors: cannot read: no such file or folder/);
  });

  test("a file truncated at any point is refused, never read past its end", async () => {
    const path = join(folder, "truncated.safetensors");
    const headerEnd = 8 + Number(new DataView(good.buffer).getBigUint64(0, true));
    for (const cut of [0, 5, 8, 20, headerEnd - 1, headerEnd, headerEnd + 7, good.length - 1]) {
      await writeFile(path, good.subarray(0, cut));
      const error = await loadError(path);
      expect(error.kind).toBe("format");
      expect(error.message).toContain(path);
      expect(error.message).toMatch(/truncated/);
    }
  });

  test("a corrupt header, an absurd header length, an unknown dtype, inconsistent offsets", async () => {
    const corrupt = good.slice();
    corrupt[8] = 0x5d; // ']' where the header's '{' was
    expect((await loadError(await fileWith("corrupt.safetensors", corrupt))).message).toMatch(/header is not valid JSON/);
    const huge = good.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expect((await loadError(await fileWith("huge.safetensors", huge))).message).toMatch(/more than the 100000000-byte limit/);
    const header = (entry: unknown): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify({ x: entry }));
      const out = new Uint8Array(8 + json.length + 16);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    expect((await loadError(await fileWith("dtype.safetensors", header({ dtype: "Q7", shape: [2, 2], data_offsets: [0, 16] })))).message).toMatch(/tensor "x": unknown dtype "Q7"/);
    expect((await loadError(await fileWith("offsets.safetensors", header({ dtype: "F32", shape: [2, 3], data_offsets: [0, 16] })))).message).toMatch(
      /tensor "x": shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 16\] hold 16/,
    );
    expect((await loadError(await fileWith("beyond.safetensors", header({ dtype: "F32", shape: [2, 4], data_offsets: [0, 32] })))).message).toMatch(
      /tensor "x": data_offsets \[0, 32\] reach past the 16 data bytes of the file; it is truncated/,
    );
    expect((await loadError(await fileWith("shape.safetensors", header({ dtype: "F32", shape: "2x2", data_offsets: [0, 16] })))).message).toMatch(/shape "2x2" is not a list/);
    expect((await loadError(await fileWith("array.safetensors", header(1).fill(0x20, 8, 8)))).message).toMatch(/header entry must be an object/);
  });

  test("a repeated header key or overlapping tensors, refused as the checkpoint reader refuses them", async () => {
    const raw = (header: string, dataBytes: number): Uint8Array => {
      const json = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const entry = (begin: number, end: number): string => `{"dtype":"F32","shape":[1,${(end - begin) / 4}],"data_offsets":[${begin},${end}]}`;
    const repeated = await loadError(await fileWith("repeated.safetensors", raw(`{"x":${entry(0, 8)},"x":${entry(8, 16)}}`, 16)));
    expect(repeated.kind).toBe("format");
    expect(repeated.message).toMatch(/repeated\.safetensors: the header repeats the key "x" at its top level/);
    const overlap = await loadError(await fileWith("overlap.safetensors", raw(`{"x":${entry(0, 16)},"y":${entry(8, 16)}}`, 16)));
    expect(overlap.message).toMatch(/overlap\.safetensors: tensor "y": data_offsets \[8, 16\] overlap the tensor before it/);
  });

  test("a FIFO or /dev/zero in place of a file is refused at once, not read", async () => {
    const fifo = join(folder, "pipe.safetensors");
    execFileSync("mkfifo", [fifo]);
    for (const [path, what] of [[fifo, "a FIFO"], ["/dev/zero", "a character device"]] as const) {
      const error = await loadError(path);
      expect(error.kind).toBe("io");
      expect(error.message).toMatch(new RegExp(`^${path}: is ${what}.*, not a regular file`));
    }
    const custom = await loadError(fifo, { reader: safetensorsReader });
    expect(custom.message).toMatch(/is a FIFO \(named pipe\), not a regular file/);
  }, 5000);

  test("a wrong tensor name lists the names the file has", async () => {
    const path = await fileWith("named.safetensors", writeSafetensors({ images: { dtype: "F32", shape: [1, 2], values: [1, 2] }, labels: { dtype: "I32", shape: [1], values: [0] } }));
    const error = await loadError(path);
    expect(error.kind).toBe("name");
    expect(error.message).toBe(`${path}: has no tensor named "x"; it has tensors "images", "labels"`);
    expect((await loadError(path, { name: "images", labels: "y" })).message).toMatch(/no tensor named "y"/);
  });

  test("a vector [N] is N one-dimensional examples [N, 1]", async () => {
    const path = await fileWith("rank1.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [3], values: [1, 2, 4] } }));
    const ds = await loadSafetensorsDataset(path);
    expect([ds.shape, [...ds.values]]).toEqual([[3, 1], [1, 2, 4]]);
  });

  test("[N, H, W] is N one-channel images [N, 1, H, W]", async () => {
    const values = Float32Array.from({ length: 24 }, (_, i) => i);
    const path = await fileWith("rank3.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [2, 3, 4], values } }));
    const ds = await loadSafetensorsDataset(path);
    expect([ds.shape, [...ds.values]]).toEqual([[2, 1, 3, 4], [...values]]);
    expect((await loadError(path, { exampleShape: [1, 28, 28] })).message).toBe(`${path}: tensor "x" has shape [2, 3, 4] (read as [2, 1, 3, 4]) but the expected shape is [N, 1, 28, 28]`);
  });

  test("a wrong rank or an unexpected example shape names the shapes", async () => {
    const path = await fileWith("rank5.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [2, 1, 1, 3, 4], values: new Float32Array(24) } }));
    const rank = await loadError(path);
    expect(rank.kind).toBe("shape");
    expect(rank.message).toBe(`${path}: tensor "x" has shape [2, 1, 1, 3, 4] (rank 5); a dataset needs [N, D] (or [N] of one value each) or [N, C, H, W] (or [N, H, W] of one channel)`);
    const scalar = await fileWith("rank0.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [], values: [1] } }));
    expect((await loadError(scalar)).message).toMatch(/has shape \[\] \(rank 0\); a dataset needs/);
    const imagePath = await fileWith("images-shape.safetensors", good);
    expect((await loadError(imagePath, { exampleShape: [1, 28, 28] })).message).toBe(`${imagePath}: tensor "x" has shape [3, 2, 4, 5] but the expected shape is [N, 1, 28, 28]`);
    const empty = await fileWith("empty.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [0, 2], values: [] } }));
    expect((await loadError(empty)).message).toMatch(/has shape \[0, 2\] with an empty axis/);
  });

  test("labels of the wrong length or non-integer, and non-finite values", async () => {
    const base = { x: { dtype: "F32" as const, shape: [2, 2], values: [1, 2, 3, 4] } };
    const short = await fileWith("short-labels.safetensors", writeSafetensors({ ...base, y: { dtype: "I32", shape: [3], values: [0, 1, 2] } }));
    expect((await loadError(short, { labels: "y" })).message).toMatch(/labels tensor "y" has shape \[3\] but the examples need \[2\]/);
    const fractional = await fileWith("fractional-labels.safetensors", writeSafetensors({ ...base, y: { dtype: "F32", shape: [2], values: [0, 1.5] } }));
    expect((await loadError(fractional, { labels: "y" })).message).toMatch(/non-integer value 1.5 at index 1/);
    const nan = await fileWith("nan.safetensors", writeSafetensors({ x: { dtype: "F32", shape: [2, 2], values: [1, Number.NaN, 3, 4] } }));
    expect((await loadError(nan)).message).toMatch(/tensor "x" has a non-finite value \(NaN\) in example 0 at entry 1 \(flat index 1\); datasets must be finite: drop or fix those examples/);
  });

  test("parseSafetensors and datasetFromTensorFile work on bytes without the file system", () => {
    const file = parseSafetensors(good, "in-memory");
    expect(file.names).toEqual(["x"]);
    expect(file.shapeOf("x")).toEqual([3, 2, 4, 5]);
    expect(file.shapeOf("y")).toBeUndefined();
    expect(datasetFromTensorFile(file).shape).toEqual([3, 2, 4, 5]);
    const tooShort = attempt(() => parseSafetensors(Uint8Array.of(1, 2, 3), "three-bytes"), DataError);
    expect(E.isLeft(tooShort) && tooShort.left.message).toBe("three-bytes: the file has 3 bytes, fewer than the 8-byte header length of a safetensors file; it is truncated or not a safetensors file");
  });
});

describe("a mixture described in the metadata (scm.mixture)", () => {
  const components: MixtureComponent[] = [
    { weight: 1, mean: [-1, 0.5], covariance: { kind: "isotropic", variance: 0.04 } },
    { weight: 3, mean: [1, -0.5], covariance: { kind: "diagonal", variances: [0.01, 0.09] } },
    { weight: 4, mean: [0, 1], covariance: { kind: "full", matrix: [[0.04, 0.01], [0.01, 0.02]] } },
  ];
  const x = { x: { dtype: "F32" as const, shape: [3, 2], values: [-1, 0.5, 1, -0.5, 0, 1] } };
  const withMixture = (text: string) => writeSafetensors(x, { format: "pt", "scm.mixture": text });

  test("comes back with the data, weights normalised, and gives the data's density", async () => {
    const path = await fileWith("mixture.safetensors", withMixture(JSON.stringify({ components })));
    const result = await load(path);
    if (E.isLeft(result)) throw result.left;
    expect(result.right.shape).toEqual([3, 2]);
    const mixture = result.right.mixture!;
    expect(mixture.map((c) => c.weight)).toEqual([0.125, 0.375, 0.5]);
    expect(mixture.map((c) => [c.mean, c.covariance])).toEqual(components.map((c) => [c.mean, c.covariance]));
    const modes = gaussianMixtureDensity(mixture).modeOf(Float64Array.from(result.right.values));
    expect([...modes]).toEqual([0, 1, 2]);
    // Without the key there is no mixture field at all.
    const plain = await load(await fileWith("plain.safetensors", writeSafetensors(x, { format: "pt" })));
    expect(E.isRight(plain) && "mixture" in plain.right).toBe(false);
  });

  test.each([
    ["malformed JSON", "{components: [", /metadata key "scm.mixture": is not valid JSON/],
    ["no components", JSON.stringify({ parts: [] }), /metadata key "scm.mixture": expected \{"components"/],
    ["a mean of the wrong dimension", JSON.stringify({ components: [{ ...components[0], mean: [1, 2, 3] }] }), /metadata key "scm.mixture": components\[0\]\.mean has length 3 but an example has 2 values/],
    ["an unknown covariance kind", JSON.stringify({ components: [{ ...components[0], covariance: { kind: "spherical", variance: 1 } }] }), /components\[0\]\.covariance has kind "spherical"/],
    ["a missing variance", JSON.stringify({ components: [components[0], { ...components[1], covariance: { kind: "diagonal" } }] }), /components\[1\]\.covariance: a diagonal covariance needs "variances"/],
    ["a string weight", JSON.stringify({ components: [{ ...components[0], weight: "1" }] }), /components\[0\]\.weight is "1"; expected a positive number/],
    ["a negative weight", JSON.stringify({ components: [{ ...components[0], weight: -1 }] }), /metadata key "scm.mixture": gaussianMixture: weight 0 is -1/],
    ["a covariance that is not PSD", JSON.stringify({ components: [{ ...components[0], covariance: { kind: "full", matrix: [[1, 2], [2, 1]] } }] }), /metadata key "scm.mixture": gaussianMixture: component 0: the covariance is not positive semi-definite/],
  ])("%s is refused naming the key and the problem", async (_name, text, message) => {
    const path = await fileWith("bad-mixture.safetensors", withMixture(text));
    const error = await loadError(path);
    expect(error.kind).toBe(/wrong dimension/.test(_name) ? "shape" : "format");
    expect(error.message).toContain(path);
    expect(error.message).toMatch(message);
  });
});
