// safetensors files on disk (Node only), as Promises that reject with an `IoError`. Reading refuses anything but a regular file, reads
// the 8-byte length and the header first and validates them against the file size (so a lying header
// costs nothing), then reads each tensor's bytes into a buffer of its own, in chunks — so a file of any
// size loads (each tensor up to the largest array the engine holds), each tensor needs only its own
// memory, and no single read passes Node's 2³¹ − 1 bytes.
// Writing serializes and replaces the file atomically. Engine tensors are read to the host before
// writing and made on the active backend after reading.
import type { Tensor } from "@scm-ts/core";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
import { fromHost, toHost, type HostTensor } from "./host-tensor.js";
import { fromSystemError, ioError, IoError, orThrow } from "./io-error.js";
import { defaultChunkBytes, openRegularFile, readFully, type PositionalReader } from "./regular-file.js";
import { headerLength, parseHeader } from "./safetensors-header.js";
import { decodeEntry, type LoadedTensor, type SafetensorsContents } from "./safetensors-read.js";
import { safetensorsChunks, type TensorEntries } from "./safetensors-write.js";

/** Options of `readSafetensors`. */
export interface SafetensorsReadOptions {
  /** The most bytes one read asks for (default 64 MiB; tests use small values to exercise chunking). */
  readonly chunkBytes?: number;
}

/** Reads `length` bytes at `position` into a new buffer; throws when the file ends first or the engine cannot hold them. */
async function readExactly(reader: PositionalReader, file: string, position: number, length: number, what: string, chunkBytes: number): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(length);
  } catch {
    throw ioError("format", file, `${what} has ${length} bytes, more than this JavaScript engine holds in one array; split it into smaller tensors`);
  }
  const read = await readFully(reader, bytes, position, chunkBytes);
  if (read < length) throw ioError("format", file, `the file ended ${length - read} bytes early while reading ${what}; it shrank while being read or is truncated`);
  return bytes;
}

/** Reads the contents of an open safetensors file of `size` bytes (see `readSafetensors`). */
export async function readSafetensorsFrom(reader: PositionalReader, size: number, file: string, options: SafetensorsReadOptions = {}): Promise<SafetensorsContents> {
  const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
  const prefix = await readExactly(reader, file, 0, Math.min(8, size), "the header length", chunkBytes);
  const n = orThrow(headerLength(prefix, size, file));
  const headerBytes = await readExactly(reader, file, 8, n, "the header", chunkBytes);
  const dataStart = 8 + n;
  const header = orThrow(parseHeader(headerBytes, size - dataStart, file));
  const tensors = new Map<string, LoadedTensor>();
  for (const e of header.entries) {
    const bytes = await readExactly(reader, file, dataStart + e.begin, e.end - e.begin, `tensor "${e.name}"`, chunkBytes);
    tensors.set(e.name, orThrow(decodeEntry(e, bytes, file, true)));
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Reads and validates a safetensors file (a regular file of any size); each tensor is allocated only
 * after the header is found sound. Rejects with an `IoError`.
 */
export async function readSafetensors(file: string, options: SafetensorsReadOptions = {}): Promise<SafetensorsContents> {
  const { handle, size } = await openRegularFile(file);
  try {
    return await readSafetensorsFrom(handle, size, file, options);
  } catch (e) {
    throw e instanceof IoError ? e : fromSystemError(file, "read", e);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Writes host tensors (and an optional string metadata map) to a safetensors file, atomically; rejects with an `IoError`. */
export async function writeSafetensors(
  file: string,
  tensors: TensorEntries,
  metadata?: Readonly<Record<string, string>>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(file, safetensorsChunks(tensors, metadata, file).chunks, options);
}

/** Writes engine tensors by name to a safetensors file (reading them to the host first), atomically; rejects with an `IoError`. */
export async function saveTensors(
  file: string,
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Readonly<Record<string, Tensor>>);
  const host: [string, HostTensor][] = [];
  for (const [name, t] of entries) host.push([name, await toHost(t)]);
  await writeSafetensors(file, host, metadata, options);
}

/** Reads a safetensors file into engine tensors on the active backend, by name, in file order; rejects with an `IoError`. */
export async function loadTensors(file: string): Promise<Map<string, Tensor>> {
  const contents = await readSafetensors(file);
  const out = new Map<string, Tensor>();
  for (const [name, h] of contents.tensors) out.set(name, fromHost(h));
  return out;
}
