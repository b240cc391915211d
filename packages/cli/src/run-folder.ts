// Who owns a run folder, and what a command may write: one process trains in a folder at a time (an
// exclusive `run.lock` holding its pid and host; the lock of a dead process on this host is taken
// over, a live one refuses), an existing run is continued only with --resume and replaced only with
// --force, an --out that is a file is refused, temporary files of dead writers are swept, and no
// command writes over a file it reads. All of it runs before any work starts, so a mistake costs
// nothing: not the run already in the folder, and not the steps of the one about to start.
import { checkpointFileName, configFileName } from "@scm-ts/io/node";
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "./args.js";

/** The lock file in a run folder. */
export const lockFileName = "run.lock";

/** The event log of a run folder. */
export const eventLogName = "events.jsonl";

/** What a lock file records about its holder. */
export interface LockHolder {
  /** The process id of the holder. */
  readonly pid: number;
  /** The host the holder runs on (a pid means nothing on another host). */
  readonly host: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
}

/** A run folder this process holds. */
export interface RunFolder {
  /** The folder. */
  readonly dir: string;
  /** Removes the run files of the run it replaces (--force); call just before training writes anything. */
  replace(): void;
  /** Gives the lock up (idempotent). */
  release(): void;
}

/** How a command claims its run folder. */
export interface ClaimOptions {
  /** The command, for messages ("scm train"). */
  readonly command: string;
  /** Continue the run in the folder (--resume). */
  readonly resume?: boolean;
  /** Replace the run in the folder (--force). */
  readonly force?: boolean;
}

/** Whether a process of this host is alive (EPERM: alive, owned by another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

// Creates a file exclusively (O_EXCL) holding `text`: false when it exists. The text goes to a private
// file first and is hard-linked into place (an atomic create-if-absent), so no reader ever sees a lock
// without its holder; where links are not supported it is written after an O_EXCL create.
function createExclusive(file: string, text: string): boolean {
  // Named like the atomic writer's temporary files, so a crash here leaves nothing the sweep misses.
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}`);
  try {
    writeFileSync(temp, text, { flag: "wx" });
    try {
      linkSync(temp, file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e;
    }
    const fd = openSync(file, "wx");
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new UsageError(`cannot create ${file}: ${(e as Error).message}`);
  } finally {
    rmSync(temp, { force: true });
  }
}

const tryLock = (file: string): boolean => createExclusive(file, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockHolder) + "\n");

/** The holder a lock file names, or undefined when it is unreadable (being written, or damaged). */
export function readLock(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof h.pid === "number" && typeof h.host === "string" ? { pid: h.pid, host: h.host, since: String(h.since) } : undefined;
  } catch {
    return undefined;
  }
}

// A lock is stale when its holder is a dead process of this host, or when it stayed unreadable for
// longer than a writer needs to write one line (a crash between create and write).
function staleReason(file: string, holder: LockHolder | undefined): string | undefined {
  if (!holder) {
    try {
      return Date.now() - statSync(file).mtimeMs > 5000 ? "an unreadable lock left by a crash" : undefined;
    } catch {
      return "a lock removed meanwhile";
    }
  }
  return holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid) ? `the lock of process ${holder.pid}, which is gone` : undefined;
}

// Removes a stale lock under a guard file, so two processes taking over the same stale lock cannot
// both succeed (one would remove the lock the other just took). False when another process holds
// the guard, or the lock changed meanwhile; a guard left by a crash is cleared after 10 s.
function removeStale(file: string, seen: LockHolder | undefined): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, `${process.pid}\n`)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
    } catch {
      // Removed meanwhile: the next attempt takes it.
    }
    return false;
  }
  try {
    if (JSON.stringify(readLock(file)) !== JSON.stringify(seen)) return false;
    rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Takes the folder's lock, or refuses (exit 2) naming the live holder; takes over a stale lock with one line. */
export function lockRunFolder(dir: string, command: string, log: (line: string) => void): () => void {
  const file = join(dir, lockFileName);
  for (let attempt = 0; !tryLock(file); attempt++) {
    const holder = readLock(file);
    const stale = staleReason(file, holder);
    if (!stale || attempt > 2) {
      const who = holder ? `process ${holder.pid} on ${holder.host} (since ${holder.since})` : "another process";
      throw new UsageError(`${command}: ${dir} is in use by ${who}; wait for it to finish, or use another --out (if that process is gone, remove ${file})`);
    }
    if (removeStale(file, holder)) log(`${dir}: taking over ${stale}`);
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    // Only our own lock: a lock taken over after ours vanished is someone else's.
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  // A process.exit past the finally blocks (a second Ctrl-C) still leaves the folder free.
  process.on("exit", release);
  return release;
}

// `.checkpoint.safetensors.tmp-<pid>-<hex>`: the atomic writer's temporary files (@scm-ts/io).
const tempFile = /^\..+\.tmp-(\d+)-[0-9a-f]+$/;

/** Removes temporary files of dead processes (and, with `ownToo`, of this one) from a folder; returns their names. */
export function sweepTempFiles(dir: string, ownToo = false): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const m = tempFile.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid ? !ownToo : processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      swept.push(name);
    } catch {
      // Removed by someone else meanwhile: nothing to sweep.
    }
  }
  return swept;
}

