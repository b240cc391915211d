// Histograms of 1-D samples, for looking at one-dimensional data the way scatter-plot.ts shows 2-D data:
// the values are counted in equal bins over the shown range and each bin is drawn as a bar of height
// count/(n·width), a density, so series of different sizes share one y axis and each integrates to the
// share of its finite values inside the range. Series are drawn in order as translucent bars, with a legend.
import { fillRect, type Rgb } from "./canvas.js";
import { drawLegend, plotFrame, type AxisRange, type FrameOptions } from "./plot-frame.js";
import type { RasterImage } from "./raster-image.js";

/** One set of 1-D values. */
export interface HistogramSeries {
  /** The values (e.g. the data of an [N] or [N, 1] tensor); NaN and ±∞ are not counted. */
  readonly values: ArrayLike<number>;
  /** The colour of the bars. */
  readonly color: Rgb;
  /** Legend text. */
  readonly label?: string;
}

/** Options of `histogramPlot`. */
export interface HistogramOptions extends FrameOptions {
  /** Image width in pixels; default 480. */
  readonly width?: number;
  /** Image height in pixels; default 360. */
  readonly height?: number;
  /** The binned and shown x range; default the finite values' range with a 5% margin. */
  readonly x?: AxisRange;
  /** The number of equal bins over the x range; default 60. */
  readonly bins?: number;
  /** The top of the density axis; default 1.05 × the highest bar of any series. */
  readonly yMax?: number;
}

/** The finite values' range with a 5% margin (±1, or ±half the value, around a single value). */
export function histogramRange(series: readonly { readonly values: ArrayLike<number> }[]): AxisRange {
  let min = Infinity, max = -Infinity;
  for (const s of series) for (let i = 0; i < s.values.length; i++) if (Number.isFinite(s.values[i]!)) (min = Math.min(min, s.values[i]!)), (max = Math.max(max, s.values[i]!));
  if (!(max >= min)) return { min: -1, max: 1 };
  const pad = max > min ? 0.05 * (max - min) : Math.abs(min) * 0.5 || 1;
  return { min: min - pad, max: max + pad };
}

/**
 * The density of each of `bins` equal bins over [range.min, range.max]: count/(n·width), n the number of
 * finite values (values outside the range count in n but in no bin, so the bars sum to the share inside).
 */
export function histogramDensity(values: ArrayLike<number>, range: AxisRange, bins: number): Float64Array {
  if (!(Number.isInteger(bins) && bins > 0)) throw new RangeError(`histogram: bins must be a positive whole number, got ${bins}`);
  if (!(Number.isFinite(range.min) && Number.isFinite(range.max) && range.max > range.min)) throw new RangeError(`histogram: range [${range.min}, ${range.max}] must be finite with max > min`);
  const counts = new Float64Array(bins);
  const width = (range.max - range.min) / bins;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < range.min || v > range.max) continue;
    counts[Math.min(bins - 1, Math.floor((v - range.min) / width))]! += 1;
  }
  if (n > 0) for (let b = 0; b < bins; b++) counts[b] = counts[b]! / (n * width);
  return counts;
}

/** Rasterises the series' histograms on shared axes; throws a RangeError on bad input. */
export function histogramPlot(series: readonly HistogramSeries[], options: HistogramOptions = {}): RasterImage {
  const bins = options.bins ?? 60;
  const x = options.x ?? histogramRange(series);
  const densities = series.map((s) => histogramDensity(s.values, x, bins));
  const highest = densities.reduce((m, d) => d.reduce((a, v) => Math.max(a, v), m), 0);
  const yMax = options.yMax ?? (highest > 0 ? 1.05 * highest : 1);
  if (!(yMax > 0 && Number.isFinite(yMax))) throw new RangeError(`histogramPlot: yMax must be positive and finite, got ${yMax}`);
  const frame = plotFrame(options.width ?? 480, options.height ?? 360, x, { min: 0, max: yMax }, { yLabel: "density", ...options });
  const { box } = frame;
  const width = (x.max - x.min) / bins;
  densities.forEach((d, k) => {
    // Translucent bars: where two series overlap both stay visible.
    const alpha = series.length > 1 ? 0.55 : 0.85;
    for (let b = 0; b < bins; b++) {
      if (d[b]! <= 0) continue;
      const left = Math.round(frame.px(x.min + b * width)), right = Math.round(frame.px(x.min + (b + 1) * width));
      const top = Math.max(box.top, Math.round(frame.py(Math.min(d[b]!, yMax))));
      fillRect(frame.image, left, top, Math.max(1, right - left), box.bottom - top, series[k]!.color, alpha);
    }
  });
  drawLegend(frame.image, box.left + 6, box.top + 6, series);
  return frame.image;
}
