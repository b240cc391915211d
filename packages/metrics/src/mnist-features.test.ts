// The committed MNIST feature classifier: its weights load and reproduce the held-out accuracy that
// weights/mnist-classifier.json records (and at least 95%) on the same 2 000 held-out digits; in its
// feature space the Fréchet distance of the held-out set against itself is ~0 and grows strictly with
// added Gaussian noise, and precision/recall of the set against itself are 1. A missing or foreign
// weights file gives a clear error.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as c from "@scm-ts/core";
import { loadMnist } from "@scm-ts/data/node";
import { loadTensors } from "@scm-ts/io/node";
import { beforeAll, describe, expect, it } from "vitest";
import { frechetDistance } from "./frechet-distance.js";
import { mnistClassifierLogits, mnistClassifierSplit, mnistClassifierWeightsUrl, mnistFeatureDimension } from "./mnist-features.js";
import { loadMnistClassifier, mnistFeatureNet } from "./mnist-weights.js";
import { precisionRecall } from "./precision-recall.js";
import type { FeatureExtractor } from "./features.js";

interface ClassifierRecord {
  readonly heldOutAccuracy: number;
  readonly split: { readonly total: number; readonly train: number; readonly heldOut: number; readonly seed: number };
}

const side = 28 * 28;
let record: ClassifierRecord;
let heldOut: { values: Float32Array; labels: Int32Array; n: number };
let features: FeatureExtractor;

beforeAll(async () => {
  record = JSON.parse(await readFile(new URL("../weights/mnist-classifier.json", import.meta.url), "utf8")) as ClassifierRecord;
  const mnist = await loadMnist();
  expect(mnist.labels.length).toBe(record.split.total);
  const split = mnistClassifierSplit(record.split.total, record.split.train, record.split.seed);
  const values = new Float32Array(split.heldOut.length * side);
  const labels = new Int32Array(split.heldOut.length);
  split.heldOut.forEach((src, i) => {
    values.set(mnist.values.subarray(src * side, (src + 1) * side), i * side);
    labels[i] = mnist.labels[src]!;
  });
  heldOut = { values, labels, n: split.heldOut.length };
  features = await mnistFeatureNet();
}, 30_000);

const images = (values: Float32Array) => c.array(values, [values.length / side, 1, 28, 28]);

async function noisy(std: number, seed: number): Promise<Float32Array> {
  const z = (await c.random.normal(c.random.key(seed), [heldOut.values.length]).data()) as Float32Array;
  return heldOut.values.map((v, i) => v + std * z[i]!);
}

describe("mnist feature classifier", () => {
  it("reproduces the recorded held-out accuracy (≥ 95%) on the 2 000 held-out digits", async () => {
    expect(heldOut.n).toBe(2000);
    expect(record.heldOutAccuracy).toBeGreaterThanOrEqual(0.95);
    const params = await loadMnistClassifier();
    const logits = (await mnistClassifierLogits(params, images(heldOut.values)).data()) as Float32Array;
    let correct = 0;
    for (let i = 0; i < heldOut.n; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (logits[i * 10 + k]! > logits[i * 10 + best]!) best = k;
      if (best === heldOut.labels[i]) correct++;
    }
    const accuracy = correct / heldOut.n;
    expect(Math.abs(accuracy - record.heldOutAccuracy)).toBeLessThanOrEqual(0.005);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("the committed file is valid safetensors for an independent reader (@scm-ts/io)", async () => {
    const loaded = await loadTensors(fileURLToPath(mnistClassifierWeightsUrl));
    expect([...loaded.keys()].sort()).toEqual(["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight", "conv3.bias", "conv3.weight", "feature.bias", "feature.weight", "head.bias", "head.weight"]);
  });

  it("maps images to 64-d features", async () => {
    const out = await features(images(heldOut.values.subarray(0, 3 * side)));
    expect(out.shape).toEqual([3, mnistFeatureDimension]);
  });

  it("FD(held-out, held-out) ≈ 0 and FD grows strictly with added Gaussian noise", async () => {
    const x = images(heldOut.values);
    const self = await frechetDistance(x, x, { features });
    const fds: number[] = [];
    for (const [i, std] of [0.1, 0.2, 0.4, 0.8].entries()) fds.push(await frechetDistance(x, images(await noisy(std, 100 + i)), { features }));
    console.log(`FD(held-out, held-out) = ${self.toExponential(3)}; with noise std 0.1, 0.2, 0.4, 0.8: ${fds.map((f) => f.toFixed(4)).join(", ")}`);
    expect(Math.abs(self)).toBeLessThan(1e-6 * fds[0]!);
    for (let i = 1; i < fds.length; i++) expect(fds[i]!).toBeGreaterThan(fds[i - 1]!);
    expect(fds[0]!).toBeGreaterThan(0);
  }, 240_000); // five passes of the classifier over the held-out set: ~15 s alone, minutes on a loaded 2-core machine

  it("precision and recall of the held-out set against itself are 1", async () => {
    const x = images(heldOut.values);
    const pr = await precisionRecall(x, x, { features });
    expect(pr.precision).toBeCloseTo(1, 6);
    expect(pr.recall).toBeCloseTo(1, 6);
  });

  it("a missing or foreign weights file fails with a clear message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mnist-features-"));
    try {
      await expect(mnistFeatureNet(join(dir, "absent.safetensors"))).rejects.toThrow(/cannot read the classifier weights .*train-mnist-classifier/);
      const header = new TextEncoder().encode(JSON.stringify({ other: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }));
      const bytes = new Uint8Array(8 + header.length + 4);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
      bytes.set(header, 8);
      await writeFile(join(dir, "foreign.safetensors"), bytes);
      await expect(mnistFeatureNet(join(dir, "foreign.safetensors"))).rejects.toThrow(/lacks tensor "conv1.weight"/);
      await writeFile(join(dir, "short.safetensors"), bytes.subarray(0, 5));
      await expect(mnistFeatureNet(join(dir, "short.safetensors"))).rejects.toThrow(/not a valid weights file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
