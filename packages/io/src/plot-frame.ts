// The frame every plot is drawn in: a white canvas with margins, a plot box, linear or base-10 log axes
// mapping data to pixels, "nice" tick positions (1, 2, 5 × 10^k steps, Heckbert's rule), light grid
// lines, tick marks and their labels, an optional title and axis labels in the bitmap font, and legends.
import { canvas, drawLine, drawText, fillRect, textHeight, textWidth, type Rgb } from "./canvas.js";
import type { RasterImage } from "./raster-image.js";

/** A data interval shown on one axis. */
export interface AxisRange {
  /** The smallest value shown. */
  readonly min: number;
  /** The largest value shown. */
  readonly max: number;
  /** Base-10 logarithmic scale (min must be positive). */
  readonly log?: boolean;
}

/** Options of a plot frame. */
export interface FrameOptions {
  /** Title above the plot box. */
  readonly title?: string;
  /** Label under the x axis. */
  readonly xLabel?: string;
  /** Label above the y axis. */
  readonly yLabel?: string;
}

/** A canvas with axes drawn, and the data → pixel maps of its plot box. */
export interface PlotFrame {
  /** The RGB image being drawn. */
  readonly image: RasterImage;
  /** The plot box in pixels: left, top, right, bottom (inclusive). */
  readonly box: {
    /** The first pixel column inside the box. */
    readonly left: number;
    /** The first pixel row inside the box. */
    readonly top: number;
    /** The last pixel column inside the box. */
    readonly right: number;
    /** The last pixel row inside the box. */
    readonly bottom: number;
  };
  /** Pixel column of data x. */
  px(x: number): number;
  /** Pixel row of data y. */
  py(y: number): number;
}

/** Tick values covering [min, max] with about `target` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min) return [min];
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / magnitude;
  const step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Math.abs(k) < 1e-12 ? 0 : k * step);
  return ticks;
}

/** Ticks of a log axis: the powers of ten inside [min, max], or 1-2-5 multiples when fewer than two. */
function logTicks(min: number, max: number): number[] {
  const decades: number[] = [];
  for (let e = Math.ceil(Math.log10(min)); e <= Math.floor(Math.log10(max)); e++) decades.push(10 ** e);
  if (decades.length >= 2) return decades;
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) if (m * 10 ** e >= min && m * 10 ** e <= max) out.push(m * 10 ** e);
  }
  return out;
}

/** A short label for a tick value (exponent form for very small or large magnitudes). */
export function formatTick(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(0).replace("e+", "e");
  return String(Number(value.toPrecision(4)));
}

// A tick value printed with as many digits as the tick step needs: fixed decimals, or exponent form
// (with as many fraction digits as separate neighbouring ticks) for very small or large magnitudes.
function formatAtStep(value: number, step: number): string {
  const v = Math.abs(value) < step * 1e-6 ? 0 : value;
  if (v === 0) return "0";
  const magnitude = Math.abs(v);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const digits = Math.max(0, Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step) + 1e-9));
    return v.toExponential(Math.min(digits, 15)).replace("e+", "e");
  }
  return v.toFixed(Math.min(20, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))));
}

/** The longest tick label, in characters, before an axis labels its ticks relative to an offset. */
export const maxTickLabelLength = 7;

/** The labels of an axis's ticks (`tickLabels`). */
export interface TickLabels {
  /** One label per tick, in the ticks' order. */
  readonly labels: string[];
  /** When present, the labels read relative to this value: a tick is offset + label. */
  readonly offset?: string;
}

/**
 * Labels for evenly spaced ticks that tell every tick apart. `formatTick`'s short labels when they
 * differ; otherwise labels with the digits the step needs; and when those grow longer than
 * `maxTickLabelLength` (a huge mean with a tiny spread: 100000.001, 100000.002, …), labels relative to
 * the first tick with that tick given as the axis's `offset` (the reading is offset + label).
 */
export function tickLabels(ticks: readonly number[]): TickLabels {
  const short = ticks.map(formatTick);
  if (ticks.length < 2) return { labels: short };
  const step = Math.abs(ticks[1]! - ticks[0]!);
  // A label must read back to its own tick, nearer than to either neighbour.
  const reads = (labels: readonly string[], offset = 0) => labels.every((l, i) => Math.abs(offset + Number(l) - ticks[i]!) < step / 2);
  if (reads(short)) return { labels: short };
  const exact = ticks.map((t) => formatAtStep(t, step));
  if (Math.max(...exact.map((l) => l.length)) <= maxTickLabelLength) return { labels: exact };
  const origin = ticks[0]!;
  const fixed = origin.toFixed(Math.min(20, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))));
  return { labels: ticks.map((t) => formatAtStep(t - origin, step)), offset: Math.abs(origin) < 1e12 && fixed.length <= 14 ? fixed : formatAtStep(origin, step) };
}

