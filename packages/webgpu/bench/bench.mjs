// Benchmark of the WebGPU backend on whatever adapter there is: float32 matmul GFLOP/s, the
// forward+JVP / forward time ratio of the MLP (batch 256, width 512) and the conv net of the core
// benchmark (eager and jitted), and a chain of ten elementwise ops eager (ten dispatches) against
// jitted (one fused dispatch).
//
// Run with `npm run bench -w @scm-ts/webgpu` (tsc -b, then this script; the runtime filters Dawn's
// two adapter warnings). Timing: each case is warmed up, then timed in interleaved rounds; a timed
// call records its kernels, submits them and waits for the queue to drain (backend.sync()), with
// no readback; ratios are medians of per-round ratios, so machine noise largely cancels.
// Env: BENCH_N (rounds, default 5), BENCH_MATMUL (sizes, default "256,512,1024", plus 2048 and
// 4096 on a real GPU). This is a report: it never exits non-zero because a target is missed.
import os from "node:os";
import * as core from "@scm-ts/core";
import "../dist/index.js";

const { random, matmul, tanh, silu, conv2d, jvp, jit, tidy, keep, treeFlatten } = core;
const N = Math.max(1, Number(process.env.BENCH_N ?? 5) | 0);
const TARGETS = { jvpRatio: 2.05, fusionSpeedup: 4 };

const gpu = await core.setBackend("webgpu");
const software = /llvmpipe|swiftshader|lavapipe/i.test(gpu.context.description);
const sizes = (process.env.BENCH_MATMUL ?? (software ? "256,512,1024" : "256,512,1024,2048,4096")).split(",").map(Number);

/** Runs fn, submits its work and waits for the GPU; returns ms. Outputs are released. */
async function timeOnce(fn) {
  const t0 = performance.now();
  const out = tidy(fn);
  await gpu.sync();
  const t = performance.now() - t0;
  for (const l of treeFlatten(out)[0]) if (l instanceof core.Tensor) l.dispose();
  return t;
}

/** Warm-up (first call reported: jit traces and every kernel compiles), then N interleaved rounds. */
async function measure(cases) {
  const res = new Map();
  for (const c of cases) {
    const first = await timeOnce(c.fn);
    await timeOnce(c.fn);
    res.set(c.id, { first, times: [] });
  }
  for (let r = 0; r < N; r++) for (const c of cases) res.get(c.id).times.push(await timeOnce(c.fn));
  for (const v of res.values()) v.best = Math.min(...v.times);
  return res;
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const ratio = (res, a, b) => median(res.get(a).times.map((t, i) => t / res.get(b).times[i]));
const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x2 = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "—");

const keys = random.split(random.key(20240611), 16);
const normal = (i, shape, scale = 1) => keep(tidy(() => core.mul(random.normal(keys[i], shape), scale)));
const summary = [];
const target = (label, v, t, le = true) => summary.push(`${label}: ${x2(v)} (target ${le ? "≤" : "≥"} ${t}×) ${(le ? v <= t : v >= t) ? "ok" : "MISS"}`);

console.log("## @scm-ts/webgpu benchmark\n");
console.log(`- adapter: ${gpu.context.description}`);
console.log(`- host: ${os.cpus()[0]?.model ?? "unknown"} × ${os.cpus().length}, node ${process.version}`);
console.log(`- timing: best (and per-round median ratios) of ${N} interleaved rounds after 2 warm-up calls; each call ends with queue.onSubmittedWorkDone`);
const tStart = performance.now();

// 1. matmul GFLOP/s
{
  console.log("\n### float32 matmul\n\n| m = k = n | best ms | GFLOP/s | first call ms |\n|---:|---:|---:|---:|");
  for (const n of sizes) {
    const a = normal(0, [n, n]), b = normal(1, [n, n]);
    const res = await measure([{ id: "mm", fn: () => matmul(a, b) }]);
    const r = res.get("mm");
    const gflops = (2 * n ** 3) / (r.best * 1e6);
    console.log(`| ${n} | ${ms(r.best)} | ${gflops.toFixed(1)} | ${ms(r.first)} |`);
    summary.push(`matmul ${n}³: ${gflops.toFixed(1)} GFLOP/s`);
    a.dispose();
    b.dispose();
  }
}

