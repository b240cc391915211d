// Dawn's two "artificially reduced" warnings, filtered inside the process. Dawn's native code
// (Limits.cpp, NormalizeLimits) writes "Warning: maxDynamic{Uniform,Storage}BuffersPerPipelineLayout
// artificially reduced from N to 16 …" with fprintf(stderr) on every adapter request, on every
// backend; no flag, toggle or logging callback reaches it, and it bypasses Node's streams. So, for
// the span of the adapter request only, file descriptor 2 is pointed at a private capture file and
// then back, and what was captured is written to the real stderr minus exactly those two lines.
// Node has no dup2: a descriptor is moved by closing 2 and opening, since open() returns the lowest
// free number; the original is reopened through /proc/self/fd (Linux) or /dev/fd (macOS, where that
// reopen shares the original's offset). That covers a terminal, a shell pipe, /dev/null and a file
// opened for appending. It cannot cover a socket (it cannot be reopened), which is what a child of a
// Node process gets for stdio 'pipe' (vitest's forks workers, spawn): the relaying parent filters
// those with `filterDawnWarningsFrom(process.stderr)`. On Linux a reopened regular file gets an offset
// of its own, so a stderr that is a file not opened for appending (`2>log`) is left alone too, as is
// any other platform and a process whose descriptors 0–2 are not all open. Other output written to
// stderr during the request is delayed until it returns, never dropped.
/** The exact lines Dawn prints (and nothing else is removed). */
export const DAWN_LIMIT_WARNING = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?$/;

/** Removes Dawn's two limit warnings from a chunk of stderr text; every other line is kept. */
export function withoutDawnWarnings(text: string): string {
  return text
    .split("\n")
    .filter((line) => !DAWN_LIMIT_WARNING.test(line))
    .join("\n");
}

/** What a stream's `write` accepts: a chunk, then an optional encoding and callback. */
type WriteFn = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
const prefix = "Warning: maxDynamic";

/**
 * Makes `stream` (e.g. the process.stderr of a parent that relays its children's stderr) drop Dawn's
 * two limit warnings. Lines pass through as they come; only a trailing partial line that could still
 * become a warning is held until its newline arrives. Returns a function that undoes it.
 */
export function filterDawnWarningsFrom(stream: { write: WriteFn }): () => void {
  const write = stream.write;
  const decoder = new TextDecoder(); // streaming: a character split across chunks stays whole
  let held = "";
  const filtered: WriteFn = (chunk, ...rest) => {
    const text = held + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    const cut = text.lastIndexOf("\n") + 1;
    let tail = text.slice(cut);
    const couldBeWarning = tail.length > 0 && (prefix.startsWith(tail) || tail.startsWith(prefix));
    held = couldBeWarning ? tail : "";
    if (couldBeWarning) tail = "";
    const out = withoutDawnWarnings(text.slice(0, cut)) + tail;
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (out.length === 0) {
      callback?.();
      return true;
    }
    return write.call(stream, out, ...rest.filter((r) => typeof r === "function"));
  };
  stream.write = filtered;
  return () => {
    if (stream.write === filtered) stream.write = write;
    if (held) write.call(stream, held);
    held = "";
  };
}

type Fs = typeof import("node:fs");

const O_APPEND_OCTAL = 0o2000; // Linux's O_APPEND, as /proc/self/fdinfo prints flags in octal

/** Where descriptor 2 can be reopened, or why it must be left alone. */
function reopenPath(fs: Fs): string | undefined {
  if (process.platform !== "linux" && process.platform !== "darwin") return undefined;
  try {
    for (const fd of [0, 1]) fs.fstatSync(fd); // throws when closed: open() would then not return 2
    const st = fs.fstatSync(2);
    if (st.isSocket()) return undefined;
    if (process.platform === "darwin") return "/dev/fd/2";
    if (st.isFile()) {
      const flags = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync("/proc/self/fdinfo/2", "utf8"));
      if (!flags || (parseInt(flags[1]!, 8) & O_APPEND_OCTAL) === 0) return undefined;
    }
    return "/proc/self/fd/2";
  } catch {
    return undefined;
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `request` (Dawn's create() and requestAdapter()) with native stderr captured, then writes the
 * capture back without Dawn's two limit warnings. Calls are serialised, and a call from a second
 * thread of the same process while one is in flight runs unfiltered (descriptor 2 is process-wide).
 */
export function filterDawnWarnings<T>(request: () => Promise<T>): Promise<T> {
  const run = queue.then(() => captured(request));
  queue = run.catch(() => undefined);
  return run;
}

async function captured<T>(request: () => Promise<T>): Promise<T> {
  const fs = (await import("node:fs")) as Fs;
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { threadId } = await import("node:worker_threads");
  const source = reopenPath(fs);
  if (!source) return request();
  const C = fs.constants;
  const fdPath = (fd: number): string => (process.platform === "darwin" ? `/dev/fd/${fd}` : `/proc/self/fd/${fd}`);
  const flags = C.O_WRONLY | C.O_APPEND | C.O_NOCTTY;
  // One capture per process at a time: the lock is a file created exclusively (atomic across threads).
  const lock = join(tmpdir(), `scm-ts-dawn-stderr-${process.pid}.lock`);
  const capture = join(tmpdir(), `scm-ts-dawn-stderr-${process.pid}-${threadId}.txt`);
  let lockFd: number;
  let original: number;
  try {
    lockFd = fs.openSync(lock, "wx");
  } catch {
    return request();
  }
  const unlock = (): void => {
    fs.rmSync(capture, { force: true });
    fs.closeSync(lockFd);
    fs.rmSync(lock, { force: true });
  };
  try {
    original = fs.openSync(source, flags);
  } catch {
    unlock();
    return request();
  }
  fs.closeSync(2);
  const at = fs.openSync(capture, C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_APPEND, 0o600);
  if (at !== 2) {
    // Another thread opened a file in the instant descriptor 2 was free and now owns it: leave it.
    fs.closeSync(at);
    fs.closeSync(original);
    unlock();
    return request();
  }
  try {
    return await request();
  } finally {
    fs.closeSync(2);
    const back = fs.openSync(fdPath(original), flags);
    if (back !== 2) fs.closeSync(back);
    fs.closeSync(original);
    try {
      const kept = withoutDawnWarnings(fs.readFileSync(capture, "utf8"));
      if (kept.length > 0) fs.writeSync(2, kept);
    } finally {
      unlock();
    }
  }
}
