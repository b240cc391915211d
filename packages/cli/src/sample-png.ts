// The PNG `scm sample --out x.png` writes for vector data other than 2-D points (which keep their
// scatter plot, and images their grid): one-dimensional samples as a histogram, with the training
// data's histogram beside it on the same axes when the data can be read; samples of D ≥ 3 coordinates
// as a scatter plot of their projection on the data's top two principal directions, beside the data's
// own projection (the directions of largest variance show the most structure, modes included, that a
// 2-D view can), or, when the data cannot be read, of their first two coordinates. What was drawn is
// returned as one line, and the axis labels say it too.
import type { Tensor } from "@scm-ts/core";
import { histogramDensity, histogramPlot, histogramRange, scatterPlot, type AxisRange, type RasterImage, type Rgb } from "@scm-ts/io";
import { writePng } from "@scm-ts/io/node";
import { tileImages } from "./sample-panels.js";

const dataColor: Rgb = [110, 110, 110];
const sampleColor: Rgb = [31, 119, 180];

/** Side of one panel in pixels. */
const panel = 400;

/** Principal directions of a data set: unit vectors in data space, and the variance each explains. */
export interface PrincipalDirections {
  /** The mean the data are centred on before projecting, [D]. */
  readonly mean: Float64Array;
  /** The k directions, each a unit vector [D], by decreasing variance. */
  readonly directions: Float64Array[];
  /** The variance of the data along each direction. */
  readonly variance: number[];
  /** The data's total variance, the sum over coordinates (the trace of the covariance). */
  readonly total: number;
}

/**
 * The top-k principal directions of n rows of d values (row-major) by orthogonal (subspace) iteration
 * V ← orth(Xᵀ X V) on the centred rows, which needs only products with X, never the d×d covariance.
 * The start is a fixed pseudo-random basis and each direction's sign makes its largest entry positive,
 * so the result is deterministic. k is capped at d.
 */
export function principalDirections(values: ArrayLike<number>, n: number, d: number, k = 2, iterations = 200): PrincipalDirections {
  if (!(n > 0 && d > 0 && values.length === n * d)) throw new RangeError(`principalDirections: ${values.length} values are not ${n} rows of ${d}`);
  k = Math.min(k, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + values[i * d + j]! / n;
  const X = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) (X[i * d + j] = values[i * d + j]! - mean[j]!), (total += X[i * d + j]! ** 2 / n);
  // A fixed start with no special alignment to the coordinate axes.
  let V: Float64Array[] = Array.from({ length: k }, (_, a) => Float64Array.from({ length: d }, (_, j) => Math.sin(12.9898 * (j + 1) + 78.233 * (a + 1)) + (j === a ? 1 : 0)));
  const covTimes = (v: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += X[i * d + j]! * v[j]!;
      if (s !== 0) for (let j = 0; j < d; j++) out[j] = out[j]! + (s * X[i * d + j]!) / n;
    }
    return out;
  };
  // Gram–Schmidt; a vector that vanishes (rank below k) is replaced by the next coordinate axis made orthogonal.
  const orthonormalize = (vs: Float64Array[]): Float64Array[] => {
    const out: Float64Array[] = [];
    for (let a = 0; a < vs.length; a++) {
      for (let attempt = 0; attempt <= d; attempt++) {
        const v = attempt === 0 ? Float64Array.from(vs[a]!) : Float64Array.from({ length: d }, (_, j) => (j === (a + attempt - 1) % d ? 1 : 0));
        for (const u of out) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += u[j]! * v[j]!;
          for (let j = 0; j < d; j++) v[j] = v[j]! - dot * u[j]!;
        }
        const norm = Math.hypot(...v);
        if (norm > 1e-12) {
          out.push(v.map((x) => x / norm));
          break;
        }
      }
    }
    return out;
  };
  V = orthonormalize(V);
  for (let it = 0; it < iterations; it++) {
    const next = orthonormalize(V.map(covTimes));
    const moved = next.reduce((m, v, a) => Math.max(m, 1 - Math.abs(v.reduce((s, x, j) => s + x * V[a]![j]!, 0))), 0);
    V = next;
    if (moved < 1e-12) break;
  }
  // Order by the variance along each direction, then fix the signs.
  const variance = V.map((v) => v.reduce((s, x, j) => s + x * covTimes(v)[j]!, 0));
  const order = variance.map((_, a) => a).sort((a, b) => variance[b]! - variance[a]!);
  const directions = order.map((a) => {
    const v = V[a]!;
    const big = v.reduce((m, x, j) => (Math.abs(x) > Math.abs(v[m]!) ? j : m), 0);
    return v[big]! < 0 ? v.map((x) => -x) : v;
  });
  return { mean, directions, variance: order.map((a) => variance[a]!), total };
}

/** Interleaved (p1, p2) pairs of the rows projected on two directions after centring on `mean`. */
export function project(values: ArrayLike<number>, n: number, d: number, p: Pick<PrincipalDirections, "mean" | "directions">): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 2; a++) {
      const v = p.directions[a];
      let s = 0;
      if (v) for (let j = 0; j < d; j++) s += (values[i * d + j]! - p.mean[j]!) * v[j]!;
      out[2 * i + a] = s;
    }
  }
  return out;
}

