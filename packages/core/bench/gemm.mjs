// Benchmark of the CPU backend's WebAssembly SIMD routines alone (no engine around them): float32
// matmul and the three convolution maps, on one thread and on all threads (SCM_THREADS), as GFLOP/s
// of wall time and of process CPU time. CPU time is what a call costs while it runs, so on a shared,
// loaded machine it shows the kernel's efficiency when wall time cannot; with several threads it is
// summed over them. With several threads, "caller" is the share of the work units the calling thread
// computed (1/threads when the split is even) and "wait" the calling thread's mean wait per call for
// the workers after its last chunk. Compare with the pure-JS reference routines ('cpu-js').
//
// Run after a build: `npx tsc -b packages/core && node packages/core/bench/gemm.mjs`.
// Env: BENCH_N (timed calls per case, default 15). The script runs itself once per thread count in a
// child process (the thread pool is sized once per process).
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { runRoutine } from "../dist/cpu/routines.js";
import { gemmThreadStats, wantedThreads } from "../dist/cpu/gemm-threads.js";
import { wasmGemm } from "../dist/cpu/wasm-gemm.js";

const N = Math.max(1, Number(process.env.BENCH_N ?? 15) | 0);
const conv = { dtype: "float32", n: 16, cin: 64, h: 32, w: 32, cout: 64, kh: 3, kw: 3, oh: 32, ow: 32, stride: [1, 1], padding: [1, 1], groups: 1 };
const mm = (m, k, n, ta = false, tb = false) => ({ name: "matmul", dtype: "float32", batch: 1, m, k, n, transposeA: ta, transposeB: tb });
const CASES = [
  ["matmul 512³", mm(512, 512, 512), [512 * 512, 512 * 512], 512 * 512, 2 * 512 ** 3],
  ["matmul 1024³", mm(1024, 1024, 1024), [1024 * 1024, 1024 * 1024], 1024 * 1024, 2 * 1024 ** 3],
  ["MLP layer 256×512·512×512", mm(256, 512, 512), [256 * 512, 512 * 512], 256 * 512, 2 * 256 * 512 * 512],
  ["  same, Aᵀ (dW = hᵀ·dy)", mm(512, 256, 512, true, false), [256 * 512, 256 * 512], 512 * 512, 2 * 256 * 512 * 512],
  ["  same, Bᵀ (dh = dy·Wᵀ)", mm(256, 512, 512, false, true), [256 * 512, 512 * 512], 256 * 512, 2 * 256 * 512 * 512],
  ["conv2d 16×64×32², 3×3 → 64", { ...conv, name: "conv2d" }, [16 * 64 * 1024, 64 * 64 * 9], 16 * 64 * 1024, 2 * 16 * 64 * 1024 * 64 * 9],
  ["conv2d input grad", { ...conv, name: "conv2dInputGrad" }, [16 * 64 * 1024, 64 * 64 * 9], 16 * 64 * 1024, 2 * 16 * 64 * 1024 * 64 * 9],
  ["conv2d weight grad", { ...conv, name: "conv2dWeightGrad" }, [16 * 64 * 1024, 16 * 64 * 1024], 64 * 64 * 9, 2 * 16 * 64 * 1024 * 64 * 9],
];

function child() {
  const rows = [];
  for (const [name, spec, inSizes, outSize, flop] of CASES) {
    const inputs = inSizes.map((n, j) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + j)));
    const out = new Float32Array(outSize);
    for (let i = 0; i < 2; i++) runRoutine(spec, out, inputs, { simd: true });
    let wall = Infinity, cpu = Infinity;
    const s0 = gemmThreadStats();
    for (let i = 0; i < N; i++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      runRoutine(spec, out, inputs, { simd: true });
      const t = performance.now() - t0, c = process.cpuUsage(c0);
      wall = Math.min(wall, t);
      cpu = Math.min(cpu, (c.user + c.system) / 1000);
    }
    const s1 = gemmThreadStats(), calls = s1.parallelCalls - s0.parallelCalls;
    const caller = calls ? (s1.callerUnits - s0.callerUnits) / (s1.units - s0.units) : 1;
    rows.push({ name, wall, cpu, flop, caller, waitUs: calls ? ((s1.waitMs - s0.waitMs) / calls) * 1000 : 0 });
  }
  process.stdout.write(JSON.stringify({ threads: wantedThreads(), workers: gemmThreadStats().workers, fma: wasmGemm()?.fma ?? false, rows }));
}

function parent() {
  const self = fileURLToPath(import.meta.url);
  const runs = [1, os.availableParallelism()].filter((t, i, a) => a.indexOf(t) === i).map((t) => JSON.parse(execFileSync(process.execPath, [self, "--child"], { env: { ...process.env, SCM_THREADS: String(t) }, encoding: "utf8" })));
  const gf = (flop, ms) => (flop / ms / 1e6).toFixed(1);
  console.log("## WebAssembly SIMD routines of the CPU backend\n");
  console.log(`- ${os.cpus()[0]?.model ?? "cpu"} × ${os.availableParallelism()} (nproc), node ${process.version}, relaxed-SIMD FMA: ${runs[0].fma}; load average ${os.loadavg().map((v) => v.toFixed(2)).join(", ")}`);
  console.log(`- best of ${N} calls; GFLOP/s of wall time, and of process CPU time (summed over threads)\n`);
  const multi = (r) => r.threads > 1;
  console.log(`| routine | ${runs.map((r) => `${r.threads} thread(s): ms | GFLOP/s wall | GFLOP/s CPU${multi(r) ? " | caller | wait µs" : ""}`).join(" | ")} |`);
  console.log(`|---|${runs.map((r) => (multi(r) ? "---:|---:|---:|---:|---:" : "---:|---:|---:")).join("|")}|`);
  CASES.forEach(([name], i) => {
    const cells = (r) => {
      const x = r.rows[i];
      const base = `${x.wall.toFixed(2)} | ${gf(x.flop, x.wall)} | ${gf(x.flop, x.cpu)}`;
      return multi(r) ? `${base} | ${x.caller.toFixed(2)} | ${x.waitUs.toFixed(0)}` : base;
    };
    console.log(`| ${name} | ${runs.map(cells).join(" | ")} |`);
  });
}

if (process.argv.includes("--child")) child();
else parent();
