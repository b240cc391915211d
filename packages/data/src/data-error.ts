// The one error type of dataset loading, thrown (or, by the file loaders, rejected with) at the fallible
// boundary (docs/guide/design.md, "Errors"): a missing file, bytes that are not the promised format, a tensor with
// the wrong name, dtype or shape. Each error names the file (and the tensor or image when there is one),
// says what was expected and what was found, and what to do; `kind` lets callers branch without parsing text.
// Failures of the file formats, which `@scm-ts/io` reads for this package, arrive as io's `IoError` and
// are carried over with their message unchanged.
import { IoError, type IoErrorKind } from "@scm-ts/io";

/** What went wrong while loading a dataset. */
export type DataErrorKind =
  /** The file or folder could not be read (missing, permissions, not a file). */
  | "io"
  /** The bytes are not a well-formed file of the expected format (corrupt, truncated, bad header). */
  | "format"
  /** The file is well formed but uses a feature this reader does not support (e.g. an interlaced PNG). */
  | "unsupported"
  /** The requested tensor is not in the file. */
  | "name"
  /** A tensor or image has a shape (or channel count) other than the one expected. */
  | "shape"
  /** The request itself is invalid (e.g. an empty selection). */
  | "argument";

/** A dataset loading failure: `kind`, the offending `source` (a path, or a label for in-memory bytes) and a full message. */
export class DataError extends Error {
  /** "DataError", for `instanceof`-free checks and stack traces. */
  override readonly name = "DataError";
  constructor(
    /** The category of failure. */
    readonly kind: DataErrorKind,
    /** The file, folder or label the error is about. */
    readonly source: string,
    /** What was wrong, expected vs found, and what to do (the source is prefixed in `message`). */
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** Builds a `DataError` (a convenience for `new DataError(kind, source, detail)`). */
export function dataError(kind: DataErrorKind, source: string, detail: string): DataError {
  return new DataError(kind, source, detail);
}

/** Wraps a Node file-system failure (ENOENT, EISDIR, …) of `path` as an `io` error. */
export function ioError(path: string, cause: unknown): DataError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file or folder; check the path"
      : code === "EISDIR"
        ? "is a folder, not a file"
        : code === "ENOTDIR"
          ? "is not a folder"
          : code === "EACCES"
            ? "permission denied"
            : `could not be read (${cause instanceof Error ? cause.message : String(cause)})`;
  return new DataError("io", path, reason);
}

/** The data-loading kind of each io failure kind. */
const kindOfIoError: Readonly<Record<IoErrorKind, DataErrorKind>> = {
  "not-found": "io",
  filesystem: "io",
  format: "format",
  unsupported: "unsupported",
  mismatch: "shape",
  "invalid-argument": "argument",
};

/** The `DataError` of a failure reported by `@scm-ts/io` (same source and message). */
export function fromIoError(error: IoError): DataError {
  const prefix = `${error.path}: `;
  return new DataError(kindOfIoError[error.kind], error.path, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
}

/** `cause` as this package reports it: an `IoError` becomes its `DataError`, anything else is unchanged. */
export function carryIoError(cause: unknown): unknown {
  return cause instanceof IoError ? fromIoError(cause) : cause;
}
