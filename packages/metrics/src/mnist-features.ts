// The MNIST feature network of the feature-space metrics (Fréchet distance, precision/recall on MNIST):
// a small convolutional classifier the project trains itself (scripts/train-mnist-classifier.mjs, on a
// fixed 8 000 / 2 000 split of the `mnist` package's 10 000 digits, the held-out accuracy recorded in
// weights/mnist-classifier.json) whose 64-d penultimate layer — the pre-activation output of the first
// linear layer — plays the part Inception-v3's pool features play for FID. The weights ship with the
// package as weights/mnist-classifier.safetensors (float32); reading them is mnist-weights.ts (Node only).
// Inputs are images [N, 1, 28, 28] in the data package's default normalisation (σ_d = 0.5 over the
// package's pixels).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { conv2d, linear } from "@scm-ts/nn";

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
