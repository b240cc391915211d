// safetensors files on disk, as fp-ts TaskEithers: reading checks the header length against the file
// size before reading the rest (so a lying header costs nothing), then parses with the validating
// reader; writing serializes and replaces the file atomically. Engine tensors are read to the host
// before writing and made on the active backend after reading.
import * as fsp from "node:fs/promises";
import * as E from "fp-ts/lib/Either.js";
import type * as TE from "fp-ts/lib/TaskEither.js";
import type { Tensor } from "@scm-ts/core";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
import { fromHost, toHost, type HostTensor } from "./host-tensor.js";
import { fromSystemError, ioError, type IoError } from "./io-error.js";
import { headerLength, parseSafetensors, type SafetensorsContents } from "./safetensors-read.js";
import { safetensorsChunks, type TensorEntries } from "./safetensors-write.js";

/** Reads and validates a safetensors file; the file is read whole, and nothing larger is allocated. */
export function readSafetensors(file: string): TE.TaskEither<IoError, SafetensorsContents> {
  return async () => {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(file, "r");
      const { size } = await handle.stat();
      if (size > 2 ** 32) return E.left(ioError("format", file, `the file has ${size} bytes, more than the 4 GiB this reader holds in memory; split the checkpoint`));
      const prefix = new Uint8Array(8);
      await handle.read(prefix, 0, Math.min(8, size), 0);
      const n = headerLength(prefix, size, file);
      if (E.isLeft(n)) return n;
      const bytes = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await handle.read(bytes, done, size - done, done);
        if (bytesRead === 0) return E.left(ioError("format", file, `the file shrank while being read (${done} of ${size} bytes); retry when nothing is writing it`));
        done += bytesRead;
      }
      return parseSafetensors(bytes, file);
    } catch (e) {
      return E.left(fromSystemError(file, "read", e));
    } finally {
      await handle?.close().catch(() => undefined);
    }
  };
}

/** Writes host tensors (and an optional string metadata map) to a safetensors file, atomically. */
export function writeSafetensors(
  file: string,
  tensors: TensorEntries,
  metadata?: Readonly<Record<string, string>>,
  options: AtomicWriteOptions = {},
): TE.TaskEither<IoError, void> {
  return async () => {
    const pieces = safetensorsChunks(tensors, metadata, file);
    if (E.isLeft(pieces)) return pieces;
    return writeFileAtomic(file, pieces.right.chunks, options)();
  };
}

/** Writes engine tensors by name to a safetensors file (reading them to the host first), atomically. */
export function saveTensors(
  file: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
  options: AtomicWriteOptions = {},
): TE.TaskEither<IoError, void> {
  return async () => {
    const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Readonly<Record<string, Tensor>>);
    const host: [string, HostTensor][] = [];
    for (const [name, t] of entries) host.push([name, await toHost(t)]);
    return writeSafetensors(file, host, metadata, options)();
  };
}

/** Reads a safetensors file into engine tensors on the active backend, by name, in file order. */
export function loadTensors(file: string): TE.TaskEither<IoError, Map<string, Tensor>> {
  return async () => {
    const contents = await readSafetensors(file)();
    if (E.isLeft(contents)) return contents;
    const out = new Map<string, Tensor>();
    for (const [name, h] of contents.right.tensors) out.set(name, fromHost(h));
    return E.right(out);
  };
}
