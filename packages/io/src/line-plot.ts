// Line plots, chiefly training curves read from the JSONL event log: each series is a polyline (x, y),
// optionally smoothed with an exponential moving average as TensorBoard does, on a linear or log y axis.
// Non-finite values (and non-positive ones on a log axis) break the line instead of bending it.
import { drawLine, type Rgb } from "./canvas.js";
import type { LogEvent } from "./event-log.js";
import { drawLegend, plotFrame, type AxisRange, type FrameOptions } from "./plot-frame.js";
import type { RasterImage } from "./raster-image.js";

/** One curve. */
export interface LineSeries {
  /** x values (e.g. steps). */
  readonly x: ArrayLike<number>;
  /** y values, as many as x. */
  readonly y: ArrayLike<number>;
  /** The colour of the curve. */
  readonly color: Rgb;
  /** Legend text. */
  readonly label?: string;
}

/** Options of `linePlot`. */
export interface LinePlotOptions extends FrameOptions {
  /** Image width in pixels; default 640. */
  readonly width?: number;
  /** Image height in pixels; default 400. */
  readonly height?: number;
  /** Base-10 log y axis. */
  readonly logY?: boolean;
  /** EMA smoothing weight in [0, 1): y_s ← w·y_s + (1 − w)·y (0 = none, the default). */
  readonly smoothing?: number;
}

/** A palette for successive curves. */
export const seriesColors: readonly Rgb[] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75]];

function usable(y: number, log: boolean): boolean {
  return Number.isFinite(y) && (!log || y > 0);
}

/** The EMA-smoothed values, restarting after each unusable value. */
function smooth(y: ArrayLike<number>, weight: number, log: boolean): Float64Array {
  const out = new Float64Array(y.length);
  let state = NaN;
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!usable(v, log)) (out[i] = v), (state = NaN);
    else out[i] = state = Number.isNaN(state) ? v : weight * state + (1 - weight) * v;
  }
  return out;
}

function range(values: ArrayLike<number>[], log: boolean): AxisRange {
  let min = Infinity, max = -Infinity;
  for (const vs of values) for (let i = 0; i < vs.length; i++) if (usable(vs[i]!, log)) (min = Math.min(min, vs[i]!)), (max = Math.max(max, vs[i]!));
  if (!(max >= min)) return log ? { min: 0.1, max: 10, log } : { min: 0, max: 1 };
  if (log) return max > min ? { min: min / 1.1, max: max * 1.1, log } : { min: min / 2, max: max * 2, log };
  const pad = max > min ? 0.05 * (max - min) : Math.abs(min) * 0.5 || 1;
  return { min: min - pad, max: max + pad };
}

/** Rasterises the curves; throws a RangeError on bad input. */
export function linePlot(series: readonly LineSeries[], options: LinePlotOptions = {}): RasterImage {
  const log = options.logY ?? false;
  const weight = options.smoothing ?? 0;
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`linePlot: smoothing ${weight} must be in [0, 1)`);
  series.forEach((s, k) => {
    if (s.x.length !== s.y.length) throw new RangeError(`linePlot: series ${k} has ${s.x.length} x values but ${s.y.length} y values`);
  });
  const ys = series.map((s) => (weight > 0 ? smooth(s.y, weight, log) : s.y));
  const xRange = range(series.map((s) => s.x), false);
  const frame = plotFrame(options.width ?? 640, options.height ?? 400, xRange, range(ys, log), options);
  series.forEach((s, k) => {
    const y = ys[k]!;
    let previous: [number, number] | null = null;
    for (let i = 0; i < s.x.length; i++) {
      if (!usable(y[i]!, log) || !Number.isFinite(s.x[i]!)) {
        previous = null;
        continue;
      }
      const point: [number, number] = [frame.px(s.x[i]!), frame.py(y[i]!)];
      if (previous) drawLine(frame.image, previous[0], previous[1], point[0], point[1], s.color, 2);
      else drawLine(frame.image, point[0], point[1], point[0], point[1], s.color, 2);
      previous = point;
    }
  });
  drawLegend(frame.image, frame.box.right - 150, frame.box.top + 6, series);
  return frame.image;
}

/** The (x, y) pairs of events that carry both keys as numbers, in log order. */
export function seriesFromEvents(
  events: readonly LogEvent[],
  xKey: string,
  yKey: string,
): {
  /** The xKey values of the events that carry both keys as numbers. */
  x: Float64Array;
  /** Their yKey values. */
  y: Float64Array;
} {
  const xs: number[] = [], ys: number[] = [];
  for (const e of events) {
    const x = e[xKey], y = e[yKey];
    if (typeof x === "number" && typeof y === "number") (xs.push(x), ys.push(y));
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}
