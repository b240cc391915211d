// The one error type of @scm-ts/io. Every public function that can fail on its input throws it (the
// synchronous parsers) or returns a Promise that rejects with it (the file functions), so a forgotten
// `await` or a dropped result cannot pass for success (docs/guide/design.md, "Errors"). Its message is
// complete on its own: it names the file (and tensor or field), says what was wrong, and says what to
// do, so a command-line tool can print it as the single line a user sees. Inside the package, steps that
// compose (header validation, chunk walks) return fp-ts `Either`s of it, turned into a throw by `orThrow`
// at the public boundary.
import * as E from "fp-ts/lib/Either.js";

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

/** A failure at an I/O boundary: `kind` to branch on, the `path` it is about, and a one-line `message`. */
export class IoError extends Error {
  /** "IoError", for stack traces and checks without `instanceof`. */
  override readonly name = "IoError";
  constructor(
    /** The kind of failure. */
    readonly kind: IoErrorKind,
    /** The file, folder or in-memory source the failure is about. */
    readonly path: string,
    /** What was wrong and what to do; the message is `<path>: <detail>`. */
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** An `IoError` whose message is prefixed with its path (a convenience for `new IoError(kind, path, detail)`). */
export function ioError(kind: IoErrorKind, path: string, detail: string): IoError {
  return new IoError(kind, path, detail);
}

/** The `IoError` of a failed Node file-system call (ENOENT becomes "not-found"). */
export function fromSystemError(path: string, action: string, cause: unknown, suffix = ""): IoError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (code === "ENOENT") return ioError("not-found", path, `cannot ${action}: no such file or folder; check the path${suffix}`);
  return ioError("filesystem", path, `cannot ${action}: ${reason}${suffix}`);
}

/** The value of a Right; throws the `IoError` of a Left (where internal `Either`s meet the public API). */
export function orThrow<A>(result: E.Either<IoError, A>): A {
  if (E.isLeft(result)) throw result.left;
  return result.right;
}
