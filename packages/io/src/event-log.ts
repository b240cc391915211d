// JSONL event logs, the format: one JSON object per line. Non-finite numbers, which JSON cannot hold, are
// written as the strings "NaN", "Infinity" and "-Infinity" and read back as numbers, so a diverging loss is
// logged as what it was. Parsing tolerates a torn last line (from a kill) and names the line of any other
// malformed one. Appending to and reading log files is event-log-file.ts (Node only).
import { ioError } from "./io-error.js";

/** One logged event: a JSON object (numbers may be non-finite). */
export type LogEvent = Readonly<Record<string, unknown>>;

const nonFinite = new Map<string, number>([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]]);

/** One event as its JSON line (without the newline). */
export function eventLine(event: LogEvent): string {
  return JSON.stringify(event, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

/**
 * Parses JSONL text; `source` names it in errors. A torn (unterminated, unparsable) last line is dropped;
 * any other malformed line throws an `IoError` naming it.
 */
export function parseEventLog(text: string, source = "event log"): LogEvent[] {
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
      throw ioError("format", source, `line ${i + 1} is not valid JSON; fix or delete that line`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw ioError("format", source, `line ${i + 1} is not a JSON object; each line must be one event object`);
    }
    events.push(value as LogEvent);
  }
  return events;
}
