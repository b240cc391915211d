// The MNIST feature network of the feature-space metrics (Fréchet distance, precision/recall on MNIST):
// a small convolutional classifier the project trains itself (scripts/train-mnist-classifier.mjs, on a
// fixed 8 000 / 2 000 split of the `mnist` package's 10 000 digits, the held-out accuracy recorded in
// weights/mnist-classifier.json) whose 64-d penultimate layer — the pre-activation output of the first
// linear layer — plays the part Inception-v3's pool features play for FID. The weights ship with the
// package as weights/mnist-classifier.safetensors (float32) and are read by @scm-ts/io's safetensors reader
// (the one rule set of the format: header cap, no repeated key, contiguous offsets, little-endian on any
// host; regular files only). Inputs are images
// [N, 1, 28, 28] in the data package's default normalisation (σ_d = 0.5 over the package's pixels).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import * as E from "fp-ts/lib/Either.js";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { readSafetensors } from "@scm-ts/io";
import { conv2d, linear } from "@scm-ts/nn";
import type { FeatureExtractor } from "./features.js";

/** The classifier's architecture (fixed: the committed weights were trained with it). */
export const mnistClassifierArchitecture = {
  /** [N, 1, 28, 28] → [N, 16, 14, 14], then SiLU. */
  conv1: {
    /** One channel: grey-scale digits. */
    inChannels: 1,
    /** Output channels. */
    outChannels: 16,
    /** 3×3 kernels. */
    kernel: 3,
    /** Stride 2 in both directions: halves the resolution (rounding up). */
    stride: 2,
    /** "SAME" zero padding: the output is ⌈input/stride⌉ on a side. */
    padding: "SAME",
  },
  /** [N, 16, 14, 14] → [N, 32, 7, 7], then SiLU. */
  conv2: {
    /** conv1's 16 channels. */
    inChannels: 16,
    /** Output channels. */
    outChannels: 32,
    /** 3×3 kernels. */
    kernel: 3,
    /** Stride 2 in both directions: halves the resolution (rounding up). */
    stride: 2,
    /** "SAME" zero padding: the output is ⌈input/stride⌉ on a side. */
    padding: "SAME",
  },
  /** [N, 32, 7, 7] → [N, 32, 4, 4], then SiLU. */
  conv3: {
    /** conv2's 32 channels. */
    inChannels: 32,
    /** Output channels. */
    outChannels: 32,
    /** 3×3 kernels. */
    kernel: 3,
    /** Stride 2 in both directions: halves the resolution (rounding up). */
    stride: 2,
    /** "SAME" zero padding: the output is ⌈input/stride⌉ on a side. */
    padding: "SAME",
  },
  /** The feature layer: the flattened [N, 512] → the 64-d features (its output before the SiLU). */
  feature: {
    /** 32 channels × 4 × 4 positions of conv3, flattened. */
    inFeatures: 32 * 4 * 4,
    /** The feature width, `mnistFeatureDimension`. */
    outFeatures: 64,
  },
  /** The classification head: SiLU(features) → logits. */
  head: {
    /** The 64 features. */
    inFeatures: 64,
    /** One logit per digit class 0–9. */
    outFeatures: 10,
  },
} as const;

/** The width of the feature vectors. */
export const mnistFeatureDimension = 64;

/** Parameters of the MNIST classifier. */
export interface MnistClassifierParams {
  /** First convolution, weights [16, 1, 3, 3] and bias [16]. */
  readonly conv1: conv2d.Conv2dParams;
  /** Second convolution, weights [32, 16, 3, 3] and bias [32]. */
  readonly conv2: conv2d.Conv2dParams;
  /** Third convolution, weights [32, 32, 3, 3] and bias [32]. */
  readonly conv3: conv2d.Conv2dParams;
  /** The feature layer 512 → 64, whose output the metrics use. */
  readonly feature: linear.LinearParams;
  /** The classification head 64 → 10 (used in training and for the accuracy check only). */
  readonly head: linear.LinearParams;
}

