// Benchmark of @scm-ts/core on the active (CPU) backend: the cost of forward-mode (jvp) and
// reverse-mode (grad) derivatives relative to the plain forward pass, eager and under jit, for a
// 3-layer MLP and a small conv net, plus a fusion check of a long elementwise chain under jit.
//
// Run from a clean build with `npm run bench -w @scm-ts/core` (tsc -b, then this script).
// Timing: every case is warmed up, then the cases of one workload are timed in interleaved rounds
// (round r times every case once) so that the ratios compare runs made at the same moment on a
// noisy machine; the best of N rounds is reported. Every timed call reads all of its outputs
// (dataSync) so no work is deferred, and runs inside `tidy` so intermediates are released.
// Env: BENCH_N (rounds, default 7), BENCH_WARMUP (warm-up calls, default 2).
// This is a report: it never exits non-zero because a target is missed.
import os from "node:os";
import * as core from "../dist/index.js";

const { random, matmul, tanh, silu, conv2d, jvp, jit, grad, tidy, keep, treeFlatten } = core;

const N = Math.max(1, Number(process.env.BENCH_N ?? 7) | 0);
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 2) | 0);

/** Targets checked in the summary (ratios: median over rounds of the per-round ratio to f). */
const TARGETS = {
  jvpRatio: 2.1, // jvp(f) / f, every workload and mode
  fusedKernels: 1, // kernels in the jitted 10-op elementwise chain
};

// ---------------------------------------------------------------------------------------------
// helpers

/** Reads every tensor leaf of a pytree (forces the work). */
function readAll(out) {
  const [leaves] = treeFlatten(out);
  let n = 0;
  for (const l of leaves) if (l instanceof core.Tensor) n += l.dataSync().length;
  return n;
}

/** Max |a − b| over all leaves of two pytrees, relative to max |a| (a sanity check of jit vs eager). */
function relDiff(a, b) {
  const [la] = treeFlatten(a), [lb] = treeFlatten(b);
  if (la.length !== lb.length) return NaN;
  let d = 0, m = 0;
  la.forEach((t, k) => {
    const u = t.dataSync(), v = lb[k].dataSync();
    if (u.length !== v.length) d = NaN;
    for (let i = 0; i < u.length; i++) {
      d = Math.max(d, Math.abs(u[i] - v[i]));
      m = Math.max(m, Math.abs(u[i]));
    }
  });
  return d / (m || 1);
}

/** One timed call: run, read all outputs, release everything made inside. */
function timeOnce(fn) {
  const t0 = performance.now();
  tidy(() => {
    readAll(fn());
  });
  return performance.now() - t0;
}

/**
 * Times the cases of one workload: warm-up (the first call is reported separately: for jit it
 * includes tracing, lowering and kernel compilation), then N interleaved rounds.
 */
function measure(cases) {
  const res = new Map();
  for (const c of cases) {
    const first = timeOnce(c.fn);
    for (let i = 1; i < WARMUP; i++) timeOnce(c.fn);
    res.set(c.id, { first, times: [] });
  }
  for (let r = 0; r < N; r++) {
    for (const c of cases) res.get(c.id).times.push(timeOnce(c.fn));
  }
  for (const v of res.values()) {
    const s = [...v.times].sort((a, b) => a - b);
    v.best = s[0];
    v.median = s[Math.floor(s.length / 2)];
  }
  return res;
}

const ms = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x2 = (v) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(2) + "×");

/** Number of kernels in the plan of a jitted function for the given arguments. */
function kernels(jf, ...args) {
  return tidy(() => jf.lower(...args).plan.steps.length);
}

function table(title, rows) {
  console.log(`\n### ${title}\n`);
  console.log("| function | eager best ms | eager median ms | eager ratio to f (median per round; of bests) | jit best ms | jit median ms | jit ratio to f (median per round; of bests) | jit speed-up | jit first call ms | jit kernels | max rel. \\|eager − jit\\| |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${ms(r.eager.best)} | ${ms(r.eager.median)} | ${x2(r.eagerRatio)}; ${x2(r.bestRatio[0])} | ${ms(r.jit.best)} | ${ms(r.jit.median)} | ${x2(r.jitRatio)}; ${x2(r.bestRatio[1])} | ${x2(r.eager.best / r.jit.best)} | ${ms(r.jit.first)} | ${r.kernels} | ${r.diff.toExponential(1)} |`,
    );
  }
}

