// Writing image grids and plots as PNG files (Node only): each renders in memory with the browser-safe
// rasterisers (image-grid.ts, scatter-plot.ts, line-plot.ts) and writes with the PNG encoder, atomically.
// A bad shape or option becomes an `IoError` ("invalid-argument") naming the file it was meant for.
import type { Tensor } from "@scm-ts/core";
import type { AtomicWriteOptions } from "./atomic-write.js";
import { readEventLog } from "./event-log-file.js";
import { imageGrid, type ImageGridOptions } from "./image-grid.js";
import { ioError } from "./io-error.js";
import { linePlot, seriesColors, seriesFromEvents, type LinePlotOptions } from "./line-plot.js";
import { writePng } from "./png-encode.js";
import type { RasterImage } from "./raster-image.js";
import { scatterPlot, type ScatterOptions, type ScatterSeries } from "./scatter-plot.js";

// The image `render` draws; its RangeError becomes an IoError about `file`.
async function rendered(file: string, render: () => RasterImage | Promise<RasterImage>): Promise<RasterImage> {
  try {
    return await render();
  } catch (e) {
    throw ioError("invalid-argument", file, (e as Error).message);
  }
}

/** Writes a grid of `images` ([N, C, H, W]) as a PNG file, atomically; rejects with an `IoError`. */
export async function writeImageGrid(file: string, images: Tensor, options: ImageGridOptions = {}, writeOptions: AtomicWriteOptions = {}): Promise<void> {
  await writePng(file, await rendered(file, () => imageGrid(images, options)), writeOptions);
}

/** Writes a scatter plot as a PNG file, atomically; rejects with an `IoError`. */
export async function writeScatterPlot(file: string, series: readonly ScatterSeries[], options: ScatterOptions = {}, writeOptions: AtomicWriteOptions = {}): Promise<void> {
  await writePng(file, await rendered(file, () => scatterPlot(series, options)), writeOptions);
}

/** Options of `writeLossCurves`. */
export interface LossCurveOptions extends LinePlotOptions {
  /** The event field on the x axis; default "step". */
  readonly xKey?: string;
  /** The event fields to plot, one curve each; default ["loss"]. */
  readonly keys?: readonly string[];
}

/** Reads a JSONL event log and writes its curves (e.g. loss against step) as a PNG file; rejects with an `IoError`. */
export async function writeLossCurves(logFile: string, pngFile: string, options: LossCurveOptions = {}, writeOptions: AtomicWriteOptions = {}): Promise<void> {
  const events = await readEventLog(logFile);
  const xKey = options.xKey ?? "step";
  const keys = options.keys ?? ["loss"];
  const series = keys.map((key, k) => ({ ...seriesFromEvents(events, xKey, key), color: seriesColors[k % seriesColors.length]!, label: key }));
  if (series.every((s) => s.x.length === 0)) {
    throw ioError("mismatch", logFile, `no event has both "${xKey}" and any of ${keys.map((k) => `"${k}"`).join(", ")} as numbers; check the key names`);
  }
  // A log axis by default when every value is positive (losses with learned weighting can go negative).
  const positive = series.every((s) => s.y.every((v) => !Number.isFinite(v) || v > 0));
  await writePng(pngFile, await rendered(pngFile, () => linePlot(series, { xLabel: xKey, ...options, logY: options.logY ?? positive })), writeOptions);
}
