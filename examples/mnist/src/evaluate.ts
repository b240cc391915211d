// Scoring and showing samples: a sampler (teacher PF-ODE or consistency steps) is run in chunks under
// `tidy`, its outputs mapped to 28×28 pixels, and compared with the held-out digits by the Fréchet
// distance and k-NN precision/recall in the project's MNIST classifier feature space (@scm-ts/metrics).
// The "data" row scores as many training digits as samples, the floor a perfect model would reach at
// this sample size. Figures are one PNG grid per method and one side-by-side panel with captions.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { canvas, drawText, imageGridFromHost, textHeight, type RasterImage } from "@scm-ts/io";
import { writePng } from "@scm-ts/io/node";
import { frechetDistance, precisionRecall, type FeatureExtractor } from "@scm-ts/metrics";
import { mnistFeatureNet } from "@scm-ts/metrics/node";
import { featureInput, toPixels28, type MnistSplit } from "./mnist-data.js";

/** A way of drawing n samples from a key: [n, 1, size, size] in model units. */
export type Draw = (key: Tensor, n: number) => Tensor;

/** One scored method. */
export interface Scored {
  readonly method: string;
  readonly nfe: number;
  readonly fd: number;
  readonly precision: number;
  readonly recall: number;
  /** Wall seconds to draw the n samples. */
  readonly sampleSeconds: number;
}

/** Draws n samples in chunks and returns them as 28×28 pixels in [0, 1]. */
export async function drawPixels(data: MnistSplit, draw: Draw, n: number, seed: number, chunk = 250): Promise<Float32Array> {
  const out = new Float32Array(n * 28 * 28);
  const keys = c.random.split(c.random.key(seed), Math.ceil(n / chunk));
  for (let k = 0, start = 0; start < n; k++, start += chunk) {
    const m = Math.min(chunk, n - start);
    const x = c.tidy(() => draw(keys[k]!, m));
    out.set(await toPixels28(data, x), start * 28 * 28);
    x.dispose();
  }
  for (const key of keys) key.dispose();
  return out;
}

let featureNet: FeatureExtractor | undefined;

/** FD and precision/recall of pixels [n, 1, 28, 28] against the held-out digits, in classifier features. */
export async function score(data: MnistSplit, pixels: Float32Array): Promise<{ fd: number; precision: number; recall: number }> {
  featureNet ??= await mnistFeatureNet();
  const x = featureInput(pixels), ref = featureInput(data.heldOutPixels);
  const fd = await frechetDistance(x, ref, { features: featureNet });
  const pr = await precisionRecall(ref, x, { features: featureNet });
  x.dispose();
  ref.dispose();
  return { fd, precision: pr.precision, recall: pr.recall };
}

/** Scores a method: draws n samples, scores them, and returns them with the figures. */
export async function scoreMethod(data: MnistSplit, method: string, nfe: number, draw: Draw, n: number, seed: number): Promise<{ row: Scored; pixels: Float32Array }> {
  const t0 = performance.now();
  const pixels = await drawPixels(data, draw, n, seed);
  const sampleSeconds = (performance.now() - t0) / 1000;
  return { row: { method, nfe, ...(await score(data, pixels)), sampleSeconds }, pixels };
}

/** The floor: n training digits (through the same pooling and upsampling) against the held-out ones. */
export async function dataFloor(data: MnistSplit, n: number): Promise<Scored> {
  const m = Math.min(n, data.trainCount);
  return { method: "data (training digits)", nfe: 0, ...(await score(data, data.trainPixels.subarray(0, m * 28 * 28))), sampleSeconds: 0 };
}

/** An 8×8 (or smaller) grid of the first samples, white digits on black, gray borders. */
export function gridOf(pixels: Float32Array, count = 64): RasterImage {
  const n = Math.min(count, pixels.length / (28 * 28));
  return imageGridFromHost({ dtype: "float32", shape: [n, 1, 28, 28], data: pixels.subarray(0, n * 28 * 28) }, { valueRange: [0, 1], columns: 8, padValue: 96 });
}

/** Writes a PNG atomically. */
export async function savePng(file: string, image: RasterImage): Promise<void> {
  await writePng(file, image);
}

/** Grids side by side on white, each with its caption above. */
export function panel(items: readonly { caption: string; image: RasterImage }[]): RasterImage {
  const gap = 12, top = textHeight(2) + 10;
  const width = items.reduce((s, it) => s + it.image.width + gap, gap), height = top + Math.max(...items.map((it) => it.image.height)) + gap;
  const out = canvas(width, height);
  let x0 = gap;
  for (const it of items) {
    drawText(out, it.caption, x0, 4, [0, 0, 0], 2);
    for (let y = 0; y < it.image.height; y++) {
      for (let x = 0; x < it.image.width; x++) {
        const v = it.image.data[(y * it.image.width + x) * it.image.channels]!;
        out.data.set([v, v, v], ((top + y) * width + x0 + x) * 3);
      }
    }
    x0 += it.image.width + gap;
  }
  return out;
}

/** The figures as a markdown table. */
export function table(rows: readonly Scored[]): string {
  const lines = ["| method | NFE | FD ↓ | precision ↑ | recall ↑ | sampling s |", "|---|---:|---:|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.method} | ${r.nfe || "—"} | ${r.fd.toFixed(2)} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.sampleSeconds.toFixed(1)} |`);
  return lines.join("\n");
}