/** Freshly initialised classifier parameters from an explicit key. */
export function initMnistClassifier(key: Tensor): MnistClassifierParams {
  const a = mnistClassifierArchitecture;
  const k = c.random.split(key, 5);
  return {
    conv1: conv2d.init(k[0]!, a.conv1),
    conv2: conv2d.init(k[1]!, a.conv2),
    conv3: conv2d.init(k[2]!, a.conv3),
    feature: linear.init(k[3]!, a.feature),
    head: linear.init(k[4]!, a.head),
  };
}

/** The 64-d features of images [N, 1, 28, 28]: three stride-2 convs with SiLU, flatten, linear. */
export function mnistClassifierFeatures(params: MnistClassifierParams, images: Tensor): Tensor {
  const a = mnistClassifierArchitecture;
  if (images.ndim !== 4 || images.shape[1] !== 1 || images.shape[2] !== 28 || images.shape[3] !== 28) {
    throw new RangeError(`mnistFeatureNet: images [${images.shape.join(", ")}] must be [N, 1, 28, 28]`);
  }
  let h = c.silu(conv2d.apply(params.conv1, images, a.conv1)); // [N, 16, 14, 14]
  h = c.silu(conv2d.apply(params.conv2, h, a.conv2)); // [N, 32, 7, 7]
  h = c.silu(conv2d.apply(params.conv3, h, a.conv3)); // [N, 32, 4, 4]
  return linear.apply(params.feature, c.reshape(h, [h.shape[0]!, -1])); // [N, 512] → [N, 64]
}

/** The class logits [N, 10] of images [N, 1, 28, 28]. */
export function mnistClassifierLogits(params: MnistClassifierParams, images: Tensor): Tensor {
  return linear.apply(params.head, c.silu(mnistClassifierFeatures(params, images)));
}

/** The parameters by tensor name ("conv1.weight", …), as stored in the safetensors file. */
export function mnistClassifierTensors(params: MnistClassifierParams): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [layer, p] of Object.entries(params) as [string, { weight: Tensor; bias?: Tensor }][]) {
    out[`${layer}.weight`] = p.weight;
    if (p.bias) out[`${layer}.bias`] = p.bias;
  }
  return out;
}

/** Where the committed weights live (next to the package's src/ and dist/). */
export const mnistClassifierWeightsUrl: URL = new URL("../weights/mnist-classifier.safetensors", import.meta.url);

/** Loads classifier parameters from a safetensors file (default: the committed weights). */
export async function loadMnistClassifier(file: string | URL = mnistClassifierWeightsUrl): Promise<MnistClassifierParams> {
  const path = typeof file === "string" ? file : fileURLToPath(file);
  const read = await readSafetensors(path)();
  if (E.isLeft(read)) {
    const { kind, message } = read.left;
    if (kind === "not-found" || kind === "filesystem") {
      throw new Error(`mnistFeatureNet: cannot read the classifier weights (${message}); they are committed with @scm-ts/metrics — restore them or run packages/metrics/scripts/train-mnist-classifier.mjs`);
    }
    throw new Error(`mnistFeatureNet: ${path} is not a valid weights file (${message}); rerun scripts/train-mnist-classifier.mjs`);
  }
  const stored = read.right.tensors;
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
 * The fixed split of the classifier: a seeded Fisher–Yates permutation (mulberry32) of `n` indices,
 * the first `train` of it for training and the rest held out.
 */
export function mnistClassifierSplit(n: number, train: number, seed: number): {
  /** The first `train` indices of the permutation (into the n digits). */
  train: Int32Array;
  /** The other n − train indices, in permutation order. */
  heldOut: Int32Array;
} {
  if (!(Number.isSafeInteger(n) && Number.isSafeInteger(train) && train >= 0 && train <= n)) throw new RangeError(`mnistClassifierSplit: need 0 ≤ train ≤ n integers, got n=${n}, train=${train}`);
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return { train: perm.slice(0, train), heldOut: perm.slice(train) };
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
