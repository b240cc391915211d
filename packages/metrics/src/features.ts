// Feature extraction for the feature-space metrics (Fréchet distance, precision/recall): a caller-given
// network maps batches of inputs (e.g. images [B, C, H, W]) to feature vectors [B, F] — the MNIST
// classifier's penultimate layer once it exists — or, with none given, each input is flattened to a
// vector. Batches are sliced here so arbitrarily many inputs fit in memory; results gather on the host.
import { reshape, slice, type Tensor } from "@scm-ts/core";
import { checkSamples, toSamples, type SampleSet, type Samples } from "./samples.js";

/** A feature network: a batch of inputs [B, ...] to features [B, F] (or [B, ...], flattened). */
export type FeatureExtractor = (batch: Tensor) => Tensor | Promise<Tensor>;

/** Options shared by the feature-space metrics. */
export interface FeatureOptions {
  /** The feature network; default none (inputs flattened to vectors). */
  readonly features?: FeatureExtractor;
  /** Inputs per call of the feature network; default 256. */
  readonly batchSize?: number;
}

/** Flattens a tensor [N, ...] to [N, prod(...)] points. */
async function flattened(t: Tensor, what: string): Promise<Samples> {
  if (t.shape.length < 1) throw new RangeError(`${what}: a scalar tensor; pass inputs as [N, ...]`);
  const n = t.shape[0]!;
  const d = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return checkSamples(n, d, await t.data(), what);
}

/** The feature vectors of `inputs` (a tensor [N, ...], or host points when no network is given). */
export async function extractFeatures(inputs: SampleSet, options: FeatureOptions, what: string): Promise<Samples> {
  const net = options.features;
  const isTensor = typeof (inputs as Tensor).dtype === "string" && Array.isArray((inputs as Tensor).shape);
  if (!isTensor) {
    if (net) throw new RangeError(`${what}: a feature network needs the inputs as an engine tensor [N, ...]`);
    return toSamples(inputs, what);
  }
  const t = inputs as Tensor;
  if (!net) return flattened(t, what);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`${what}: batchSize ${batchSize} must be a positive integer`);
  const n = t.shape[0] ?? 0;
  const parts: Float64Array[] = [];
  let d = -1;
  for (let start = 0; start < n; start += batchSize) {
    const stop = Math.min(n, start + batchSize);
    const batch = slice(t, [start, ...t.shape.slice(1).map(() => 0)], [stop, ...t.shape.slice(1)]);
    const out = await net(batch);
    if (out.shape[0] !== stop - start) throw new RangeError(`${what}: the feature network returned shape [${out.shape.join(", ")}] for a batch of ${stop - start}; it must keep the batch axis`);
    const f = out.shape.length === 2 ? out : reshape(out, [stop - start, -1]);
    const width = f.shape[1]!;
    if (d >= 0 && width !== d) throw new RangeError(`${what}: the feature network returned ${width} features after ${d}; it must be consistent`);
    d = width;
    parts.push(Float64Array.from(await f.data()));
    for (const x of new Set([batch, out, f])) if (x !== t) x.dispose();
  }
  const data = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (data.set(p, at), (at += p.length));
  return checkSamples(n, Math.max(d, 1), d < 0 ? new Float64Array(0) : data, `${what} (features)`);
}
