// @scm-ts/io: files in and out of a training run, and the one owner of the file formats every package
// reads: safetensors read/write byte-compatible with PyTorch's `safetensors` (one validating reader, one
// rule set), regular files read in chunks, checkpoint bundles (parameters, EMA, optimizer state, RNG key,
// step and config) written atomically, JSONL event logs, PNG decoding bounded by the size the image
// declares, and PNG output — image grids, density scatter plots and loss curves — from a small
// self-contained encoder and rasteriser. Fallible calls return fp-ts `Either`/`TaskEither` whose Left is
// an `IoError` with one self-contained message. This file is the package's whole public surface.

/** Errors. */
export { type IoError, type IoErrorKind, ioError, ioErrorToException } from "./io-error.js";

/** Host tensors, reading regular files in chunks, and atomic file replacement. */
export { type HostTensor, toHost, fromHost } from "./host-tensor.js";
export { type ReadFileOptions, readRegularFile } from "./regular-file.js";
export { type AtomicFileSystem, type AtomicWriteOptions, type WritableFile, nodeFileSystem, writeFileAtomic } from "./atomic-write.js";

/** safetensors. */
export { type SafetensorsDType, safetensorsDTypes, safetensorsItemSize } from "./safetensors-dtype.js";
export { type TensorEntries, type SafetensorsChunks, metadataKey, safetensorsChunks, serializeSafetensors } from "./safetensors-write.js";
export { maxHeaderBytes } from "./safetensors-header.js";
export { type LoadedTensor, type SafetensorsContents, parseSafetensors } from "./safetensors-read.js";
export { type SafetensorsReadOptions, readSafetensors, writeSafetensors, saveTensors, loadTensors } from "./safetensors-file.js";

/** Checkpoints. */
export { type NamedLeaf, flattenNamed, restoreNamed, treeFromNames } from "./tree-names.js";
export { type LayoutField, type StoredName, type TreePath, trainPrefix, torchName, treePath } from "./torch-layout.js";
export {
  type JsonValue,
  type CheckpointTrees,
  type Checkpoint,
  checkpointFormat,
  legacyCheckpointFormat,
  checkpointFileName,
  configFileName,
  rngKeyName,
  checkpointFile,
  writeCheckpoint,
  readCheckpoint,
  readCheckpointInto,
} from "./checkpoint.js";

/** JSONL event logs. */
export { type LogEvent, type EventLog, eventLine, openEventLog, parseEventLog, readEventLog } from "./event-log.js";

/** Images and plots. */
export { type Channels, type RasterImage, rasterImage } from "./raster-image.js";
export { crc32 } from "./crc32.js";
export { pngSignature, pngChunk } from "./png-chunks.js";
export { encodePng, writePng } from "./png-encode.js";
export { type PngDecodeOptions, defaultMaxImageBytes, decodePng } from "./png-decode.js";
export { type ImageGridOptions, imageGrid, imageGridFromHost, writeImageGrid } from "./image-grid.js";
export { type Rgb, canvas, blendPixel, fillRect, drawLine, drawText, textWidth, textHeight } from "./canvas.js";
export { type AxisRange, type FrameOptions, type PlotFrame, niceTicks, formatTick, plotFrame, drawLegend } from "./plot-frame.js";
export { type ScatterSeries, type ScatterOptions, scatterPlot, writeScatterPlot } from "./scatter-plot.js";
export { type LineSeries, type LinePlotOptions, type LossCurveOptions, seriesColors, linePlot, seriesFromEvents, writeLossCurves } from "./line-plot.js";
