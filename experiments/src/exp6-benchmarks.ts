// Experiment 6 (issue 9 item 6): the engine benchmarks of the repository — the core, models and
// consistency CPU benchmarks, the WebGPU benchmark on whatever adapter the machine has, and the
// side-by-side peer benchmark (jax-js and TF.js) — run as their own npm scripts from the repository
// root and recorded verbatim; each names its CPU or GPU adapter, and the table repeats those lines. A
// benchmark that fails (non-zero exit, a signal, a timeout, no output) is recorded with its exit
// status and the tail of its stderr, and the experiment goes on to the next one.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExperimentBody, RunOptions } from "./run-context.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** One benchmark script: the npm arguments from the repository root and extra environment. */
export interface Benchmark {
  readonly title: string;
  readonly npmArgs: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The benchmarks recorded. The WebGPU one needs EGL_PLATFORM=surfaceless in the real environment
 * of the process for Dawn's OpenGL ES backend on Mesa (llvmpipe) when there is no display (the
 * README's WebGPU section); a value already set is kept.
 */
export const benchmarks: readonly Benchmark[] = [
  { title: "npm run bench -w @scm-ts/core", npmArgs: ["run", "--silent", "bench", "-w", "@scm-ts/core"] },
  { title: "npm run bench -w @scm-ts/models", npmArgs: ["run", "--silent", "bench", "-w", "@scm-ts/models"] },
  { title: "npm run bench -w @scm-ts/consistency", npmArgs: ["run", "--silent", "bench", "-w", "@scm-ts/consistency"] },
  { title: "npm run bench -w @scm-ts/webgpu", npmArgs: ["run", "--silent", "bench", "-w", "@scm-ts/webgpu"], env: { EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless" } },
  { title: "npm run bench:peers", npmArgs: ["run", "--silent", "bench:peers"] },
];

/** What one benchmark run gave. */
export interface BenchmarkRun {
  /** Exit status, or null when it ended by a signal or could not start. */
  readonly status: number | null;
  /** The signal or start error, if any (e.g. "SIGTERM (timed out after 3600 s)"). */
  readonly failure?: string;
  readonly seconds: number;
  /** The output as recorded: stdout, and on failure the stderr tail. */
  readonly text: string;
  /** The lines of the output that name the CPU or GPU adapter. */
  readonly device: string;
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The output lines that name the machine: "- adapter: …", "- machine: …", "- host: …", or "- <CPU> × <n>, …". */
export function deviceLines(text: string): string {
  const named = text.split("\n").filter((l) => /^- (adapter|machine|host):/.test(l.trim()) || /^- [^:|]+ × \d+/.test(l.trim()));
  return named.map((l) => l.trim().replace(/^- /, "")).join("; ") || "(not named in the output)";
}

/** Runs one benchmark to completion or `timeoutSeconds`; never throws. */
export function runBenchmark(b: Benchmark, extraEnv: Record<string, string>, timeoutSeconds: number): BenchmarkRun {
  const t0 = performance.now();
  const r = spawnSync("npm", [...b.npmArgs], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...extraEnv, ...b.env }, maxBuffer: 1 << 26, timeout: timeoutSeconds * 1000, killSignal: "SIGTERM" });
  const seconds = (performance.now() - t0) / 1000;
  const stdout = (r.stdout ?? "").trim();
  const failure = r.error ? `${r.error.message}${r.signal ? ` (${r.signal})` : ""}` : r.signal ? `killed by ${r.signal}` : undefined;
  const failed = r.status !== 0 || failure !== undefined || stdout === "";
  const text = failed ? [stdout || "(no output on stdout)", `--- exit status ${r.status ?? "none"}${failure ? `; ${failure}` : ""}; last 40 lines of stderr:`, tail(r.stderr ?? "", 40) || "(empty)"].join("\n") : stdout;
  return { status: r.status, ...(failure ? { failure } : {}), seconds, text, device: deviceLines(stdout) };
}

/** Experiment 6 as a result body (quick: BENCH_N = 3 rounds, one warm-up call where a script takes BENCH_WARMUP). */
export async function experiment6(o: RunOptions): Promise<ExperimentBody> {
  const extraEnv: Record<string, string> = o.quick ? { BENCH_N: "3", BENCH_WARMUP: "1" } : {};
  const timeoutSeconds = o.quick ? 1200 : 3600;
  const verbatim: { title: string; text: string }[] = [];
  const rows: (string | number | null)[][] = [];
  for (const b of benchmarks) {
    const r = runBenchmark(b, extraEnv, timeoutSeconds);
    verbatim.push({ title: b.title, text: r.text });
    rows.push([b.title, r.status, r.failure ?? null, r.seconds, r.device]);
    o.log(`${b.title}: exit ${r.status}${r.failure ? ` (${r.failure})` : ""}, ${r.seconds.toFixed(0)} s — ${r.device}`);
  }
  return {
    title: "Experiment 6 — engine benchmarks",
    seeds: {},
    settings: { BENCH_N: o.quick ? 3 : "the scripts' defaults", ...(o.quick ? { BENCH_WARMUP: 1 } : {}), timeoutSeconds, EGL_PLATFORM: process.env.EGL_PLATFORM ?? "surfaceless (set for the WebGPU benchmark only)" },
    tables: [{ title: "Benchmark runs", columns: ["benchmark", "exit status", "failure", "wall s", "CPU / adapter (as the benchmark prints it)"], rows }],
    claims: [],
    notes: [
      "The tables below are the benchmarks' own output, unedited; each states its CPU or GPU adapter, repeated in the last column above.",
      "A WebGPU adapter named llvmpipe (Mesa's software rasteriser) or SwiftShader runs the WebGPU kernels on the CPU: those figures show the backend works and what jit fusion saves in dispatches, not GPU speed.",
      "A benchmark that failed is shown with its exit status and the tail of its stderr instead of its tables.",
    ],
    verbatim,
  };
}