function axisMap(range: AxisRange, from: number, to: number): (v: number) => number {
  const f = range.log ? Math.log10 : (v: number) => v;
  const a = f(range.min), b = f(range.max);
  const scale = b > a ? (to - from) / (b - a) : 0;
  return (v) => from + (f(v) - a) * scale;
}

const axisColor: Rgb = [0, 0, 0];
const gridColor: Rgb = [225, 225, 225];

/** A `width`×`height` canvas with the axes of `x` and `y` drawn, ready for data. */
export function plotFrame(width: number, height: number, x: AxisRange, y: AxisRange, options: FrameOptions = {}): PlotFrame {
  for (const [name, r] of [["x", x], ["y", y]] as const) {
    if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.max > r.min)) throw new RangeError(`plotFrame: ${name} range [${r.min}, ${r.max}] must be finite with max > min`);
    if (r.log && !(r.min > 0)) throw new RangeError(`plotFrame: log ${name} axis needs min > 0, got ${r.min}`);
  }
  const image = canvas(width, height);
  const box = { left: 62, top: options.title || options.yLabel ? 26 : 12, right: width - 16, bottom: height - (options.xLabel ? 38 : 26) };
  if (box.right - box.left < 20 || box.bottom - box.top < 20) throw new RangeError(`plotFrame: ${width}×${height} is too small for a plot; use at least 120×100`);
  const px = axisMap(x, box.left, box.right);
  const py = axisMap(y, box.bottom, box.top);
  const xTicks = x.log ? logTicks(x.min, x.max) : niceTicks(x.min, x.max);
  const yTicks = y.log ? logTicks(y.min, y.max) : niceTicks(y.min, y.max, 6);
  const xLabels = x.log ? { labels: xTicks.map(formatTick) } : tickLabels(xTicks);
  const yLabels = y.log ? { labels: yTicks.map(formatTick) } : tickLabels(yTicks);
  xTicks.forEach((t, i) => {
    const c = Math.round(px(t));
    drawLine(image, c, box.top, c, box.bottom, gridColor);
    drawLine(image, c, box.bottom, c, box.bottom + 4, axisColor);
    const label = xLabels.labels[i]!;
    drawText(image, label, c - Math.floor(textWidth(label) / 2), box.bottom + 7, axisColor);
  });
  yTicks.forEach((t, i) => {
    const r = Math.round(py(t));
    drawLine(image, box.left, r, box.right, r, gridColor);
    drawLine(image, box.left - 4, r, box.left, r, axisColor);
    const label = yLabels.labels[i]!;
    drawText(image, label, box.left - 7 - textWidth(label), r - Math.floor(textHeight() / 2), axisColor);
  });
  // An axis labelled relative to an offset says so: x's under its tick labels at the right, y's above the box.
  const signed = (offset: string) => (offset.startsWith("-") ? offset : `+${offset}`);
  if (xLabels.offset !== undefined) {
    const text = `x ${signed(xLabels.offset)}`;
    drawText(image, text, box.right - textWidth(text), box.bottom + 9 + textHeight(), axisColor);
  }
  if (yLabels.offset !== undefined) drawText(image, `y ${signed(yLabels.offset)}`, box.left, box.top - 3 - textHeight(), axisColor);
  drawLine(image, box.left, box.top, box.right, box.top, axisColor);
  drawLine(image, box.left, box.bottom, box.right, box.bottom, axisColor);
  drawLine(image, box.left, box.top, box.left, box.bottom, axisColor);
  drawLine(image, box.right, box.top, box.right, box.bottom, axisColor);
  if (options.title) drawText(image, options.title, Math.round((box.left + box.right - textWidth(options.title)) / 2), 8, axisColor);
  if (options.yLabel) drawText(image, options.yLabel, 4, 8, axisColor);
  if (options.xLabel) drawText(image, options.xLabel, Math.round((box.left + box.right - textWidth(options.xLabel)) / 2), height - 12, axisColor);
  return { image, box, px, py };
}

/** Draws colour swatches with labels, one line per labelled series, from (x, y). */
export function drawLegend(image: RasterImage, x: number, y: number, series: readonly { readonly color: Rgb; readonly label?: string }[]): void {
  let row = 0;
  for (const s of series) {
    if (!s.label) continue;
    fillRect(image, x, y + row * 11, 7, 7, s.color);
    drawText(image, s.label, x + 11, y + row * 11, [0, 0, 0]);
    row++;
  }
}
