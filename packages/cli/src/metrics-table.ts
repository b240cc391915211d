// Distribution metrics between generated samples and reference data: sliced Wasserstein (W2) and
// MMD for low-dimensional data; Fréchet distance and precision/recall in a feature space — the
// project's MNIST classifier for 28×28 digits, the raw values otherwise; and, where the data's true
// density is known (toys, mixture files), the metrics that see modes: mean log-density, modes
// covered and the fraction within 3σ of a mode. One place computes them for `eval` and `demo`.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { frechetDistance, mmd, modeMetrics, precisionRecall, slicedWasserstein, type FeatureExtractor, type ReferenceDensity } from "@scm-ts/metrics";
import { mnistFeatureNet } from "@scm-ts/metrics/node";
import { UsageError } from "./args.js";

/** Metric names: `auto` is sliced W2 with its noise floor, plus the mode metrics where the density is known. */
export const metricNames = ["auto", "sw", "mmd", "fd", "pr", "modes"] as const;
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

/** What a metric needs besides the samples and the reference draw. */
export interface MetricContext {
  /** The data's true density (required by `modes`). */
  readonly density?: ReferenceDensity;
  /** A second reference draw, independent of the first: sliced W2 between the two is the noise floor. */
  readonly floorReference?: Tensor;
}

/**
 * The mode metrics under a density, keyed as `computeMetric` reports them. Modes of weight ≥ 5% are
 * checked, or of at least the average weight 1/K where K modes are too many for any to reach 5% (the
 * 25 of the grid), so that losing one of many small modes still shows.
 */
export async function modeFigures(x: Tensor, density: ReferenceDensity): Promise<Record<string, number>> {
  const m = await modeMetrics(flat(x), density, { minWeight: Math.min(0.05, 0.99 / density.modes.length) });
  return { logDensity: m.meanLogDensity, modesCovered: m.modesCovered, modes: m.modes, within3Sigma: m.within3Sigma };
}

/** Computes a metric between samples and reference data (lower is better for distances; see the keys). */
export async function computeMetric(name: MetricName, samples: Tensor, reference: Tensor, seed = 0, ctx: MetricContext = {}): Promise<Record<string, number>> {
  const [x, y] = [flat(samples), flat(reference)];
  const sw = async (a: Tensor, b: Tensor) => slicedWasserstein(a, b, { key: c.random.key(seed), projections: 256 });
  switch (name) {
    case "auto": {
      const out: Record<string, number> = { sw: await sw(x, y) };
      if (ctx.floorReference) out.swFloor = await sw(flat(ctx.floorReference), y);
      if (ctx.density) {
        Object.assign(out, await modeFigures(x, ctx.density));
        if (ctx.floorReference) out.logDensityData = (await modeMetrics(flat(ctx.floorReference), ctx.density)).meanLogDensity;
      }
      return out;
    }
    case "sw":
      return { sw: await sw(x, y), ...(ctx.floorReference ? { swFloor: await sw(flat(ctx.floorReference), y) } : {}) };
    case "mmd":
      return { mmd: (await mmd(x, y)).mmd2 };
    case "fd":
      return { fd: await frechetDistance(...(await imageArgs(samples, reference, x, y))) };
    case "pr": {
      const [a, b, o] = await imageArgs(samples, reference, x, y);
      const r = await precisionRecall(b, a, o);
      return { precision: r.precision, recall: r.recall };
    }
    case "modes":
      if (!ctx.density) throw new UsageError("--metric modes needs data whose density is known: a built-in 2-D toy, or a .safetensors file whose metadata describes its mixture (scm.mixture)");
      return modeFigures(x, ctx.density);
  }
}

/** One line of figures: `sw 0.0312 (floor 0.0150)  log p 0.12 (data 0.27)  modes 8/8  within 3σ 0.973`. */
export function formatFigures(f: Record<string, number>): string {
  const parts: string[] = [];
  const used = new Set<string>();
  const take = (k: string) => (used.add(k), f[k]!);
  if ("sw" in f) parts.push(`sw ${take("sw").toPrecision(4)}${"swFloor" in f ? ` (noise floor ${take("swFloor").toPrecision(3)})` : ""}`);
  if ("logDensity" in f) parts.push(`log p ${take("logDensity").toFixed(3)}${"logDensityData" in f ? ` (a data draw: ${take("logDensityData").toFixed(3)})` : ""}`);
  if ("modes" in f) parts.push(`modes ${take("modesCovered")}/${take("modes")}`);
  if ("within3Sigma" in f) parts.push(`within 3σ ${take("within3Sigma").toFixed(3)}`);
  for (const [k, v] of Object.entries(f)) if (!used.has(k)) parts.push(`${k} ${v.toPrecision(4)}`);
  return parts.join("  ");
}
