// JSONL event log files (Node only): one event per line, appended and handed to the operating system at
// once (a synchronous write per event, no user-space buffer), so a killed run loses at most the event
// being written. The line format is event-log.ts.
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { eventLine, parseEventLog, type LogEvent } from "./event-log.js";
import { fromSystemError, ioError } from "./io-error.js";

/** An open event log. */
export interface EventLog {
  /** The log file. */
  readonly path: string;
  /** Appends one event as one line; throws an `IoError` when the write fails (the log stays usable). */
  append(event: LogEvent): void;
  /** Flushes the file to disk (fsync); throws an `IoError` when that fails. */
  sync(): void;
  /** Closes the file. */
  close(): void;
}

/** Opens (creating when missing, with its folder) a JSONL log for appending; rejects with an `IoError`. */
export async function openEventLog(file: string): Promise<EventLog> {
  let fd: number;
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    fd = fs.openSync(file, "a");
  } catch (e) {
    throw fromSystemError(file, "open the event log", e);
  }
  let open = true;
  return {
    path: file,
    append(event) {
      if (!open) throw ioError("invalid-argument", file, "append after close; open the log again");
      let line: string;
      try {
        line = `${eventLine(event)}\n`;
      } catch (e) {
        throw ioError("invalid-argument", file, `the event cannot be written as JSON (${(e as Error).message}); log plain values`);
      }
      try {
        fs.writeSync(fd, line);
      } catch (e) {
        throw fromSystemError(file, "append to the event log", e);
      }
    },
    sync() {
      try {
        if (open) fs.fsyncSync(fd);
      } catch (e) {
        throw fromSystemError(file, "flush the event log", e);
      }
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

/** Reads a whole JSONL log (see `parseEventLog`); rejects with an `IoError`. */
export async function readEventLog(file: string): Promise<LogEvent[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    throw fromSystemError(file, "read the event log", e);
  }
  return parseEventLog(text, file);
}
