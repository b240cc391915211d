// @scm-ts/io: the one owner of the file formats every package reads, as bytes and values — safetensors
// parsing and serialization byte-compatible with PyTorch's `safetensors` (one validating reader, one rule
// set), host tensors, the names and layout of checkpoint trees, the JSONL event-log line format, and
// images and plots — image grids, density scatter plots and loss curves — rasterised in memory. This entry
// imports no Node built-in, so it bundles for the browser; files (safetensors, checkpoints, logs, PNG via
// zlib) are `@scm-ts/io/node` (node.ts). A failure throws (or, from the file functions, rejects with) an
// `IoError` with one self-contained message (docs/guide/design.md, "Errors").

/** Errors. */
export { IoError, type IoErrorKind, ioError } from "./io-error.js";

/** Host tensors. */
export { type HostTensor, toHost, fromHost } from "./host-tensor.js";

/** safetensors in memory. */
export { type SafetensorsDType, safetensorsDTypes, safetensorsItemSize } from "./safetensors-dtype.js";
export { type TensorEntries, type SafetensorsChunks, metadataKey, safetensorsChunks, serializeSafetensors } from "./safetensors-write.js";
export { maxHeaderBytes } from "./safetensors-header.js";
export { type LoadedTensor, type SafetensorsContents, parseSafetensors } from "./safetensors-read.js";

/** Checkpoint tree names and PyTorch's layout. */
export { type NamedLeaf, flattenNamed, restoreNamed, treeFromNames } from "./tree-names.js";
export { type LayoutField, type StoredName, type TreePath, trainPrefix, torchName, treePath } from "./torch-layout.js";

/** The JSONL event-log format. */
export { type LogEvent, eventLine, parseEventLog } from "./event-log.js";

/** Images and plots, rasterised in memory. */
export { type Channels, type RasterImage, rasterImage } from "./raster-image.js";
export { crc32 } from "./crc32.js";
export { pngSignature, pngChunk } from "./png-chunks.js";
export { type ImageGridOptions, imageGrid, imageGridFromHost } from "./image-grid.js";
export { type Rgb, canvas, blendPixel, fillRect, drawLine, drawText, textWidth, textHeight } from "./canvas.js";
export { type AxisRange, type FrameOptions, type PlotFrame, type TickLabels, niceTicks, formatTick, tickLabels, maxTickLabelLength, plotFrame, drawLegend } from "./plot-frame.js";
export { type ScatterSeries, type ScatterOptions, scatterPlot } from "./scatter-plot.js";
export { type HistogramSeries, type HistogramOptions, histogramPlot, histogramDensity, histogramRange } from "./histogram-plot.js";
export { type LineSeries, type LinePlotOptions, seriesColors, linePlot, seriesFromEvents } from "./line-plot.js";
