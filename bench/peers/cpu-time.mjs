// Per-core efficiency check for a loaded machine: process CPU time (not wall time) per call of ours
// (run with SCM_THREADS=1) on matmul 512³ and the conv2d workload, with and without reading the
// output back, best of N. CPU time is what a call costs when it runs, whatever else the machine is
// doing. Usage: `SCM_THREADS=1 node bench/peers/cpu-time.mjs` after building @scm-ts/core.
import * as ours from "@scm-ts/core";
const best = (fn, n = 25) => {
  let b = 1e9;
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    b = Math.min(b, (c.user + c.system) / 1000);
  }
  return b;
};
const d = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
const A = ours.keep(ours.array(d(512 * 512), [512, 512]));
const X = ours.keep(ours.array(d(16 * 64 * 32 * 32), [16, 64, 32, 32])), Wc = ours.keep(ours.array(d(64 * 64 * 9), [64, 64, 3, 3]));
const mm = ours.jit((a) => ours.matmul(a, a)), cv = ours.jit((x, w) => ours.conv2d(x, w, { padding: 1 }));
const rows = {
  "matmul ours": [() => ours.tidy(() => void mm(A)), 2 * 512 ** 3],
  "matmul ours + read": [() => ours.tidy(() => mm(A).dataSync()), 2 * 512 ** 3],
  "conv ours": [() => ours.tidy(() => void cv(X, Wc)), 2 * 16 * 64 * 1024 * 64 * 9],
  "conv ours + read": [() => ours.tidy(() => cv(X, Wc).dataSync()), 2 * 16 * 64 * 1024 * 64 * 9],
};
for (const [k, [f, flop]] of Object.entries(rows)) {
  for (let i = 0; i < 3; i++) f();
  const ms = best(f);
  console.log(k.padEnd(20), ms.toFixed(2), "ms CPU", (flop / ms / 1e6).toFixed(1), "GFLOP/s per CPU-second");
}
process.exit(0);
