// JSONL event logs: appended lines are on disk at once (readable before close), one object per line,
// non-finite numbers survive, a torn last line from a killed run is dropped, other bad lines are named.
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { openEventLog, parseEventLog, readEventLog } from "./event-log.js";

const right = <T>(e: E.Either<{ message: string }, T>): T => {
  if (E.isLeft(e)) throw new Error(e.left.message);
  return e.right;
};

describe("JSONL event logs", () => {
  it("appends one object per line, visible before close, and reads them back", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-log-")), "sub", "events.jsonl");
    const log = right(await openEventLog(file)());
    right(log.append({ type: "step", step: 1, loss: 0.5 }));
    expect(readFileSync(file, "utf8")).toBe('{"type":"step","step":1,"loss":0.5}\n');
    right(log.append({ type: "step", step: 2, loss: NaN, grad: -Infinity, nested: { a: [1, Infinity] } }));
    right(log.sync());
    log.close();
    expect(E.isLeft(log.append({ late: true }))).toBe(true);
    const again = right(await openEventLog(file)());
    right(again.append({ type: "done" }));
    again.close();
    const events = right(await readEventLog(file)());
    expect(events).toHaveLength(3);
    expect(events[1]).toEqual({ type: "step", step: 2, loss: NaN, grad: -Infinity, nested: { a: [1, Infinity] } });
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(4);
  });

  it("drops a torn last line and names any other bad line", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-log-")), "events.jsonl");
    appendFileSync(file, '{"step":1}\n{"step":2}\n{"ste');
    expect(right(await readEventLog(file)())).toEqual([{ step: 1 }, { step: 2 }]);
    const bad = parseEventLog('{"a":1}\nnot json\n{"b":2}\n', "log.jsonl");
    expect(E.isLeft(bad) && bad.left.message).toBe("log.jsonl: line 2 is not valid JSON; fix or delete that line");
    const notObject = parseEventLog("[1]\n", "log.jsonl");
    expect(E.isLeft(notObject) && notObject.left.message).toMatch(/line 1 is not a JSON object/);
    const missing = await readEventLog(path.join(path.dirname(file), "none.jsonl"))();
    expect(E.isLeft(missing) && missing.left.kind).toBe("not-found");
  });
});
