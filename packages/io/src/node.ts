// @scm-ts/io/node: the Node-only half of @scm-ts/io — regular files read in chunks, atomic file
// replacement, safetensors files, checkpoint bundles (parameters, EMA, optimizer state, RNG key, step and
// config), JSONL event-log files, and PNG encoding and decoding (Node's zlib) with the file writers of
// grids and plots. Every function that touches a file returns a Promise that rejects with an `IoError`
// (docs/guide/design.md, "Errors"); the formats in memory are the main entry, `@scm-ts/io`.

/** Reading regular files in chunks, and atomic file replacement. */
export { type ReadFileOptions, readRegularFile } from "./regular-file.js";
export { type AtomicFileSystem, type AtomicWriteOptions, type WritableFile, nodeFileSystem, writeFileAtomic } from "./atomic-write.js";

/** safetensors files. */
export { type SafetensorsReadOptions, readSafetensors, writeSafetensors, saveTensors, loadTensors } from "./safetensors-file.js";

/** Checkpoints. */
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

/** JSONL event-log files. */
export { type EventLog, openEventLog, readEventLog } from "./event-log-file.js";

/** PNG (zlib) and the file writers of grids and plots. */
export { encodePng, writePng } from "./png-encode.js";
export { type PngDecodeOptions, defaultMaxImageBytes, decodePng } from "./png-decode.js";
export { type LossCurveOptions, writeImageGrid, writeScatterPlot, writeLossCurves } from "./plot-files.js";
