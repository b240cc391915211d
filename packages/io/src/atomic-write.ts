// Atomic file replacement: the bytes go to a temporary file in the target's folder, are flushed to disk
// (fsync), and only then renamed over the target, followed by an fsync of the folder so the rename
// itself is durable. A failure or a kill at any point before the rename leaves the previous file
// untouched; a failure cleans up its temporary file. The file-system calls are injectable so tests can
// make a write fail half-way.
import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fromSystemError } from "./io-error.js";

/** A file opened for writing. */
export interface WritableFile {
  /** Writes `length` bytes of `data` from `offset`; resolves to the bytes written (maybe fewer). */
  write(
    data: Uint8Array,
    offset: number,
    length: number,
  ): Promise<{
    /** How many bytes of data[offset, offset + length) this call wrote. */
    bytesWritten: number;
  }>;
  /** Flushes the file's data and metadata to the disk. */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): Promise<void>;
}

/** The file-system calls an atomic write makes (Node's by default; tests inject failures). */
export interface AtomicFileSystem {
  /** Creates and opens a new file for writing; fails if it exists. */
  create(file: string): Promise<WritableFile>;
  /** Renames `from` to `to`, replacing `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file. */
  unlink(file: string): Promise<void>;
  /** Creates a folder and its parents when missing. */
  mkdirs(dir: string): Promise<void>;
  /** Flushes a folder's entries to disk (best effort: ignored where the platform cannot). */
  syncFolder(dir: string): Promise<void>;
}

/** The real file system. */
export const nodeFileSystem: AtomicFileSystem = {
  create: async (file) => {
    const handle = await fsp.open(file, "wx");
    return {
      write: (data, offset, length) => handle.write(data, offset, length),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (file) => fsp.unlink(file),
  mkdirs: async (dir) => {
    await fsp.mkdir(dir, { recursive: true });
  },
  syncFolder: async (dir) => {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(dir, "r");
      await handle.sync();
    } catch {
      // Some platforms (Windows, some network file systems) cannot fsync a folder; the rename stands.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  },
};

/** Options of `writeFileAtomic`. */
export interface AtomicWriteOptions {
  /** The file-system calls to use (default: Node's). */
  readonly fileSystem?: AtomicFileSystem;
}

/** The temporary name a write of `target` uses: hidden, in the same folder, unique per attempt. */
export function temporaryPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

async function writeAll(file: WritableFile, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await file.write(chunk, done, chunk.length - done);
    if (bytesWritten <= 0) throw new Error(`the disk accepted no bytes after ${done} of ${chunk.length}`);
    done += bytesWritten;
  }
}

/** Replaces `target` with the concatenation of `chunks`, atomically (see the file comment); rejects with an `IoError`. */
export async function writeFileAtomic(target: string, chunks: readonly Uint8Array[], options: AtomicWriteOptions = {}): Promise<void> {
  const fs = options.fileSystem ?? nodeFileSystem;
  const dir = path.dirname(target);
  try {
    await fs.mkdirs(dir);
  } catch (e) {
    throw fromSystemError(dir, "create the folder", e);
  }
  const temporary = temporaryPathFor(target);
  let file: WritableFile | undefined;
  let stage = "create a temporary file for";
  try {
    file = await fs.create(temporary);
    stage = "write";
    for (const chunk of chunks) await writeAll(file, chunk);
    stage = "flush (fsync)";
    await file.sync();
    stage = "close";
    const opened = file;
    file = undefined;
    await opened.close();
    stage = "rename the temporary file onto";
    await fs.rename(temporary, target);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await fs.unlink(temporary).catch(() => undefined);
    throw fromSystemError(target, stage, e, "; the previous file, if any, is unchanged");
  }
  await fs.syncFolder(dir);
}
