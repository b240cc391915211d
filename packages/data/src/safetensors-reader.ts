// safetensors bytes as `TensorFile`s, parsed by `@scm-ts/io` — the one reader of the format, with its one
// rule set (header length capped, no repeated JSON key, dtypes, shapes and contiguous offsets checked
// before anything is allocated). This file only adapts the result: each tensor is converted to float32
// on demand, the `__metadata__` map is the file's metadata, and io's errors become `DataError`s with the
// same message. Reading the file (regular files only, in chunks) is tensor-files.ts (Node only).
import { parseSafetensors as parseWithIo, type SafetensorsContents } from "@scm-ts/io";
import { carryIoError, dataError } from "./data-error.js";
import type { HostTensor, TensorFile, TensorFileReader } from "./tensor-file.js";

/** The `TensorFile` view of a safetensors file's contents. */
export function tensorFileOf(contents: SafetensorsContents, source: string): TensorFile {
  const names = [...contents.tensors.keys()];
  return {
    source,
    names,
    metadata: contents.metadata,
    shapeOf: (name) => contents.tensors.get(name)?.shape,
    tensor(name: string): HostTensor {
      const t = contents.tensors.get(name);
      if (t === undefined) {
        const has = names.length === 0 ? "no tensors" : `tensors ${names.map((n) => `"${n}"`).join(", ")}`;
        throw dataError("name", source, `has no tensor named "${name}"; it has ${has}`);
      }
      // A fresh float32 array each call (the stored one is copied too), so callers may keep or change it.
      return { name, dtype: t.storedDtype, shape: t.shape, values: Float32Array.from(t.data) };
    },
  };
}

/** Parses safetensors bytes (validated by `@scm-ts/io`'s reader) into a `TensorFile`; throws a `DataError`. */
export function parseSafetensors(bytes: Uint8Array, source: string): TensorFile {
  let contents: SafetensorsContents;
  try {
    contents = parseWithIo(bytes, source);
  } catch (e) {
    throw carryIoError(e);
  }
  return tensorFileOf(contents, source);
}

/** The safetensors reader as a `TensorFileReader`. */
export const safetensorsReader: TensorFileReader = { format: "safetensors", parse: parseSafetensors };
