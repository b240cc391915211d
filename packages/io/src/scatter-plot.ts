// 2-D scatter plots with density shading, for comparing samples with data on toy distributions: each
// series is binned into a pixel histogram of its points, and every occupied pixel is painted in the
// series' colour with an opacity that grows with log(1 + count), so both sparse tails and dense modes
// stay visible with thousands of points. Series are drawn in order (later on top), with a legend.
import { blendPixel, type Rgb } from "./canvas.js";
import { drawLegend, plotFrame, type AxisRange, type FrameOptions } from "./plot-frame.js";
import type { RasterImage } from "./raster-image.js";

/** One set of 2-D points. */
export interface ScatterSeries {
  /** Interleaved coordinates x0, y0, x1, y1, … (e.g. the data of an [N, 2] tensor). */
  readonly points: ArrayLike<number>;
  /** The colour of the series. */
  readonly color: Rgb;
  /** Legend text. */
  readonly label?: string;
}

/** Options of `scatterPlot`. */
export interface ScatterOptions extends FrameOptions {
  /** Image width in pixels; default 480. */
  readonly width?: number;
  /** Image height in pixels; default 480. */
  readonly height?: number;
  /** Shown x range; default the points' range with a 5% margin. */
  readonly x?: AxisRange;
  /** Shown y range; default the points' range with a 5% margin. */
  readonly y?: AxisRange;
  /** Side of the square density bins in pixels; default 2. */
  readonly binSize?: number;
}

function dataRange(series: readonly ScatterSeries[], axis: 0 | 1): AxisRange {
  let min = Infinity, max = -Infinity;
  for (const s of series) {
    for (let i = axis; i < s.points.length; i += 2) {
      const v = s.points[i]!;
      if (Number.isFinite(v)) (min = Math.min(min, v)), (max = Math.max(max, v));
    }
  }
  if (!(max >= min)) return { min: -1, max: 1 };
  const pad = max > min ? 0.05 * (max - min) : 1;
  return { min: min - pad, max: max + pad };
}

/** Rasterises a density-shaded scatter plot of the series; throws a RangeError on bad input. */
export function scatterPlot(series: readonly ScatterSeries[], options: ScatterOptions = {}): RasterImage {
  series.forEach((s, k) => {
    if (s.points.length % 2 !== 0) throw new RangeError(`scatterPlot: series ${k} has ${s.points.length} coordinates; pass interleaved x, y pairs`);
  });
  const frame = plotFrame(options.width ?? 480, options.height ?? 480, options.x ?? dataRange(series, 0), options.y ?? dataRange(series, 1), options);
  const { box } = frame;
  const bin = Math.max(1, Math.round(options.binSize ?? 2));
  const cols = Math.ceil((box.right - box.left + 1) / bin), rows = Math.ceil((box.bottom - box.top + 1) / bin);
  for (const s of series) {
    const counts = new Uint32Array(cols * rows);
    let most = 0;
    for (let i = 0; i + 1 < s.points.length; i += 2) {
      const c = Math.floor((frame.px(s.points[i]!) - box.left) / bin), r = Math.floor((frame.py(s.points[i + 1]!) - box.top) / bin);
      if (c >= 0 && c < cols && r >= 0 && r < rows) most = Math.max(most, ++counts[r * cols + c]!);
    }
    const norm = Math.log1p(most);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const n = counts[r * cols + c]!;
        if (n === 0) continue;
        const alpha = 0.25 + 0.75 * (norm > 0 ? Math.log1p(n) / norm : 1);
        for (let dy = 0; dy < bin; dy++) {
          for (let dx = 0; dx < bin; dx++) {
            const x = box.left + c * bin + dx, y = box.top + r * bin + dy;
            if (x <= box.right && y <= box.bottom) blendPixel(frame.image, x, y, s.color, alpha);
          }
        }
      }
    }
  }
  drawLegend(frame.image, box.left + 6, box.top + 6, series);
  return frame.image;
}
