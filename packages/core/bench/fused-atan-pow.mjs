// Benchmark of one fused float32 elementwise kernel that contains ATAN and POW, on the default CPU
// backend ('cpu': WebAssembly SIMD where the kernel's ops have a SIMD form) and on the pure-JS
// reference ('cpu-js'), for a few sizes; plus the kernel counters, which say whether the kernel ran
// on the SIMD path or fell back to JavaScript.
//
// Run from a clean build: `cd packages/core && npx tsc -p tsconfig.json && node bench/fused-atan-pow.mjs`.
// Timing: each case is warmed up, then timed in interleaved rounds; the best round is reported
// (ns per element). Env: BENCH_N (rounds, default 7), SCM_THREADS (threads; 1 gives one-core figures).
// This is a report: it never exits non-zero.
import * as core from "../dist/index.js";

const { jit, array, atan, pow, mul, add, tanh, setBackend, tidy } = core;
const N = Math.max(1, Number(process.env.BENCH_N ?? 7) | 0);

// f(x, y) = atan(x)·pow(|y| + 0.5, x) + tanh(y): one map kernel under jit (x, y ∈ [−3, 3])
const f = jit((x, y) => add(mul(atan(x), pow(add(core.abs(y), 0.5), x)), tanh(y)));

function inputs(n) {
  const x = Float32Array.from({ length: n }, (_, i) => 3 * Math.sin(i * 0.731 + 1));
  const y = Float32Array.from({ length: n }, (_, i) => 3 * Math.sin(i * 0.377 + 2));
  return [array(x, [n]), array(y, [n])];
}

const has = (name) => core.cpuKernelStats !== undefined && name in core.cpuKernelStats();
const rows = [];
for (const n of [4096, 65536, 1 << 20]) {
  const row = { n };
  for (const backend of ["cpu", "cpu-js"]) {
    await setBackend(backend);
    const [x, y] = inputs(n);
    const before = has("wasmKernels") ? core.cpuKernelStats() : undefined;
    for (let w = 0; w < 3; w++) tidy(() => f(x, y).dataSync());
    let best = Infinity;
    for (let r = 0; r < N; r++) {
      const reps = Math.max(1, Math.round(2 ** 22 / n));
      const t0 = performance.now();
      for (let k = 0; k < reps; k++) tidy(() => f(x, y).dataSync());
      best = Math.min(best, ((performance.now() - t0) * 1e6) / reps / n);
    }
    row[backend] = best;
    if (backend === "cpu" && before) {
      const after = core.cpuKernelStats();
      row.path = after.wasmKernels > before.wasmKernels ? "wasm" : "js";
    }
    x.dispose();
    y.dispose();
  }
  rows.push(row);
}
console.log("fused atan·pow + tanh, float32, ns per element (best of", N, "rounds)");
console.log("n".padStart(9), "cpu".padStart(8), "cpu-js".padStart(8), "speed-up".padStart(9), "path".padStart(6));
for (const r of rows) console.log(String(r.n).padStart(9), r.cpu.toFixed(2).padStart(8), r["cpu-js"].toFixed(2).padStart(8), (r["cpu-js"] / r.cpu).toFixed(2).padStart(9), (r.path ?? "?").padStart(6));
if (core.cpuKernelStats) console.log("kernel stats:", JSON.stringify(core.cpuKernelStats()));
