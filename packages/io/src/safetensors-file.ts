// safetensors files on disk, as fp-ts TaskEithers. Reading refuses anything but a regular file, reads
// the 8-byte length and the header first and validates them against the file size (so a lying header
// costs nothing), then reads each tensor's bytes into a buffer of its own, in chunks — so a file of any
// size loads (each tensor up to the largest array the engine holds), each tensor needs only its own
// memory, and no single read passes Node's 2³¹ − 1 bytes.
// Writing serializes and replaces the file atomically. Engine tensors are read to the host before
// writing and made on the active backend after reading.
import * as E from "fp-ts/lib/Either.js";
import type * as TE from "fp-ts/lib/TaskEither.js";
import type { Tensor } from "@scm-ts/core";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
import { fromHost, toHost, type HostTensor } from "./host-tensor.js";
import { fromSystemError, ioError, type IoError } from "./io-error.js";
import { defaultChunkBytes, openRegularFile, readFully, type PositionalReader } from "./regular-file.js";
import { headerLength, parseHeader } from "./safetensors-header.js";
import { decodeEntry, type LoadedTensor, type SafetensorsContents } from "./safetensors-read.js";
import { safetensorsChunks, type TensorEntries } from "./safetensors-write.js";

/** Options of `readSafetensors`. */
export interface SafetensorsReadOptions {
  /** The most bytes one read asks for (default 64 MiB; tests use small values to exercise chunking). */
  readonly chunkBytes?: number;
}

/** Reads `length` bytes at `position` into a new buffer; a Left when the file ends first or the engine cannot hold them. */
async function readExactly(reader: PositionalReader, file: string, position: number, length: number, what: string, chunkBytes: number): Promise<E.Either<IoError, Uint8Array>> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(length);
  } catch {
    return E.left(ioError("format", file, `${what} has ${length} bytes, more than this JavaScript engine holds in one array; split it into smaller tensors`));
  }
  const read = await readFully(reader, bytes, position, chunkBytes);
  if (read < length) return E.left(ioError("format", file, `the file ended ${length - read} bytes early while reading ${what}; it shrank while being read or is truncated`));
  return E.right(bytes);
}

/** Reads the contents of an open safetensors file of `size` bytes (see `readSafetensors`). */
export async function readSafetensorsFrom(reader: PositionalReader, size: number, file: string, options: SafetensorsReadOptions = {}): Promise<E.Either<IoError, SafetensorsContents>> {
  const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
  const prefix = await readExactly(reader, file, 0, Math.min(8, size), "the header length", chunkBytes);
  if (E.isLeft(prefix)) return prefix;
  const n = headerLength(prefix.right, size, file);
  if (E.isLeft(n)) return n;
  const headerBytes = await readExactly(reader, file, 8, n.right, "the header", chunkBytes);
  if (E.isLeft(headerBytes)) return headerBytes;
  const dataStart = 8 + n.right;
  const header = parseHeader(headerBytes.right, size - dataStart, file);
  if (E.isLeft(header)) return header;
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.right.entries) {
    const bytes = await readExactly(reader, file, dataStart + e.begin, e.end - e.begin, `tensor "${e.name}"`, chunkBytes);
    if (E.isLeft(bytes)) return bytes;
    const tensor = decodeEntry(e, bytes.right, file, true);
    if (E.isLeft(tensor)) return tensor;
    tensors.set(e.name, tensor.right);
  }
  return E.right({ tensors, metadata: header.right.metadata });
}

/** Reads and validates a safetensors file (a regular file of any size); each tensor is allocated only after the header is found sound. */
export function readSafetensors(file: string, options: SafetensorsReadOptions = {}): TE.TaskEither<IoError, SafetensorsContents> {
  return async () => {
    const opened = await openRegularFile(file);
    if (E.isLeft(opened)) return opened;
    const { handle, size } = opened.right;
    try {
      return await readSafetensorsFrom(handle, size, file, options);
    } catch (e) {
      return E.left(fromSystemError(file, "read", e));
    } finally {
      await handle.close().catch(() => undefined);
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
