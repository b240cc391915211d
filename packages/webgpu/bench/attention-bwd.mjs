// Benchmark of attention's reverse mode on WebGPU: the jitted gradient of Σ tanh(attention(q, k, v))
// with respect to q, k and v through the two FlashAttention-style routines (attentionBwdQ,
// attentionBwdKV) against the composed path (the transpose as matmuls and softmax kernels, which
// stores the N×M probabilities and their cotangent), on the same device: the composed path runs on a
// second backend instance told it has no optional routines. Prints a table of best times, the
// per-round median ratio, and each plan's largest buffer.
//
// Run with `npm run bench:attention -w @scm-ts/webgpu`. Env: BENCH_N (rounds, default 5),
// BENCH_ATTN ("heads×n×m×d,…"; default sizes for a software adapter or a GPU). A report, never a test.
import os from "node:os";
import * as core from "@scm-ts/core";
import { createWebGpuBackend } from "../dist/index.js";

const { random, jit, grad, tidy, keep, treeFlatten } = core;
const N = Math.max(1, Number(process.env.BENCH_N ?? 5) | 0);

const routines = await core.setBackend("webgpu");
const composed = createWebGpuBackend(routines.context, { name: "webgpu-composed", optionalRoutines: [] });
core.registerBackend("webgpu-composed", async () => composed);
const software = routines.context.limits.cpuAdapter === true;
const defaults = software ? "4×128×128×32,2×257×255×64,1×512×512×64" : "16×512×512×64,8×1024×1024×64,4×2048×2048×64";
const shapes = (process.env.BENCH_ATTN ?? defaults).split(",").map((s) => s.split(/[×x]/).map(Number));

const f = jit((q, k, v) => grad((a, b, c) => core.sum(core.tanh(core.attention(a, b, c))), { argnums: [0, 1, 2] })(q, k, v));

/** Runs the gradient on backend `name`, waits for its queue; returns ms. */
async function timeOnce(name, args) {
  await core.setBackend(name);
  const gpu = core.getBackend();
  const t0 = performance.now();
  const out = tidy(() => f(...args));
  await gpu.sync();
  const t = performance.now() - t0;
  for (const l of treeFlatten(out)[0]) if (l instanceof core.Tensor) l.dispose();
  return t;
}

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
const mib = (floats) => `${((floats * 4) / 2 ** 20).toFixed(1)} MiB`;

console.log("## Attention reverse mode on WebGPU: routines vs composed\n");
console.log(`- adapter: ${routines.context.description}`);
console.log(`- host: ${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, node ${process.version}`);
console.log(`- timing: jitted ∇_{q,k,v} Σ tanh(attention(q, k, v)) (forward + reverse), best of ${N} interleaved rounds after 2 warm-up calls; ratio = median over rounds of composed / routines`);
console.log("\n| heads × N × M × D | composed ms | routines ms | composed / routines | largest buffer, composed | largest buffer, routines |\n|---|---:|---:|---:|---:|---:|");
for (const [h, n, m, d] of shapes) {
  await core.setBackend("webgpu");
  const keys = random.split(random.key(7), 3);
  const host = [[h, n, d], [h, m, d], [h, m, d]].map((s, i) => keep(tidy(() => random.normal(keys[i], s))));
  const args = {};
  const largest = {};
  for (const name of ["webgpu-composed", "webgpu"]) {
    await core.setBackend(name);
    args[name] = await Promise.all(host.map(async (t) => keep(core.array(await t.data(), t.shape))));
    largest[name] = Math.max(...f.lower(...args[name]).plan.slots.map((s) => s.shape.reduce((a, b) => a * b, 1)));
    await timeOnce(name, args[name]);
    await timeOnce(name, args[name]);
  }
  const times = { "webgpu-composed": [], webgpu: [] };
  for (let r = 0; r < N; r++) for (const name of ["webgpu-composed", "webgpu"]) times[name].push(await timeOnce(name, args[name]));
  const ratio = median(times["webgpu-composed"].map((t, i) => t / times.webgpu[i]));
  const best = (name) => Math.min(...times[name]);
  console.log(`| ${h} × ${n} × ${m} × ${d} | ${ms(best("webgpu-composed"))} | ${ms(best("webgpu"))} | ${ratio.toFixed(2)}× | ${mib(largest["webgpu-composed"])} | ${mib(largest.webgpu)} |`);
  for (const name of ["webgpu-composed", "webgpu"]) {
    await core.setBackend(name);
    for (const t of args[name]) t.dispose();
  }
  await core.setBackend("webgpu");
  for (const t of host) t.dispose();
}
routines.context.device.destroy();
