// Ctrl-C and kill on the built `scm` binary (issue 18, item 14): SIGINT ends a training run after
// its current step with a checkpoint of that step, no lock and no temporary file left, exit 130;
// resumed from there, SIGTERM does the same with exit 143 and a later step.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCheckpoint } from "@scm-ts/io/node";

const bin = join(__dirname, "..", "dist", "bin.js");
const root = mkdtempSync(join(tmpdir(), "scm-signals-"));

// Starts `scm train`, sends `signal` once its event log has a line, and resolves to its exit code and stderr.
function trainThenSignal(args: string[], dir: string, signal: "SIGINT" | "SIGTERM"): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "train", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const events = join(dir, "events.jsonl");
    const seen = (() => {
      try {
        return readFileSync(events, "utf8").split("\n").filter((l) => l.includes('"kind":"step"')).length;
      } catch {
        return 0;
      }
    })();
    const poll = setInterval(() => {
      if (existsSync(events) && readFileSync(events, "utf8").split("\n").filter((l) => l.includes('"kind":"step"')).length > seen) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 50);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

const stepOf = async (dir: string) => {
  const r = await readCheckpoint(dir);
  return r.step;
};

describe.skipIf(!existsSync(bin))("signals during scm train", () => {
  it("SIGINT: checkpoint of the current step, exit 130; resumed, SIGTERM: a later step, exit 143; nothing left behind", async () => {
    const dir = join(root, "run");
    const args = ["--mode", "sct", "--backend", "cpu", "--batch", "8", "--width", "8", "--depth", "1", "--steps", "1000000", "--checkpoint-every", "1000000", "--out", dir];
    const first = await trainThenSignal(args, dir, "SIGINT");
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/stopped by SIGINT at step \d+ of 1000000; checkpoint in/);
    const s1 = await stepOf(dir);
    expect(s1).toBeGreaterThanOrEqual(25);
    const second = await trainThenSignal(["--resume", "--backend", "cpu", "--out", dir], dir, "SIGTERM");
    expect(second.code).toBe(143);
    expect(await stepOf(dir)).toBeGreaterThan(s1);
    expect(readdirSync(dir).sort()).toEqual(["checkpoint.safetensors", "config.json", "events.jsonl"]);
    const kinds = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { kind: string; signal?: string }));
    expect(kinds.filter((e) => e.kind === "stopped").map((e) => e.signal)).toEqual(["SIGINT", "SIGTERM"]);
  }, 60_000);
});
