// Reading the MNIST feature network's committed weights and recorded split (Node only): the weights by
// @scm-ts/io's safetensors reader (the one rule set of the format: header cap, no repeated key, contiguous
// offsets, little-endian on any host; regular files only), checked tensor by tensor against the
// architecture of mnist-features.ts, and the split's seed and training count from the JSON next to them.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { IoError, type SafetensorsContents } from "@scm-ts/io";
import { readSafetensors } from "@scm-ts/io/node";
import type { FeatureExtractor } from "./features.js";
import {
  initMnistClassifier,
  mnistClassifierFeatures,
  mnistClassifierSplit,
  mnistClassifierTensors,
  mnistClassifierWeightsUrl,
  type MnistClassifierParams,
} from "./mnist-features.js";

/** Loads classifier parameters from a safetensors file (default: the committed weights). */
export async function loadMnistClassifier(file: string | URL = mnistClassifierWeightsUrl): Promise<MnistClassifierParams> {
  const path = typeof file === "string" ? file : fileURLToPath(file);
  let stored: SafetensorsContents["tensors"];
  try {
    stored = (await readSafetensors(path)).tensors;
  } catch (e) {
    if (!(e instanceof IoError)) throw e;
    if (e.kind === "not-found" || e.kind === "filesystem") {
      throw new Error(`mnistFeatureNet: cannot read the classifier weights (${e.message}); they are committed with @scm-ts/metrics — restore them or run packages/metrics/scripts/train-mnist-classifier.mjs`);
    }
    throw new Error(`mnistFeatureNet: ${path} is not a valid weights file (${e.message}); rerun scripts/train-mnist-classifier.mjs`);
  }
  const template = mnistClassifierTensors(initMnistClassifier(c.random.key(0)));
  const loaded: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(template)) {
    const h = stored.get(name);
    if (!h) throw new Error(`mnistFeatureNet: ${path} lacks tensor "${name}"; it is not this classifier's weights`);
    if (h.storedDtype !== "F32") throw new Error(`mnistFeatureNet: "${name}" in ${path} is ${h.storedDtype}, expected F32; it is not this classifier's weights`);
    if (h.shape.length !== t.shape.length || h.shape.some((d, i) => d !== t.shape[i])) throw new Error(`mnistFeatureNet: "${name}" in ${path} is [${h.shape.join(", ")}], expected [${t.shape.join(", ")}]`);
    loaded[name] = c.array(h.data as Float32Array, h.shape);
  }
  const layer = (k: string) => ({ weight: loaded[`${k}.weight`]!, bias: loaded[`${k}.bias`]! });
  return { conv1: layer("conv1"), conv2: layer("conv2"), conv3: layer("conv3"), feature: layer("feature"), head: layer("head") };
}

/**
 * The MNIST feature network for `frechetDistance` / `precisionRecall`: loads the committed classifier
 * (or `file`) and maps images [B, 1, 28, 28] (data package default normalisation) to features [B, 64].
 */
export async function mnistFeatureNet(file?: string | URL): Promise<FeatureExtractor> {
  const params = await loadMnistClassifier(file);
  const features = c.jit((images: Tensor) => mnistClassifierFeatures(params, images));
  return (batch: Tensor) => features(batch);
}

/**
 * The classifier's recorded split of the `mnist` package's `n` digits (seed and training count read from
 * weights/mnist-classifier.json): generative models should train on `train` and be scored against
 * `heldOut`, which neither they nor the classifier have seen. Also returns the recorded seed and count.
 */
export async function mnistClassifierRecordedSplit(n: number): Promise<{
  /** Indices of the digits the classifier trained on (and generative models may train on). */
  train: Int32Array;
  /** Indices of the digits nobody trained on: score samples against these. */
  heldOut: Int32Array;
  /** The recorded seed of the permutation. */
  seed: number;
  /** The recorded number of training digits (8 000 for the committed weights). */
  trainCount: number;
}> {
  const url = new URL("mnist-classifier.json", mnistClassifierWeightsUrl);
  let settings: { seed?: unknown; trainCount?: unknown } | undefined;
  try {
    settings = (JSON.parse(await readFile(url, "utf8")) as { settings?: { seed?: unknown; trainCount?: unknown } }).settings;
  } catch (e) {
    throw new Error(`mnistClassifierRecordedSplit: cannot read ${fileURLToPath(url)} (${e instanceof Error ? e.message : String(e)}); it is committed with @scm-ts/metrics`);
  }
  const { seed, trainCount } = settings ?? {};
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(trainCount)) throw new Error(`mnistClassifierRecordedSplit: ${fileURLToPath(url)} lacks settings.seed / settings.trainCount; rerun scripts/train-mnist-classifier.mjs`);
  if ((trainCount as number) > n) throw new RangeError(`mnistClassifierRecordedSplit: the classifier trained on ${trainCount as number} digits but only ${n} were loaded; load all of MNIST`);
  return { ...mnistClassifierSplit(n, trainCount as number, seed as number), seed: seed as number, trainCount: trainCount as number };
}
