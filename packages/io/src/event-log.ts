// JSONL event logs: one JSON object per line, appended and handed to the operating system at once
// (a synchronous write per event, no user-space buffer), so a killed run loses at most the event being
// written. Non-finite numbers, which JSON cannot hold, are written as the strings "NaN", "Infinity" and
// "-Infinity" and read back as numbers, so a diverging loss is logged as what it was. Reading tolerates
// a torn last line (from a kill) and names the line of any other malformed one.
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import * as E from "fp-ts/lib/Either.js";
import type * as TE from "fp-ts/lib/TaskEither.js";
import { fromSystemError, ioError, type IoError } from "./io-error.js";

/** One logged event: a JSON object (numbers may be non-finite). */
export type LogEvent = Readonly<Record<string, unknown>>;

/** An open event log. */
export interface EventLog {
  /** The log file. */
  readonly path: string;
  /** Appends one event as one line; Left when the write fails (the log stays usable). */
  append(event: LogEvent): E.Either<IoError, void>;
  /** Flushes the file to disk (fsync). */
  sync(): E.Either<IoError, void>;
  /** Closes the file. */
  close(): void;
}

const nonFinite = new Map<string, number>([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]]);

/** One event as its JSON line (without the newline). */
export function eventLine(event: LogEvent): string {
  return JSON.stringify(event, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

/** Opens (creating when missing, with its folder) a JSONL log for appending. */
export function openEventLog(file: string): TE.TaskEither<IoError, EventLog> {
  return async () => {
    let fd: number;
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, "a");
    } catch (e) {
      return E.left(fromSystemError(file, "open the event log", e));
    }
    let open = true;
    return E.right({
      path: file,
      append(event) {
        if (!open) return E.left(ioError("invalid-argument", file, "append after close; open the log again"));
        let line: string;
        try {
          line = `${eventLine(event)}\n`;
        } catch (e) {
          return E.left(ioError("invalid-argument", file, `the event cannot be written as JSON (${(e as Error).message}); log plain values`));
        }
        try {
          fs.writeSync(fd, line);
          return E.right(undefined);
        } catch (e) {
          return E.left(fromSystemError(file, "append to the event log", e));
        }
      },
      sync() {
        try {
          if (open) fs.fsyncSync(fd);
          return E.right(undefined);
        } catch (e) {
          return E.left(fromSystemError(file, "flush the event log", e));
        }
      },
      close() {
        if (open) fs.closeSync(fd);
        open = false;
      },
    });
  };
}

/** Parses JSONL text; `source` names it in errors. A torn (unterminated, unparsable) last line is dropped. */
export function parseEventLog(text: string, source = "event log"): E.Either<IoError, LogEvent[]> {
  const lines = text.split("\n");
  const events: LogEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line, (_k, v: unknown) => (typeof v === "string" && nonFinite.has(v) ? nonFinite.get(v) : v));
    } catch {
      if (i === lines.length - 1) break; // torn last line of a killed run
      return E.left(ioError("format", source, `line ${i + 1} is not valid JSON; fix or delete that line`));
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return E.left(ioError("format", source, `line ${i + 1} is not a JSON object; each line must be one event object`));
    }
    events.push(value as LogEvent);
  }
  return E.right(events);
}

/** Reads a whole JSONL log. */
export function readEventLog(file: string): TE.TaskEither<IoError, LogEvent[]> {
  return async () => {
    let text: string;
    try {
      text = await fsp.readFile(file, "utf8");
    } catch (e) {
      return E.left(fromSystemError(file, "read the event log", e));
    }
    return parseEventLog(text, file);
  };
}