// The q-quantile of the finite values (by sorting a copy).
function quantile(values: ArrayLike<number>, q: number): number {
  const v = Float64Array.from(values).filter(Number.isFinite).sort();
  return v.length === 0 ? NaN : v[Math.min(v.length - 1, Math.max(0, Math.floor(q * (v.length - 1))))]!;
}

// The data's full range widened to hold the samples' central 98%, padded by 10%: a few wild samples
// do not shrink the data to a dot, and samples off the data's range still show at the border.
function sharedRange(data: ArrayLike<number> | undefined, samples: ArrayLike<number>): AxisRange {
  const lo = [quantile(samples, 0.01)], hi = [quantile(samples, 0.99)];
  if (data) lo.push(quantile(data, 0)), hi.push(quantile(data, 1));
  const min = Math.min(...lo.filter(Number.isFinite)), max = Math.max(...hi.filter(Number.isFinite));
  if (!(Number.isFinite(min) && Number.isFinite(max))) return { min: -1, max: 1 };
  if (!(max > min)) return histogramRange([{ values: [min] }]);
  const pad = 0.1 * (max - min);
  return { min: min - pad, max: max + pad };
}

/** What `samplePng` drew. */
export interface SamplePicture {
  /** The PNG's pixels. */
  readonly image: RasterImage;
  /** One line saying what the picture shows, for the CLI's output. */
  readonly caption: string;
}

/**
 * The picture of vector samples x [n, D] (D ≠ 2), beside the training data's reference rows [m, D] when
 * given: a histogram for D = 1, a scatter of the top-2 principal directions of the data (of the first
 * two coordinates without data) for D ≥ 3. `what` names the samples in legends ("sct samples").
 */
export async function samplePicture(x: Tensor, what: string, reference?: Tensor): Promise<SamplePicture> {
  if (x.ndim !== 2) throw new RangeError(`samplePicture: samples must be vectors [n, D], got [${x.shape.join(", ")}]`);
  const [n, d] = x.shape as [number, number];
  if (reference && (reference.ndim !== 2 || reference.shape[1] !== d)) throw new RangeError(`samplePicture: the data [${reference.shape.join(", ")}] do not match samples [${n}, ${d}]`);
  const xs = await x.data();
  const ref = reference ? await reference.data() : undefined;
  const m = reference ? reference.shape[0]! : 0;
  if (d === 1) {
    const range = sharedRange(ref, xs);
    const series = [...(ref ? [{ values: ref, color: dataColor, label: `data (${m})` }] : []), { values: xs, color: sampleColor, label: `${what} (${n})` }];
    // One density axis for both panels: the highest bar of either sets it.
    const bins = 60;
    const yMax = 1.05 * Math.max(...series.map((s) => Math.max(...histogramDensity(s.values, range, bins))));
    const images = series.map((s) => histogramPlot([s], { width: panel, height: panel, x: range, bins, ...(yMax > 0 ? { yMax } : {}), xLabel: "x" }));
    return { image: tileImages(images, images.length), caption: ref ? `a histogram of the samples beside one of the training data (${m} rows), on the same axes` : "a histogram of the samples (the training data could not be read, so none beside it)" };
  }
  let points: ArrayLike<number>, dataPoints: ArrayLike<number> | undefined, xLabel: string, yLabel: string, caption: string;
  if (ref) {
    const p = principalDirections(ref, m, d, 2);
    const share = (a: number) => (p.total > 0 ? `${Math.round((100 * (p.variance[a] ?? 0)) / p.total)}%` : "0%");
    points = project(xs, n, d, p);
    dataPoints = project(ref, m, d, p);
    xLabel = `PC1 of the data (${share(0)} of its variance)`;
    yLabel = `PC2 (${share(1)})`;
    caption = `a scatter of the samples on the data's top-2 principal directions (PC1 ${share(0)}, PC2 ${share(1)} of its variance), beside the training data's (${m} rows)`;
  } else {
    points = Float64Array.from({ length: 2 * n }, (_, i) => xs[Math.floor(i / 2) * d + (i % 2)]!);
    xLabel = "x[0]";
    yLabel = "x[1]";
    caption = "a scatter of the samples' first two coordinates (the training data could not be read for its principal directions)";
  }
  // Principal coordinates share units, so both axes get one range; raw coordinates keep their own.
  const axis = dataPoints ? sharedRange(dataPoints, points) : undefined;
  const opts = { width: panel, height: panel, xLabel, yLabel, ...(axis ? { x: axis, y: axis } : {}) };
  const images = [...(dataPoints ? [scatterPlot([{ points: dataPoints, color: dataColor, label: `data (${m})` }], opts)] : []), scatterPlot([{ points, color: sampleColor, label: `${what} (${n})` }], opts)];
  return { image: tileImages(images, images.length), caption };
}

/** Writes `samplePicture` as a PNG file, atomically; returns its caption. */
export async function writeSamplePicture(file: string, x: Tensor, what: string, reference?: Tensor): Promise<string> {
  const { image, caption } = await samplePicture(x, what, reference);
  await writePng(file, image);
  return caption;
}
