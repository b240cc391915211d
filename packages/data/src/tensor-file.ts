// The small interface through which datasets read named tensors from a file, so that the file format is
// pluggable: safetensors (read by `@scm-ts/io`) is the default behind it, and a caller can pass a reader of
// another format of the same shape without touching the dataset loaders. A reader parses bytes it is
// given; reading the file is the loader's job. A format with string metadata exposes it too (the loader
// reads a mixture description from it).

/** One tensor read from a file, converted to float32 on the host. */
export interface HostTensor {
  /** Its name in the file. */
  readonly name: string;
  /** The file's element type label (e.g. "F32", "U8"). */
  readonly dtype: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its values, row-major, converted to float32. */
  readonly values: Float32Array;
}

/** A parsed tensor file: the names it holds and access to each tensor. */
export interface TensorFile {
  /** The path or label the bytes came from (for messages). */
  readonly source: string;
  /** The tensor names, in file order. */
  readonly names: readonly string[];
  /** The file's string metadata (safetensors' `__metadata__`), when the format has it. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The shape of a tensor, without converting its data (undefined when absent). */
  shapeOf(name: string): readonly number[] | undefined;
  /** A tensor by name; throws a `DataError` ("name") listing the names the file has when it is absent. */
  tensor(name: string): HostTensor;
}

/** A parser of one tensor-file format. */
export interface TensorFileReader {
  /** The format's name, for messages (e.g. "safetensors"). */
  readonly format: string;
  /** Parses and validates the file's bytes; throws a `DataError` whose message starts with `source`. */
  parse(bytes: Uint8Array, source: string): TensorFile;
}
