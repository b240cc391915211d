// JSONL event logs: appended lines are on disk at once (readable before close), one object per line,
// non-finite numbers survive, a torn last line from a killed run is dropped, other bad lines are named.
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { parseEventLog } from "./event-log.js";
import { openEventLog, readEventLog } from "./event-log-file.js";
import { attempt, settle } from "@scm-ts/testing";
import { IoError } from "./io-error.js";

describe("JSONL event logs", () => {
  it("appends one object per line, visible before close, and reads them back", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-log-")), "sub", "events.jsonl");
    const log = await openEventLog(file);
    log.append({ type: "step", step: 1, loss: 0.5 });
    expect(readFileSync(file, "utf8")).toBe('{"type":"step","step":1,"loss":0.5}\n');
    log.append({ type: "step", step: 2, loss: NaN, grad: -Infinity, nested: { a: [1, Infinity] } });
    log.sync();
    log.close();
    expect(() => log.append({ late: true })).toThrow(IoError);
    const again = await openEventLog(file);
    again.append({ type: "done" });
    again.close();
    const events = await readEventLog(file);
    expect(events).toHaveLength(3);
    expect(events[1]).toEqual({ type: "step", step: 2, loss: NaN, grad: -Infinity, nested: { a: [1, Infinity] } });
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(4);
  });

  it("drops a torn last line and names any other bad line", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-log-")), "events.jsonl");
    appendFileSync(file, '{"step":1}\n{"step":2}\n{"ste');
    expect(await readEventLog(file)).toEqual([{ step: 1 }, { step: 2 }]);
    const bad = attempt(() => parseEventLog('{"a":1}\nnot json\n{"b":2}\n', "log.jsonl"), IoError);
    expect(E.isLeft(bad) && bad.left.message).toBe("log.jsonl: line 2 is not valid JSON; fix or delete that line");
    const notObject = attempt(() => parseEventLog("[1]\n", "log.jsonl"), IoError);
    expect(E.isLeft(notObject) && notObject.left.message).toMatch(/line 1 is not a JSON object/);
    const missing = await settle(readEventLog(path.join(path.dirname(file), "none.jsonl")), IoError);
    expect(E.isLeft(missing) && missing.left.kind).toBe("not-found");
  });
});