/** Times f and jvp(f), eager and jitted, and prints the forward+JVP / forward ratios. */
async function jvpWorkload(title, f, x, dx) {
  const fJvp = (x, dx) => jvp(f, [x], [dx]);
  const jf = jit(f), jJvp = jit(fJvp);
  const res = await measure([
    { id: "f/eager", fn: () => f(x) },
    { id: "jvp/eager", fn: () => fJvp(x, dx) },
    { id: "f/jit", fn: () => jf(x) },
    { id: "jvp/jit", fn: () => jJvp(x, dx) },
  ]);
  const kernels = (jfn, ...args) => tidy(() => jfn.lower(...args).plan.steps.length);
  console.log(`\n### ${title}\n\n| function | eager best ms | jit best ms | jit kernels | jit first call ms |\n|---|---:|---:|---:|---:|`);
  console.log(`| f(x) | ${ms(res.get("f/eager").best)} | ${ms(res.get("f/jit").best)} | ${kernels(jf, x)} | ${ms(res.get("f/jit").first)} |`);
  console.log(`| jvp(f)(x; dx) | ${ms(res.get("jvp/eager").best)} | ${ms(res.get("jvp/jit").best)} | ${kernels(jJvp, x, dx)} | ${ms(res.get("jvp/jit").first)} |`);
  const eager = ratio(res, "jvp/eager", "f/eager"), jitted = ratio(res, "jvp/jit", "f/jit");
  console.log(`\nforward+JVP / forward: eager ${x2(eager)}, jit ${x2(jitted)}`);
  return { eager, jitted };
}

// 2. MLP: f(x) = tanh(tanh(x·W1)·W2)·W3, batch 256, width 512
{
  const B = 256, D = 512;
  const W = [0, 1, 2].map((i) => normal(2 + i, [D, D], 1 / Math.sqrt(D)));
  const f = (x) => matmul(tanh(matmul(tanh(matmul(x, W[0])), W[1])), W[2]);
  const r = await jvpWorkload(`MLP: tanh(tanh(x·W1)·W2)·W3, x [${B},${D}], W [${D},${D}]`, f, normal(5, [B, D]), normal(6, [B, D]));
  target("fwd+JVP / fwd, MLP, jit", r.jitted, TARGETS.jvpRatio);
  target("fwd+JVP / fwd, MLP, eager", r.eager, TARGETS.jvpRatio);
}

// 3. Conv net: conv3×3 p1 16→32, silu, conv3×3 p1 32→32, silu, conv3×3 s2 p1 32→16
{
  const xs = [16, 16, 32, 32];
  const w1 = normal(7, [32, 16, 3, 3], 1 / 12), w2 = normal(8, [32, 32, 3, 3], 1 / 17), w3 = normal(9, [16, 32, 3, 3], 1 / 17);
  const f = (x) => conv2d(silu(conv2d(silu(conv2d(x, w1, { padding: 1 })), w2, { padding: 1 })), w3, { stride: 2, padding: 1 });
  const r = await jvpWorkload(`Conv net: x [${xs}] → conv3×3 16→32, silu → conv3×3 32→32, silu → conv3×3 s2 32→16`, f, normal(10, xs), normal(11, xs));
  target("fwd+JVP / fwd, conv net, jit", r.jitted, TARGETS.jvpRatio);
  target("fwd+JVP / fwd, conv net, eager", r.eager, TARGETS.jvpRatio);
}

// 4. Fusion: ten elementwise primitives on 1M elements (the same chain as the core benchmark), eager vs jit
{
  const n = 1 << 20;
  const x = normal(12, [n]);
  // Eager gets its constants as full tensors, so it runs exactly ten kernels (a scalar would add a
  // broadcast kernel each); jit gets numbers, which become literals of its one fused kernel.
  const values = [1.0001, 0.5, 0, 1, 0.25];
  const full = values.map((v) => keep(core.full([n], v)));
  const chainOf = ([a, b, z, one, q]) => (x) => {
    let y = core.mul(x, a);
    y = core.maximum(core.add(y, b), z);
    y = core.sqrt(core.add(core.mul(y, y), one));
    y = core.exp(core.sub(q, y));
    return core.add(tanh(y), one);
  };
  const chain = chainOf(full);
  const jchain = jit(chainOf(values));
  const dispatches = async (fn) => {
    const d = gpu.stats.dispatches;
    await timeOnce(fn);
    return gpu.stats.dispatches - d;
  };
  await timeOnce(() => jchain(x));
  const eagerDispatches = await dispatches(() => chain(x));
  const jitDispatches = await dispatches(() => jchain(x));
  const res = await measure([
    { id: "eager", fn: () => chain(x) },
    { id: "jit", fn: () => jchain(x) },
  ]);
  const speedup = ratio(res, "eager", "jit");
  console.log(`\n### Fusion: 10 elementwise ops on x [${n}] float32\n\n| variant | dispatches | best ms | median ms |\n|---|---:|---:|---:|`);
  for (const [id, d] of [["eager", eagerDispatches], ["jit", jitDispatches]]) console.log(`| ${id} | ${d} | ${ms(res.get(id).best)} | ${ms(median(res.get(id).times))} |`);
  summary.push(`10-op chain: eager ${eagerDispatches} dispatches, jit ${jitDispatches} (target 1) ${jitDispatches === 1 ? "ok" : "MISS"}`);
  target("10-op chain, eager / jit time", speedup, TARGETS.fusionSpeedup, false);
}

console.log("\n### Summary\n");
for (const l of summary) console.log(`- ${l}`);
console.log(`\ntotal bench time: ${((performance.now() - tStart) / 1000).toFixed(1)} s`);
gpu.context.device.destroy();
