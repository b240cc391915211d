// The MNIST data of the examples: the `mnist` package's 10 000 digits split exactly as the project's
// feature classifier was (its recorded seed and training count), so the generative models train only on
// the classifier's training digits and are scored against its held-out ones. Images can be trained at
// 28×28 or, for the CPU, average-pooled to 14×14 (or 7×7) and re-standardised to σ_d; every model
// output maps back to pixels in [0, 1] at 28×28 (nearest-neighbour upsampling, clipped) for the PNG
// grids and the feature network, and the held-out reference goes through the same pooling and
// upsampling, so a Fréchet distance compares like with like.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { mnistPixelMean, mnistPixelStd, mnistSide } from "@scm-ts/data";
import { loadMnist } from "@scm-ts/data/node";
import { mnistClassifierSplit } from "@scm-ts/metrics";
import { mnistClassifierRecordedSplit } from "@scm-ts/metrics/node";

/** MNIST at one training resolution, split into training and held-out digits. */
export interface MnistSplit {
  /** Side of the training images (28, 14 or 7). */
  readonly size: number;
  /** σ_d of the training values (mean 0, std σ_d over the training digits). */
  readonly sigmaData: number;
  /** Training images [N, 1, size, size], row-major. */
  readonly train: Float32Array;
  /** Held-out images as pixels in [0, 1] at 28×28 after pooling and upsampling, [M, 1, 28, 28]. */
  readonly heldOutPixels: Float32Array;
  /** Training images as pixels in [0, 1] at 28×28 after pooling and upsampling (for the data floor). */
  readonly trainPixels: Float32Array;
  readonly trainCount: number;
  readonly heldOutCount: number;
  /** Pixel mean and std of the pooled training digits (value = σ_d·(p − mean)/std). */
  readonly pixelMean: number;
  readonly pixelStd: number;
  /** Where the split came from. */
  readonly split: { readonly seed: number; readonly trainCount: number; readonly total: number };
}

/** Average-pools pixel images [n, 28, 28] by `factor` to [n, 28/factor, 28/factor]. */
export function poolPixels(pixels: Float32Array, n: number, factor: number): Float32Array {
  const s = mnistSide / factor, out = new Float32Array(n * s * s), w = 1 / (factor * factor);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < mnistSide; y++) {
      for (let x = 0; x < mnistSide; x++) out[k * s * s + Math.floor(y / factor) * s + Math.floor(x / factor)]! += w * pixels[k * mnistSide * mnistSide + y * mnistSide + x]!;
    }
  }
  return out;
}

/** Nearest-neighbour upsampling of images [n, s, s] to [n, 28, 28], clipped to [0, 1]. */
export function upsampleClip(pixels: Float32Array, n: number, size: number): Float32Array {
  const f = mnistSide / size, out = new Float32Array(n * mnistSide * mnistSide);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < mnistSide; y++) {
      for (let x = 0; x < mnistSide; x++) {
        const v = pixels[k * size * size + Math.floor(y / f) * size + Math.floor(x / f)]!;
        out[k * mnistSide * mnistSide + y * mnistSide + x] = Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v));
      }
    }
  }
  return out;
}

/** Loads MNIST at side `size` (28, 14 or 7) with the feature classifier's split. */
export async function loadMnistSplit(size = 14, sigmaData = 0.5): Promise<MnistSplit> {
  if (![28, 14, 7].includes(size)) throw new RangeError(`--size ${size}: MNIST trains at 28, 14 or 7 pixels (28 divided by 1, 2 or 4)`);
  // [0, 1] pixels: the "symmetric" normalisation gives 2p − 1.
  const mnist = await loadMnist({ normalisation: "symmetric" });
  const total = mnist.shape[0]!, px = mnistSide * mnistSide;
  const all = mnist.values.map((v) => (v + 1) / 2);
  const { train, heldOut, seed, trainCount } = await mnistClassifierRecordedSplit(total);
  const gather = (idx: Int32Array) => {
    const out = new Float32Array(idx.length * px);
    idx.forEach((i, k) => out.set(all.subarray(i * px, (i + 1) * px), k * px));
    return poolPixels(out, idx.length, mnistSide / size);
  };
  const trainP = gather(train), heldP = gather(heldOut);
  let sum = 0, sq = 0;
  for (const v of trainP) (sum += v), (sq += v * v);
  const mean = sum / trainP.length, std = Math.sqrt(sq / trainP.length - mean * mean);
  return {
    size, sigmaData, train: trainP.map((p) => (sigmaData * (p - mean)) / std),
    heldOutPixels: upsampleClip(heldP, heldOut.length, size), trainPixels: upsampleClip(trainP, train.length, size),
    trainCount: train.length, heldOutCount: heldOut.length, pixelMean: mean, pixelStd: std, split: { seed, trainCount, total },
  };
}

/** Model values [n, 1, s, s] → pixels in [0, 1] at 28×28 (host), inverting the standardisation. */
export async function toPixels28(data: MnistSplit, x: Tensor): Promise<Float32Array> {
  const n = x.shape[0]!, v = await x.data();
  const p = Float32Array.from(v, (u) => (u * data.pixelStd) / data.sigmaData + data.pixelMean);
  return upsampleClip(p, n, data.size);
}

/** Pixels [n, 1, 28, 28] in [0, 1] → the feature network's input normalisation (the data package's default). */
export function featureInput(pixels: Float32Array): Tensor {
  const n = pixels.length / (mnistSide * mnistSide);
  return c.array(pixels.map((p) => (0.5 * (p - mnistPixelMean)) / mnistPixelStd), [n, 1, mnistSide, mnistSide]);
}

/**
 * The training batch of step i (1-based): epochs visit the training digits in the order of a seeded
 * permutation (the classifier's host shuffle), so batches are a pure function of (seed, step).
 */
export function batchFn(data: MnistSplit, batch: number, seed: number): (step: number) => Tensor {
  const n = data.trainCount, e = data.size * data.size, perms = new Map<number, Int32Array>();
  return (step) => {
    const out = new Float32Array(batch * e);
    for (let k = 0; k < batch; k++) {
      const g = (step - 1) * batch + k, epoch = Math.floor(g / n);
      if (!perms.has(epoch)) perms.set(epoch, mnistClassifierSplit(n, n, seed * 1_000_003 + epoch).train);
      const i = perms.get(epoch)![g % n]!;
      out.set(data.train.subarray(i * e, (i + 1) * e), k * e);
    }
    return c.array(out, [batch, 1, data.size, data.size]);
  };
}
