// Distribution metrics between generated samples and reference data: sliced Wasserstein (W2) and
// MMD for low-dimensional data; Fréchet distance and precision/recall in a feature space — the
// project's MNIST classifier for 28×28 digits, the raw values otherwise. One place computes them
// for `eval` and `demo`.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { frechetDistance, mmd, mnistFeatureNet, precisionRecall, slicedWasserstein, type FeatureExtractor } from "@scm-ts/metrics";

/** Metric names. */
export const metricNames = ["sw", "mmd", "fd", "pr"] as const;
/** A metric name. */
export type MetricName = (typeof metricNames)[number];

const flat = (x: Tensor): Tensor => c.reshape(x, [x.shape[0]!, -1]);

// MNIST-shaped data is compared in the classifier's feature space.
async function featuresFor(x: Tensor): Promise<{ features?: FeatureExtractor }> {
  return x.shape.slice(1).join() === "1,28,28" ? { features: await mnistFeatureNet() } : {};
}

async function imageArgs(samples: Tensor, reference: Tensor, x: Tensor, y: Tensor): Promise<[Tensor, Tensor, { features?: FeatureExtractor }]> {
  const o = await featuresFor(samples);
  return o.features ? [samples, reference, o] : [x, y, {}];
}

/** Computes a metric between samples and reference data (lower is better, except precision/recall). */
export async function computeMetric(name: MetricName, samples: Tensor, reference: Tensor, seed = 0): Promise<Record<string, number>> {
  const [x, y] = [flat(samples), flat(reference)];
  switch (name) {
    case "sw":
      return { sw: await slicedWasserstein(x, y, { key: c.random.key(seed), projections: 256 }) };
    case "mmd":
      return { mmd: (await mmd(x, y)).mmd2 };
    case "fd":
      return { fd: await frechetDistance(...(await imageArgs(samples, reference, x, y))) };
    case "pr": {
      const [a, b, o] = await imageArgs(samples, reference, x, y);
      const r = await precisionRecall(b, a, o);
      return { precision: r.precision, recall: r.recall };
    }
  }
}