/** Refuses an --out that cannot be a run folder: an existing file, or a name the checkpoint writer would take for a file. */
export function checkOutFolder(command: string, dir: string): void {
  if (dir.endsWith(".safetensors")) throw new UsageError(`${command}: --out ${dir} names a file, but --out is the run's folder (the checkpoint goes to <folder>/${checkpointFileName}); drop the .safetensors`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${command}: --out ${dir} exists and is not a folder; --out is the run's folder: choose another name`);
}

// The real path of a path that may not exist yet: its deepest existing ancestor resolved, the rest appended.
function realPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPath(parent), basename(abs));
  }
}

/** Whether two paths name the same file or folder (symlinks, `..` and hard links resolved). */
export function samePlace(a: string, b: string): boolean {
  try {
    const [sa, sb] = [statSync(a), statSync(b)];
    if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  } catch {
    // One does not exist yet: compare the resolved paths.
  }
  return realPath(a) === realPath(b);
}

/** Refuses (exit 2) an output path that is one of the inputs: `inputs` maps each input's flag to its path. */
export function checkNotAnInput(command: string, outFlag: string, out: string, inputs: Readonly<Record<string, string | undefined>>): void {
  for (const [flag, path] of Object.entries(inputs)) {
    if (path !== undefined && samePlace(out, path)) throw new UsageError(`${command}: ${outFlag} ${out} is what ${flag} reads (${path}); writing it would destroy it: choose another ${outFlag}`);
  }
}

/** The files of a run folder that make it a run: its checkpoint, config copy and event log. */
export const runFiles = [checkpointFileName, configFileName, eventLogName] as const;

/** Whether a file is one of a run folder's own files (a checkpoint of another run must not be written over by sample). */
export function isRunFile(file: string): boolean {
  return (runFiles as readonly string[]).includes(basename(file)) && existsSync(join(dirname(file), checkpointFileName));
}

/**
 * Claims a run folder for training: refuses an --out that is a file, takes the lock, refuses a folder
 * holding a run unless --resume or --force, and sweeps dead writers' temporary files.
 */
export function claimRunFolder(dir: string, o: ClaimOptions, log: (line: string) => void): RunFolder {
  checkOutFolder(o.command, dir);
  if (o.resume && o.force) throw new UsageError(`${o.command}: --resume continues the run in ${dir} and --force replaces it; give one of them`);
  try {
    makeFolder(dir);
  } catch (e) {
    throw new UsageError(`${o.command}: cannot create --out ${dir}: ${(e as Error).message}`);
  }
  const release = lockRunFolder(dir, o.command, log);
  try {
    const present = runFiles.filter((f) => existsSync(join(dir, f)));
    const hasCheckpoint = present.includes(checkpointFileName);
    if (o.resume && !hasCheckpoint) throw new UsageError(`${o.command} --resume: no checkpoint in ${dir}${present.length ? ` (only ${present.join(", ")}; start it again with --force)` : ""}`);
    if (!o.resume && !o.force && present.length) {
      throw new UsageError(`${o.command}: ${dir} already holds a run (${present.join(", ")}); continue it with --resume, or replace it with --force`);
    }
    const swept = sweepTempFiles(dir);
    if (swept.length) log(`${dir}: removed ${swept.length} temporary file${swept.length === 1 ? "" : "s"} of interrupted writes (${swept.join(", ")})`);
  } catch (e) {
    release();
    throw e;
  }
  return {
    dir,
    replace: () => {
      if (o.force) for (const f of runFiles) rmSync(join(dir, f), { force: true });
    },
    release,
  };
}

// mkdir -p made one level at a time: Node 20's recursive mkdir loops under /proc.
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
  for (const p of missing) mkdirSync(p);
}
