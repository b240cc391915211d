// safetensors files as `TensorFile`s, read by `@scm-ts/io` — the one reader of the format, with its one
// rule set (header length capped, no repeated JSON key, dtypes, shapes and contiguous offsets checked
// before anything is allocated; regular files only, read in chunks). This file only adapts the result:
// each tensor is converted to float32 on demand, the `__metadata__` map is the file's metadata, and io's
// errors become `DataError`s with the same message.
import * as E from "fp-ts/lib/Either.js";
import * as TE from "fp-ts/lib/TaskEither.js";
import { pipe } from "fp-ts/lib/function.js";
import { parseSafetensors as parseWithIo, readSafetensors, type SafetensorsContents } from "@scm-ts/io";
import { dataError, fromIoError, type DataError } from "./data-error.js";
import type { HostTensor, TensorFile, TensorFileReader } from "./tensor-file.js";

/** The `TensorFile` view of a safetensors file's contents. */
function tensorFileOf(contents: SafetensorsContents, source: string): TensorFile {
  const names = [...contents.tensors.keys()];
  return {
    source,
    names,
    metadata: contents.metadata,
    shapeOf: (name) => contents.tensors.get(name)?.shape,
    tensor(name: string): E.Either<DataError, HostTensor> {
      const t = contents.tensors.get(name);
      if (t === undefined) {
        const has = names.length === 0 ? "no tensors" : `tensors ${names.map((n) => `"${n}"`).join(", ")}`;
        return E.left(dataError("name", source, `has no tensor named "${name}"; it has ${has}`));
      }
      // A fresh float32 array each call (the stored one is copied too), so callers may keep or change it.
      return E.right({ name, dtype: t.storedDtype, shape: t.shape, values: Float32Array.from(t.data) });
    },
  };
}

/** Parses safetensors bytes (validated by `@scm-ts/io`'s reader) into a `TensorFile`. */
export function parseSafetensors(bytes: Uint8Array, source: string): E.Either<DataError, TensorFile> {
  return pipe(
    parseWithIo(bytes, source),
    E.bimap(fromIoError, (contents) => tensorFileOf(contents, source)),
  );
}

/** Reads a safetensors file (a regular file, in chunks, tensor by tensor) into a `TensorFile`. */
export function readSafetensorsFile(path: string): TE.TaskEither<DataError, TensorFile> {
  return pipe(
    readSafetensors(path),
    TE.bimap(fromIoError, (contents) => tensorFileOf(contents, path)),
  );
}

/** The safetensors reader as a `TensorFileReader`. */
export const safetensorsReader: TensorFileReader = { format: "safetensors", parse: parseSafetensors };
