// A run is never lost (issue 18, items 1–4, 11, 14): a folder holding a run is refused without
// --resume or --force; a live lock refuses a second run and a dead process's lock is taken over; no
// command writes over a file it reads (sample over its checkpoint or a run's files, train over its
// teacher, also through a symlink); an --out that is a file is refused before any training; temporary
// files of dead writers are swept; `scm sample` replaces an existing --out file only with --force.
// Every refusal leaves the files already there byte for byte.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockFileName, runDemo, runSample, runTrain, UsageError } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "scm-runfolder-"));
const lines: string[] = [];
const log = (l: string) => void lines.push(l);
const tiny = { backend: "cpu", data: "ring", batch: 16, width: 8, depth: 1, "checkpoint-every": 1000 };
const ckptOf = (dir: string) => join(dir, "checkpoint.safetensors");
const bytes = (f: string) => readFileSync(f).toString("base64");
// A pid that is certainly dead: a child that has exited (and was reaped).
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

let teacher: string;
async function teacherRun(): Promise<string> {
  teacher ??= (await runTrain({ ...tiny, mode: "diffusion", steps: 2, out: join(root, "t") }, log)).dir;
  return teacher;
}

describe("an existing run", () => {
  it("is refused without --resume or --force, naming both flags, and kept byte for byte", async () => {
    const dir = join(root, "r1");
    await runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log);
    const before = bytes(ckptOf(dir));
    const again = runTrain({ ...tiny, mode: "diffusion", steps: 2, out: dir }, log);
    await expect(again).rejects.toThrow(UsageError);
    await expect(runTrain({ ...tiny, mode: "diffusion", steps: 2, out: dir }, log)).rejects.toThrow(/already holds a run .*continue it with --resume, or replace it with --force/);
    expect(bytes(ckptOf(dir))).toBe(before);
    expect(existsSync(join(dir, lockFileName))).toBe(false);
  });

  it("is replaced with --force (a fresh event log), and --resume with --force is refused", async () => {
    const dir = join(root, "r2");
    await runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log);
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, out: dir, resume: true, force: true }, log)).rejects.toThrow(/give one of them/);
    const r = await runTrain({ ...tiny, mode: "diffusion", steps: 3, out: dir, force: true }, log);
    expect(r.cfg.mode).toBe("diffusion");
    const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { mode: string });
    expect(events.every((e) => e.mode === "diffusion")).toBe(true);
  });

  it("scm demo run again into the same --out is refused before training, unless --force", async () => {
    const out = join(root, "demo");
    mkdirSync(join(out, "scd"), { recursive: true });
    writeFileSync(join(out, "scd", "events.jsonl"), "{}\n");
    await expect(runDemo({ out, steps: 2, width: 8, n: 16, seed: 0, backend: "cpu" }, log)).rejects.toThrow(/holds the runs of an earlier demo \(scd\); replace them with --force/);
    expect(existsSync(join(out, "teacher"))).toBe(false);
  });

  it("an --out that is a file, or a .safetensors name, is refused before training", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "keep me");
    await expect(runTrain({ ...tiny, mode: "sct", steps: 500, out: file }, log)).rejects.toThrow(/exists and is not a folder/);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    await expect(runTrain({ ...tiny, mode: "sct", steps: 500, out: join(root, "run.safetensors") }, log)).rejects.toThrow(/names a file, but --out is the run's folder/);
    expect(existsSync(join(root, "run.safetensors"))).toBe(false);
  });
});

describe("an --out that cannot be made", () => {
  it.skipIf(!existsSync("/proc/self"))("under /proc is refused at once with one line (a recursive mkdir there can loop)", async () => {
    const t0 = performance.now();
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, out: "/proc/scm-run/x" }, log)).rejects.toThrow(/^scm train: cannot create --out \/proc\/scm-run\/x: /);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe("the lock", () => {
  it("a live holder refuses a second run, naming its pid; two runs at once: one is refused", async () => {
    const dir = join(root, "l1");
    mkdirSync(dir);
    writeFileSync(join(dir, lockFileName), JSON.stringify({ pid: process.ppid, host: hostname(), since: "then" }));
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log)).rejects.toThrow(new RegExp(`in use by process ${process.ppid} on `));
    const both = await Promise.allSettled([runTrain({ ...tiny, mode: "sct", steps: 2, out: join(root, "l2") }, log), runTrain({ ...tiny, mode: "sct", steps: 2, out: join(root, "l2") }, log)]);
    expect(both.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(String((both.find((r) => r.status === "rejected") as PromiseRejectedResult).reason)).toMatch(/in use by process/);
  });

  it("a dead process's lock is taken over with one line, and the lock is gone after the run", async () => {
    const dir = join(root, "l3");
    mkdirSync(dir);
    const pid = deadPid();
    writeFileSync(join(dir, lockFileName), JSON.stringify({ pid, host: hostname(), since: "then" }));
    lines.length = 0;
    await runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log);
    expect(lines.filter((l) => l.includes(`taking over the lock of process ${pid}, which is gone`)).length).toBe(1);
    expect(existsSync(join(dir, lockFileName))).toBe(false);
  });

  it("a stale lock is taken over under a guard: a fresh guard (another process taking over) refuses, a crashed one's is cleared", async () => {
    const dir = join(root, "l5");
    mkdirSync(dir);
    const lock = join(dir, lockFileName), guard = `${lock}.takeover`;
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), since: "then" }));
    writeFileSync(guard, "1\n");
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log)).rejects.toThrow(/in use by process/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(guard, old, old);
    await runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log);
    expect(readdirSync(dir).sort()).toEqual(["checkpoint.safetensors", "config.json", "events.jsonl"]);
  });

  it("a lock of another host is never taken over", async () => {
    const dir = join(root, "l4");
    mkdirSync(dir);
    writeFileSync(join(dir, lockFileName), JSON.stringify({ pid: deadPid(), host: `not-${hostname()}`, since: "then" }));
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log)).rejects.toThrow(/in use by process \d+ on not-/);
  });
});

