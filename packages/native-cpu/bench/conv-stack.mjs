// Native (oneDNN) against WebAssembly on the CPU backend: a stack of 4 × (conv 3×3 with bias →
// group norm (8 groups, affine) → SiLU) at C → C channels, jitted, its forward and its forward +
// backward (gradient of the output's sum in every parameter), at the shapes of issue 20. Rounds
// interleave the shapes and the two paths (registered and unregistered in one process); the table
// gives medians over the rounds (BENCH_ROUNDS, default 9) and the native speed-up. BENCH_CPU_TIME=1
// times process CPU instead of wall time: with SCM_THREADS=1 that is a call's cost on one core
// whatever else the machine runs (on a loaded machine, wall times with threads measure the load).
// Run it from the package: npm run bench (it builds first).
import * as c from "@scm-ts/core";
import { loadNative } from "../dist/index.js";

const { native, reason } = loadNative();
if (!native) throw new Error(`conv-stack bench: the native path is missing: ${reason}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const shapes = [[32, 16, 14], [32, 32, 28], [16, 64, 16], [64, 128, 16]];
const layers = 4;
const cpuTime = process.env.BENCH_CPU_TIME === "1";
const now = () => (cpuTime ? ((u) => (u.user + u.system) / 1000)(process.cpuUsage()) : performance.now());

/** The stack's parameters for C channels: per layer conv weights and bias, γ and β. */
function params(ch, seed) {
  const keys = c.random.split(c.random.key(seed), layers);
  return Array.from({ length: layers }, (_, i) => ({
    w: c.mul(c.random.normal(keys[i], [ch, ch, 3, 3]), Math.sqrt(1 / (9 * ch))),
    b: c.zeros([ch]), scale: c.ones([ch]), bias: c.zeros([ch]),
  }));
}

function stack(ps, x) {
  const [n, ch, h, w] = x.shape, g = Math.min(8, ch);
  for (const p of ps) {
    x = c.add(c.conv2d(x, p.w, { padding: 1 }), c.reshape(p.b, [1, ch, 1, 1]));
    x = c.reshape(c.standardize(c.reshape(x, [n, g, -1]), 1e-5), [n, ch, h, w]);
    x = c.silu(c.add(c.mul(x, c.reshape(p.scale, [1, ch, 1, 1])), c.reshape(p.bias, [1, ch, 1, 1])));
  }
  return x;
}

const fwd = c.jit((ps, x) => stack(ps, x));
const fwdBwd = c.jit(c.grad((ps, x) => c.sum(stack(ps, x))));

/** Milliseconds (wall or CPU) of one call of `f`, its outputs read back (the backend is synchronous). */
function time(f, ps, x) {
  const t0 = now();
  const out = f(ps, x);
  const leaves = c.treeLeaves(out);
  for (const leaf of leaves) leaf.dataSync();
  const ms = now() - t0;
  for (const leaf of leaves) leaf.dispose();
  return ms;
}

const cases = shapes.map(([n, ch, h]) => ({ n, ch, h, ps: params(ch, ch), x: c.random.normal(c.random.key(h), [n, ch, h, h]) }));
const ms = new Map();
const record = (key, v) => ms.set(key, [...(ms.get(key) ?? []), v]);
for (let r = -1; r < rounds; r++) {
  for (const k of cases) {
    for (const path of ["wasm", "native"]) {
      c.registerNativeCpu(path === "native" ? native : null);
      const f = time(fwd, k.ps, k.x), fb = time(fwdBwd, k.ps, k.x);
      if (r >= 0) record(`${k.n},${k.ch},${k.h} ${path} fwd`, f), record(`${k.n},${k.ch},${k.h} ${path} fwdbwd`, fb);
    }
  }
}
c.registerNativeCpu(null);
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const m = (shape, path, what) => median(ms.get(`${shape} ${path} ${what}`));
console.log(`${layers} × (conv3×3 → group norm → SiLU), ${native.name} vs WebAssembly, ${c.cpuThreadStats().threads} threads, median of ${rounds} interleaved rounds (${cpuTime ? "CPU" : "wall"} ms)`);
console.log("| shape (B, C, H) | wasm fwd | native fwd | wasm fwd+bwd | native fwd+bwd | native speed-up fwd / fwd+bwd |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const { n, ch, h } of cases) {
  const s = `${n},${ch},${h}`;
  const [wf, nf, wb, nb] = [m(s, "wasm", "fwd"), m(s, "native", "fwd"), m(s, "wasm", "fwdbwd"), m(s, "native", "fwdbwd")];
  console.log(`| ${n}, ${ch}, ${h} | ${wf.toFixed(2)} | ${nf.toFixed(2)} | ${wb.toFixed(1)} | ${nb.toFixed(1)} | ${(wf / nf).toFixed(2)}× / ${(wb / nb).toFixed(2)}× |`);
}