/** Runs eager/jit pairs for f and derived functions, returns table rows (ratios to row 0 = f). */
function workload(title, specs) {
  const cases = [];
  for (const s of specs) {
    cases.push({ id: `${s.name}/eager`, fn: s.eager });
    cases.push({ id: `${s.name}/jit`, fn: s.jit });
  }
  const res = measure(cases);
  const f = specs[0];
  const fe = res.get(`${f.name}/eager`).best;
  const fj = res.get(`${f.name}/jit`).best;
  const rows = specs.map((s) => {
    const eager = res.get(`${s.name}/eager`);
    const jitR = res.get(`${s.name}/jit`);
    // The ratio to f is the median over rounds of (time of this case) / (time of f in the same
    // round): both were measured moments apart, so machine noise largely cancels.
    const perRound = (mine, ref) => {
      const r = mine.times.map((t, i) => t / ref.times[i]).sort((a, b) => a - b);
      return r[Math.floor(r.length / 2)];
    };
    const eagerRatio = perRound(eager, res.get(`${f.name}/eager`));
    const jitRatio = perRound(jitR, res.get(`${f.name}/jit`));
    return { name: s.name, eager, jit: jitR, eagerRatio, jitRatio, bestRatio: [eager.best / fe, jitR.best / fj], kernels: s.kernels(), diff: tidy(() => relDiff(s.eager(), s.jit())) };
  });
  table(title, rows);
  return Object.fromEntries(rows.map((r) => [r.name, r]));
}

// ---------------------------------------------------------------------------------------------
// header

const cpus = os.cpus();
console.log("## @scm-ts/core benchmark: jvp / grad overhead and fusion\n");
console.log(`- machine: ${cpus[0]?.model ?? "unknown"} × ${cpus.length} (${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB)`);
console.log(`- node ${process.version}, backend: ${core.getBackend().name}`);
console.log(`- timing: best of ${N} interleaved rounds after ${WARMUP} warm-up call(s); every call reads all outputs`);

const tStart = performance.now();
const summary = [];
const targetLine = (label, value, target) =>
  summary.push(`${label}: ${value.toFixed(2)} (target ≤ ${target}) ${value <= target ? "ok" : "MISS"}`);
const infoLine = (label, value, unit = "") => summary.push(`${label}: ${value.toFixed(2)}${unit} (info, no target)`);

// Keys: one fixed root key, split per tensor.
const keys = random.split(random.key(20240611), 16);
const normal = (i, shape, scale = 1) => keep(tidy(() => core.mul(random.normal(keys[i], shape), scale)));

// ---------------------------------------------------------------------------------------------
// 1. MLP: f(x) = tanh(tanh(x·W1)·W2)·W3, batch 256, width 512

{
  const B = 256, D = 512;
  const W = [normal(0, [D, D], 1 / Math.sqrt(D)), normal(1, [D, D], 1 / Math.sqrt(D)), normal(2, [D, D], 1 / Math.sqrt(D))];
  const x = normal(3, [B, D]);
  const dx = normal(4, [B, D]);
  const y = normal(5, [B, D]);

  const mlp = (ws, x) => matmul(tanh(matmul(tanh(matmul(x, ws[0])), ws[1])), ws[2]);
  const f = (x) => mlp(W, x);
  const fJvp = (x, dx) => jvp(f, [x], [dx]);
  const loss = (ws, x, y) => core.mean(core.square(core.sub(mlp(ws, x), y)));
  const gradW = grad(loss); // w.r.t. argument 0: the list of weights

  const jf = jit(f, { name: "mlp" });
  const jJvp = jit(fJvp, { name: "mlp_jvp" });
  const jGrad = jit((ws, x, y) => gradW(ws, x, y), { name: "mlp_grad" });

  const rows = workload(`MLP: tanh(tanh(x·W1)·W2)·W3, x [${B},${D}], W [${D},${D}] float32`, [
    { name: "f(x)", eager: () => f(x), jit: () => jf(x), kernels: () => kernels(jf, x) },
    { name: "jvp(f)(x; dx)", eager: () => fJvp(x, dx), jit: () => jJvp(x, dx), kernels: () => kernels(jJvp, x, dx) },
    { name: "grad_W mean((f(x)−y)²)", eager: () => gradW(W, x, y), jit: () => jGrad(W, x, y), kernels: () => kernels(jGrad, W, x, y) },
  ]);
  targetLine("jvp/f MLP eager", rows["jvp(f)(x; dx)"].eagerRatio, TARGETS.jvpRatio);
  targetLine("jvp/f MLP jit", rows["jvp(f)(x; dx)"].jitRatio, TARGETS.jvpRatio);
  infoLine("grad/f MLP eager", rows["grad_W mean((f(x)−y)²)"].eagerRatio, "×");
  infoLine("grad/f MLP jit", rows["grad_W mean((f(x)−y)²)"].jitRatio, "×");
}

// ---------------------------------------------------------------------------------------------
// 2. Conv net: conv3×3 p1 16→32, silu, conv3×3 p1 32→32, silu, conv3×3 stride 2 p1 32→16

