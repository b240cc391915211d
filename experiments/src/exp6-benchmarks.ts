// Experiment 6 (issue 9 item 6): the engine benchmarks of the repository, run as their own npm scripts
// from the repository root and recorded verbatim (each names its CPU). The WebGPU and peer benchmarks
// are being built separately and are not run here.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExperimentBody, RunOptions } from "./run-context.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The benchmark scripts recorded. */
export const benchmarks = ["@scm-ts/core", "@scm-ts/models", "@scm-ts/consistency"] as const;

/** Experiment 6 as a result body (quick sets BENCH_N = 3 rounds). */
export async function experiment6(o: RunOptions): Promise<ExperimentBody> {
  const verbatim: { title: string; text: string }[] = [];
  const rows: (string | number)[][] = [];
  for (const ws of benchmarks) {
    const t0 = performance.now();
    const r = spawnSync("npm", ["run", "--silent", "bench", "-w", ws], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...(o.quick ? { BENCH_N: "3" } : {}) }, maxBuffer: 1 << 24 });
    const seconds = (performance.now() - t0) / 1000;
    const text = (r.stdout ?? "").trim() || `(no output; exit ${r.status}) ${r.stderr ?? ""}`;
    verbatim.push({ title: `npm run bench -w ${ws}`, text });
    rows.push([ws, r.status ?? -1, seconds]);
    o.log(`${ws}: exit ${r.status}, ${seconds.toFixed(0)} s`);
  }
  return {
    title: "Experiment 6 — engine benchmarks",
    seeds: {},
    settings: { BENCH_N: o.quick ? 3 : "the scripts' defaults" },
    tables: [{ title: "Benchmark runs", columns: ["workspace", "exit status", "wall s"], rows }],
    claims: [],
    notes: [
      "The tables below are the benchmarks' own output, unedited; each states its CPU and backend.",
      "WebGPU (`npm run bench -w @scm-ts/webgpu`) and peer-library benchmarks (`npm run bench:peers`) are being built separately; their tables will be added to this section when they land.",
    ],
    verbatim,
  };
}
