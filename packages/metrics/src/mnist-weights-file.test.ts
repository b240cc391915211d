// Reading the classifier's weights goes through @scm-ts/io's safetensors reader, so the format's one rule
// set holds here too: a header that repeats a key (which JSON.parse would settle silently, last wins) or
// tensors whose byte ranges overlap are refused — each built here from the committed weights file — and a
// FIFO in place of the file is refused at once rather than waited on. The committed file still loads.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mnistClassifierWeightsUrl } from "./mnist-features.js";
import { loadMnistClassifier } from "./mnist-weights.js";

type Header = Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] }>;

let dir = "";
let header: Header;
let data: Uint8Array;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mnist-weights-"));
  const bytes = new Uint8Array(await readFile(mnistClassifierWeightsUrl));
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8")) as Header;
  data = bytes.subarray(8 + n);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a weights file of the committed data under a header given as JSON text. */
async function weightsWith(name: string, headerText: string): Promise<string> {
  const json = Buffer.from(headerText, "utf8");
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  const path = join(dir, name);
  await writeFile(path, out);
  return path;
}

describe("the classifier weights file", () => {
  it("loads as committed, and as rewritten here", async () => {
    const params = await loadMnistClassifier(await weightsWith("same.safetensors", JSON.stringify(header)));
    expect(params.conv1.weight.shape).toEqual([16, 1, 3, 3]);
  });

  it("is refused when its header repeats a key", async () => {
    const text = JSON.stringify(header);
    const repeated = `${text.slice(0, -1)},"conv1.bias":${JSON.stringify(header["conv1.bias"])}}`;
    await expect(loadMnistClassifier(await weightsWith("repeated.safetensors", repeated))).rejects.toThrow(
      /is not a valid weights file \(.*the header repeats the key "conv1\.bias" at its top level/,
    );
  });

  it("is refused when two tensors share bytes", async () => {
    // head.bias keeps its size but points at the first bytes of the data, over conv1.bias.
    const [begin, end] = header["head.bias"]!.data_offsets!;
    const overlapping = { ...header, "head.bias": { ...header["head.bias"], data_offsets: [0, end - begin] } };
    await expect(loadMnistClassifier(await weightsWith("overlap.safetensors", JSON.stringify(overlapping)))).rejects.toThrow(/is not a valid weights file \(.*overlap/);
  });

  it("is refused at once when it is a FIFO", async () => {
    const fifo = join(dir, "pipe.safetensors");
    execFileSync("mkfifo", [fifo]);
    await expect(loadMnistClassifier(fifo)).rejects.toThrow(/cannot read the classifier weights \(.*is a FIFO \(named pipe\), not a regular file/);
  }, 5000);
});
