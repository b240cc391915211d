// Distribution metrics between generated samples and reference data: sliced Wasserstein (W2) and
// MMD for low-dimensional data; Fréchet distance and precision/recall in a feature space (the raw
// pixels until the MNIST feature network lands). One place computes them for `eval` and `demo`.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { frechetDistance, mmd, precisionRecall, slicedWasserstein } from "@scm-ts/metrics";

/** Metric names. */
export const metricNames = ["sw", "mmd", "fd", "pr"] as const;
/** A metric name. */
export type MetricName = (typeof metricNames)[number];

const flat = (x: Tensor): Tensor => c.reshape(x, [x.shape[0]!, -1]);

/** Computes a metric between samples and reference data (lower is better, except precision/recall). */
export async function computeMetric(name: MetricName, samples: Tensor, reference: Tensor, seed = 0): Promise<Record<string, number>> {
  const [x, y] = [flat(samples), flat(reference)];
  switch (name) {
    case "sw":
      return { sw: await slicedWasserstein(x, y, { key: c.random.key(seed), projections: 256 }) };
    case "mmd":
      return { mmd: (await mmd(x, y)).mmd2 };
    case "fd":
      return { fd: await frechetDistance(x, y) };
    case "pr": {
      const r = await precisionRecall(y, x);
      return { precision: r.precision, recall: r.recall };
    }
  }
}
