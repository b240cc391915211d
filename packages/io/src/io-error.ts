// The one error type of @scm-ts/io, returned as the Left of an fp-ts `Either`/`TaskEither` at every
// fallible boundary (reading and writing files, parsing safetensors headers and PNG images, checkpoint
// and log loading). Its message is complete on its own: it names the file (and tensor or field), says what was
// wrong, and says what to do, so a command-line tool can print it as the single line a user sees.

/** What kind of failure an `IoError` reports. */
export type IoErrorKind =
  /** The file or folder does not exist. */
  | "not-found"
  /** The operating system refused or failed a read, write, rename or sync. */
  | "filesystem"
  /** The bytes are not a valid file of the expected format (corrupt, truncated, hostile). */
  | "format"
  /** The file is valid but uses a feature this reader does not support (e.g. an interlaced PNG). */
  | "unsupported"
  /** The file is valid but does not fit what the caller asked for (shapes, names, dtypes). */
  | "mismatch"
  /** The caller passed something that cannot be written (bad names, shapes or values). */
  | "invalid-argument";

/** A failure at an I/O boundary. */
export interface IoError {
  /** The kind of failure. */
  readonly kind: IoErrorKind;
  /** The file, folder or in-memory source the failure is about. */
  readonly path: string;
  /** One self-contained line: `<path>: <what was wrong>; <what to do>`. */
  readonly message: string;
}

/** An `IoError` whose message is prefixed with its path. */
export function ioError(kind: IoErrorKind, path: string, detail: string): IoError {
  return { kind, path, message: `${path}: ${detail}` };
}

/** The `IoError` of a failed Node file-system call (ENOENT becomes "not-found"). */
export function fromSystemError(path: string, action: string, cause: unknown): IoError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (code === "ENOENT") return ioError("not-found", path, `cannot ${action}: no such file or folder; check the path`);
  return ioError("filesystem", path, `cannot ${action}: ${reason}`);
}

/** Turns an `IoError` into a thrown `Error` (for callers outside fp-ts, e.g. tests and scripts). */
export function ioErrorToException(error: IoError): Error {
  const e = new Error(error.message);
  e.name = `IoError(${error.kind})`;
  return e;
}