{
  const xs = [16, 16, 32, 32];
  const w1 = normal(6, [32, 16, 3, 3], 1 / Math.sqrt(16 * 9));
  const w2 = normal(7, [32, 32, 3, 3], 1 / Math.sqrt(32 * 9));
  const w3 = normal(8, [16, 32, 3, 3], 1 / Math.sqrt(32 * 9));
  const x = normal(9, xs);
  const dx = normal(10, xs);
  const y = normal(11, [16, 16, 16, 16]);

  const net = (ws, x) => {
    const h1 = silu(conv2d(x, ws[0], { padding: 1 }));
    const h2 = silu(conv2d(h1, ws[1], { padding: 1 }));
    return conv2d(h2, ws[2], { stride: 2, padding: 1 });
  };
  const Ws = [w1, w2, w3];
  const f = (x) => net(Ws, x);
  const fJvp = (x, dx) => jvp(f, [x], [dx]);
  const loss = (ws, x, y) => core.mean(core.square(core.sub(net(ws, x), y)));
  const gradW = grad(loss);

  const jf = jit(f, { name: "convnet" });
  const jJvp = jit(fJvp, { name: "convnet_jvp" });
  const jGrad = jit((ws, x, y) => gradW(ws, x, y), { name: "convnet_grad" });

  const rows = workload(`Conv net: x [${xs}] → conv3×3 p1 16→32, silu → conv3×3 p1 32→32, silu → conv3×3 s2 p1 32→16 → [16,16,16,16]`, [
    { name: "f(x)", eager: () => f(x), jit: () => jf(x), kernels: () => kernels(jf, x) },
    { name: "jvp(f)(x; dx)", eager: () => fJvp(x, dx), jit: () => jJvp(x, dx), kernels: () => kernels(jJvp, x, dx) },
    { name: "grad_W mean((f(x)−y)²)", eager: () => gradW(Ws, x, y), jit: () => jGrad(Ws, x, y), kernels: () => kernels(jGrad, Ws, x, y) },
  ]);
  targetLine("jvp/f conv eager", rows["jvp(f)(x; dx)"].eagerRatio, TARGETS.jvpRatio);
  targetLine("jvp/f conv jit", rows["jvp(f)(x; dx)"].jitRatio, TARGETS.jvpRatio);
  infoLine("grad/f conv eager", rows["grad_W mean((f(x)−y)²)"].eagerRatio, "×");
  infoLine("grad/f conv jit", rows["grad_W mean((f(x)−y)²)"].jitRatio, "×");
}

// ---------------------------------------------------------------------------------------------
// 3. Fusion: 10 elementwise ops on a [1e6] vector under jit

{
  const n = 1_000_000;
  const x = normal(12, [n]);
  const { exp, mul, add, sin, cos, sub, sqrt, abs, neg } = core;
  // exp, ·0.5, +1, tanh, sin, cos, ·x, −0.25, sqrt(|·|+1), neg
  const chain = (x) => {
    let h = exp(x);
    h = mul(h, 0.5);
    h = add(h, 1);
    h = tanh(h);
    h = sin(h);
    h = cos(h);
    h = mul(h, x);
    h = sub(h, 0.25);
    h = sqrt(add(abs(h), 1));
    return neg(h);
  };
  const jchain = jit(chain, { name: "chain" });
  const lowered = tidy(() => jchain.lower(x));
  const nk = lowered.plan.steps.length;
  // Reference: the same chain as a hand-written JS loop over a Float32Array, i.e. roughly the best
  // a fused single-threaded CPU kernel can do.
  const xd = x.dataSync();
  const handLoop = () => {
    const o = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = xd[i];
      const t1 = Math.cos(Math.sin(Math.tanh(Math.exp(t0) * 0.5 + 1))) * t0 - 0.25;
      o[i] = -Math.sqrt(Math.abs(t1) + 1);
    }
    return o;
  };
  const res = measure([
    { id: "eager", fn: () => chain(x) },
    { id: "jit", fn: () => jchain(x) },
    { id: "loop", fn: () => (handLoop(), []) },
  ]);
  // Same values both ways (sanity check of the fused kernel).
  const maxDiff = tidy(() => relDiff(chain(x), jchain(x)));
  const e = res.get("eager"), j = res.get("jit"), l = res.get("loop");
  console.log(`\n### Fusion: 10 elementwise ops on x [${n}] float32\n`);
  console.log("| function | eager best ms | eager median ms | jit best ms | jit median ms | jit speed-up | jit first call ms | jit kernels | max rel. \\|eager − jit\\| | hand-written JS loop best ms | jit / loop |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  console.log(`| chain(x) | ${ms(e.best)} | ${ms(e.median)} | ${ms(j.best)} | ${ms(j.median)} | ${x2(e.best / j.best)} | ${ms(j.first)} | ${nk} | ${maxDiff.toExponential(1)} | ${ms(l.best)} | ${x2(j.best / l.best)} |`);
  console.log("\nLowered (jit(chain).lower(x).toString()):\n");
  console.log("```");
  console.log(lowered.toString());
  console.log("```");
  summary.push(`kernels in jit(chain) plan: ${nk} (target = ${TARGETS.fusedKernels}) ${nk === TARGETS.fusedKernels ? "ok" : "MISS"}`);
  infoLine("jit speed-up of the elementwise chain (eager/jit)", e.best / j.best, "×");
}

// ---------------------------------------------------------------------------------------------
// 4. summary

console.log("\n### Summary\n");
for (const l of summary) console.log(`- ${l}`);
console.log(`\ntotal bench time: ${((performance.now() - tStart) / 1000).toFixed(1)} s`);
