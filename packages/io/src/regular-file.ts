// Reading files that a user names, safely: only regular files are read (a FIFO would block the open or
// the read forever, `/dev/zero` would never end, a folder has no bytes), the size is known from fstat
// before anything is allocated, and bytes are read in chunks of at most `defaultChunkBytes`, because one
// `FileHandle.read` of more than 2³¹ − 1 bytes aborts Node, so files of 2 GiB and more must be read in
// pieces. The file is opened non-blocking, so opening a FIFO returns at once and fstat can refuse it.
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import type { Stats } from "node:fs";
import { fromSystemError, ioError, IoError } from "./io-error.js";

/** The largest length one read may ask for: Node refuses (or aborts on) reads of more than 2³¹ − 1 bytes. */
export const maxReadBytes = 2 ** 31 - 1;

/** The chunk size of reads (64 MiB: few system calls, far below `maxReadBytes`). */
export const defaultChunkBytes = 2 ** 26;

/** Anything that reads bytes at a position, like Node's `FileHandle` (tests pass a fake). */
export interface PositionalReader {
  /** Reads up to `length` bytes at file offset `position` into `buffer[offset…]`. */
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{
    /** How many bytes were read (0 at the end of the file). */
    bytesRead: number;
  }>;
}

/**
 * Fills `target` from file offset `position` in reads of at most `chunkBytes` (clamped to
 * `maxReadBytes`); returns the bytes read, fewer than `target.length` only when the file ended first.
 */
export async function readFully(reader: PositionalReader, target: Uint8Array, position: number, chunkBytes = defaultChunkBytes): Promise<number> {
  const chunk = Math.max(1, Math.min(Math.floor(chunkBytes), maxReadBytes));
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await reader.read(target, done, Math.min(chunk, target.length - done), position + done);
    if (bytesRead <= 0) break;
    done += bytesRead;
  }
  return done;
}

/** What a non-regular file is, for messages. */
function describeSpecial(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device (like /dev/zero)";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/** A regular file opened for reading, with its size. Close `handle` when done. */
export interface OpenedFile {
  /** The open file. */
  readonly handle: fsp.FileHandle;
  /** Its size in bytes, from fstat. */
  readonly size: number;
}

/** Opens `file` for reading when it is a regular file; rejects with an `IoError` naming what it is otherwise. */
export async function openRegularFile(file: string): Promise<OpenedFile> {
  let handle: fsp.FileHandle | undefined;
  try {
    // O_NONBLOCK makes opening a FIFO return at once (it would wait for a writer); it changes nothing
    // for regular files. Platforms without it (Windows) have no FIFOs to open.
    handle = await fsp.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const special = describeSpecial(stats);
      await handle.close().catch(() => undefined);
      handle = undefined;
      throw ioError("filesystem", file, `is ${special}, not a regular file; only regular files are read — give the path of a file`);
    }
    return { handle, size: stats.size };
  } catch (e) {
    await handle?.close().catch(() => undefined);
    throw e instanceof IoError ? e : fromSystemError(file, "read", e);
  }
}

/** Options of `readRegularFile`. */
export interface ReadFileOptions {
  /** Refuse files larger than this many bytes (default: no limit but the engine's). */
  readonly maxBytes?: number;
  /** The most bytes one read asks for (default `defaultChunkBytes`). */
  readonly chunkBytes?: number;
}

/** Reads a whole regular file, in chunks, after checking it is one and that its size is acceptable; rejects with an `IoError`. */
export async function readRegularFile(file: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
  const { handle, size } = await openRegularFile(file);
  let read: number;
  let bytes: Uint8Array;
  try {
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      throw ioError("format", file, `has ${size} bytes, more than the ${options.maxBytes} this reader accepts; check that it is the file you meant`);
    }
    bytes = new Uint8Array(size);
    read = await readFully(handle, bytes, 0, options.chunkBytes);
  } catch (e) {
    throw e instanceof IoError ? e : fromSystemError(file, "read", e);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (read < size) throw ioError("filesystem", file, `the file shrank while being read (${read} of ${size} bytes); retry when nothing is writing it`);
  return bytes;
}