describe("scm sample over an existing file", () => {
  it("is refused without --force, leaving the file byte for byte; --force replaces it", async () => {
    const t = await teacherRun();
    const out = join(root, "precious.png");
    writeFileSync(out, "a file of the user's");
    await expect(runSample({ ckpt: t, n: 4, nfe: 3, backend: "cpu", out }, log)).rejects.toThrow(/--out .*precious\.png already exists; choose another name, or replace it with --force/);
    expect(readFileSync(out, "utf8")).toBe("a file of the user's");
    await runSample({ ckpt: t, n: 4, nfe: 3, backend: "cpu", out, force: true }, log);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe("PNG");
  });

  it("an --nfe the teacher's sampler cannot spend is a usage error naming the flag", async () => {
    const t = await teacherRun();
    // A low-dimensional teacher records DPM-Solver++(2M), which spends any NFE; the paper's DPM-Solver-2 cannot spend 2.
    await runSample({ ckpt: t, n: 4, nfe: 2, backend: "cpu", out: join(root, "nfe2-2m.safetensors") }, log);
    const run = runSample({ ckpt: t, n: 4, nfe: 2, solver: "dpm-solver-2", backend: "cpu", out: join(root, "nfe2.safetensors") }, log);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/^--nfe 2: dpm-solver-2 cannot spend exactly 2 network evaluations/);
    expect(existsSync(join(root, "nfe2.safetensors"))).toBe(false);
  });
});

describe("no command writes over a file it reads", () => {
  it("sample --out the checkpoint it reads (also via a symlink) or another run's file is refused", async () => {
    const t = await teacherRun();
    const before = bytes(ckptOf(t));
    const base = { ckpt: t, n: 4, backend: "cpu" };
    await expect(runSample({ ...base, out: ckptOf(t) })).rejects.toThrow(/--out .* is what --ckpt reads/);
    symlinkSync(ckptOf(t), join(root, "link.safetensors"));
    await expect(runSample({ ...base, out: join(root, "link.safetensors") })).rejects.toThrow(/is what --ckpt reads/);
    const other = join(root, "r1");
    await expect(runSample({ ...base, out: join(other, "samples.png") })).resolves.toBeUndefined(); // beside a run's files is fine
    await expect(runSample({ ...base, out: ckptOf(other) })).rejects.toThrow(/a file of the run folder/);
    expect(bytes(ckptOf(t))).toBe(before);
  });

  it("train --out its --teacher or --init (also via a symlink or ..) is refused before training", async () => {
    const t = await teacherRun();
    const before = bytes(ckptOf(t));
    await expect(runTrain({ ...tiny, mode: "scd", steps: 2, teacher: t, out: t, force: true }, log)).rejects.toThrow(/--out .* is what --teacher reads/);
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, init: t, out: join(t, "..", "t"), force: true }, log)).rejects.toThrow(/is what --init reads/);
    symlinkSync(t, join(root, "t-link"));
    await expect(runTrain({ ...tiny, mode: "scd", steps: 2, teacher: t, out: join(root, "t-link"), force: true }, log)).rejects.toThrow(/is what --teacher reads/);
    // --data a file the run would write: its checkpoint.
    await expect(runTrain({ ...tiny, mode: "sct", steps: 2, data: ckptOf(t), out: t, resume: true }, log)).rejects.toThrow(/--out .*checkpoint\.safetensors is what --data reads/);
    expect(bytes(ckptOf(t))).toBe(before);
  });
});

describe("temporary files", () => {
  it("those of dead writers are swept when a run starts; a live writer's are kept", async () => {
    const dir = join(root, "tmp1");
    await runTrain({ ...tiny, mode: "sct", steps: 2, out: dir }, log);
    const dead = `.checkpoint.safetensors.tmp-${deadPid()}-0badf00d`, live = `.checkpoint.safetensors.tmp-${process.ppid}-0123abcd`;
    for (const f of [dead, live]) writeFileSync(join(dir, f), "partial");
    await runTrain({ ...tiny, mode: "sct", steps: 3, out: dir, resume: true }, log);
    const left = readdirSync(dir);
    expect(left).not.toContain(dead);
    expect(left).toContain(live);
  });
});
