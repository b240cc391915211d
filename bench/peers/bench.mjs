// Side-by-side CPU benchmark: @scm-ts/core ('cpu' backend) against jax-js (@jax-js/jax, wasm
// backend) and TensorFlow.js (@tensorflow/tfjs-backend-wasm), in one process and one run, on the
// five float32 workloads of issue 8: matmul 512³; a 3-layer MLP f(x) = tanh(tanh(x·W1)·W2)·W3 with
// batch 256 and width 512; its forward+JVP in x; conv2d 3×3 SAME, batch 16, 64→64 channels, 32×32;
// and the gradient of mean((f(x) − y)²) in W1..W3.
//
// FLOP counts are the useful work only (2·m·n·k per product): matmul 268 M, MLP forward 403 M,
// forward+JVP 805 M (primal and tangent products), conv 1208 M, gradient 1074 M (3 forward and 5
// backward products). An engine that does more work for the same result (TF.js's emulated JVP) is
// still credited with these counts.
//
// Modes: ours and jax-js run eager and under jit, TF.js eager (it has no jit); each engine's figure
// is its faster mode. jax-js's jit conv is skipped: it is ~12× slower than its eager conv (it skips
// eager's padding materialisation) and would only lengthen the run.
// TF.js has no forward mode; its JVP is the faster of two exact emulations, both timed:
//   - "dual": the tangent propagated by hand through the same ops, primal and tangent rows stacked
//     into one batch for each product ([h; dh]·W) and tanh' = 1 − tanh² — dual numbers written out;
//   - "vjp²": the transpose of the VJP, J·v = ∂/∂u ⟨Jᵀu, v⟩ (tf.grad twice), plus one forward for the
//     primal — generic, needs no hand-written derivative.
//
// Timing: BENCH_WARMUP (default 3) untimed calls per case, then BENCH_N (default 9) rounds; each round
// times every case once, interleaved, so all engines see the same machine load; the median of the
// rounds is reported. Each case is timed twice per round: run to completion (ours and TF.js wasm
// compute at dispatch; jax-js is awaited with blockUntilReady) — the figures the targets use — and
// run then read back (every output copied into a JS typed array by dataSync / data()), whose extra
// cost is the same for every engine and on this kind of VM mostly first-touch page faults.
// The figures are a report: the script never fails because a target is missed.
import os from "node:os";
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ours from "@scm-ts/core";
import * as jax from "@jax-js/jax";
import { createRequire } from "node:module";

// TF.js's ESM files are not valid Node ESM (extensionless imports): load its CommonJS builds. The
// union package registers the gradients (tfjs-core's own bundle has none) on the same tfjs-core.
const require = createRequire(import.meta.url);
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");

const N = Math.max(1, Number(process.env.BENCH_N ?? 9) | 0);
const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? 3) | 0);
const B = 256, D = 512, MM = 512;
const CONV = { n: 16, c: 64, o: 64, h: 32, w: 32, k: 3 };
const FLOP = {
  matmul: 2 * MM ** 3,
  mlp: 3 * 2 * B * D * D,
  jvp: 6 * 2 * B * D * D,
  conv: 2 * CONV.n * CONV.o * CONV.h * CONV.w * CONV.c * CONV.k * CONV.k,
  grad: 8 * 2 * B * D * D,
};

// ---------------------------------------------------------------------------------------------
// the same deterministic data for every engine

function data(seed, n, scale) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return a;
}
const input = {
  ma: data(1, MM * MM, 1), mb: data(2, MM * MM, 1),
  w: [0, 1, 2].map((i) => data(10 + i, D * D, Math.sqrt(3 / D))),
  x: data(20, B * D, 1), dx: data(21, B * D, 1), y: data(22, B * D, 0.5),
  cx: data(30, CONV.n * CONV.c * CONV.h * CONV.w, 1), cw: data(31, CONV.o * CONV.c * 9, Math.sqrt(3 / (CONV.c * 9))),
};

// ---------------------------------------------------------------------------------------------
// @scm-ts/core

function oursCases() {
  const t = (a, shape) => ours.keep(ours.array(a, shape));
  const [A, Bm] = [t(input.ma, [MM, MM]), t(input.mb, [MM, MM])];
  const W = input.w.map((w) => t(w, [D, D]));
  const [x, dx, y] = [t(input.x, [B, D]), t(input.dx, [B, D]), t(input.y, [B, D])];
  const cx = t(input.cx, [CONV.n, CONV.c, CONV.h, CONV.w]), cw = t(input.cw, [CONV.o, CONV.c, 3, 3]);
  const mlp = (ws, x) => ours.matmul(ours.tanh(ours.matmul(ours.tanh(ours.matmul(x, ws[0])), ws[1])), ws[2]);
  const f = (x) => mlp(W, x);
  const fj = (x, dx) => ours.jvp(f, [x], [dx]);
  const loss = (ws, x, y) => ours.mean(ours.square(ours.sub(mlp(ws, x), y)));
  const g = ours.grad(loss);
  const conv = (x, w) => ours.conv2d(x, w, { padding: 1 });
  const fns = {
    matmul: [(a, b) => ours.matmul(a, b), [A, Bm]],
    mlp: [f, [x]],
    jvp: [fj, [x, dx]],
    conv: [conv, [cx, cw]],
    grad: [g, [W, x, y]],
  };
  // The CPU backend runs every kernel at dispatch: a call is complete when it returns.
  const read = (out, back) => {
    if (back) for (const l of ours.treeFlatten(out)[0]) if (l instanceof ours.Tensor) l.dataSync();
  };
  const cases = [];
  for (const [w, [fn, args]] of Object.entries(fns)) {
    cases.push({ engine: "ours", mode: "eager", workload: w, run: (back) => ours.tidy(() => read(fn(...args), back)) });
    const jf = ours.jit(fn);
    cases.push({ engine: "ours", mode: "jit", workload: w, run: (back) => ours.tidy(() => read(jf(...args), back)) });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// jax-js (reference-counted: every call consumes its arguments, so pass .ref)

function jaxCases() {
  const np = jax.numpy;
  const t = (a, shape) => np.array(a).reshape(shape);
  const [A, Bm] = [t(input.ma, [MM, MM]), t(input.mb, [MM, MM])];
  const W = input.w.map((w) => t(w, [D, D]));
  const [x, dx, y] = [t(input.x, [B, D]), t(input.dx, [B, D]), t(input.y, [B, D])];
  const cx = t(input.cx, [CONV.n, CONV.c, CONV.h, CONV.w]), cw = t(input.cw, [CONV.o, CONV.c, 3, 3]);
  const mlp = (ws, x) => np.matmul(np.tanh(np.matmul(np.tanh(np.matmul(x, ws[0])), ws[1])), ws[2]);
  const f = (x) => mlp(W.map((w) => w.ref), x);
  const fj = (x, dx) => jax.jvp(f, [x], [dx]);
  const loss = (ws, x, y) => np.mean(np.square(np.subtract(mlp(ws, x), y)));
  const g = jax.grad(loss);
  const conv = (x, w) => jax.lax.conv(x, w, [1, 1], "SAME");
  const fns = {
    matmul: [(a, b) => np.matmul(a, b), () => [A.ref, Bm.ref], true],
    mlp: [f, () => [x.ref], true],
    jvp: [fj, () => [x.ref, dx.ref], true],
    conv: [conv, () => [cx.ref, cw.ref], false],
    grad: [g, () => [W.map((w) => w.ref), x.ref, y.ref], true],
  };
  // jax-js may defer work: blockUntilReady completes it; data() also copies it out (and consumes).
  const read = async (out, back) => {
    for (const l of jax.tree.leaves(out)) {
      if (back) await l.data();
      else {
        await l.blockUntilReady();
        l.dispose();
      }
    }
  };
  const cases = [];
  for (const [w, [fn, args, withJit]] of Object.entries(fns)) {
    cases.push({ engine: "jax-js", mode: "eager", workload: w, run: (back) => read(fn(...args()), back) });
    if (withJit) {
      const jf = jax.jit(fn);
      cases.push({ engine: "jax-js", mode: "jit", workload: w, run: (back) => read(jf(...args()), back) });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js

function tfCases() {
  const t = (a, shape) => tf.keep(tf.tensor(a, shape, "float32"));
  const [A, Bm] = [t(input.ma, [MM, MM]), t(input.mb, [MM, MM])];
  const W = input.w.map((w) => t(w, [D, D]));
  const [x, dx, y] = [t(input.x, [B, D]), t(input.dx, [B, D]), t(input.y, [B, D])];
  // TF.js wants NHWC input and HWIO filters: transpose once, outside the timed call.
  const cx = tf.keep(tf.transpose(tf.tensor(input.cx, [CONV.n, CONV.c, CONV.h, CONV.w]), [0, 2, 3, 1]));
  const cw = tf.keep(tf.transpose(tf.tensor(input.cw, [CONV.o, CONV.c, 3, 3]), [2, 3, 1, 0]));
  const mlp = (ws, x) => tf.matMul(tf.tanh(tf.matMul(tf.tanh(tf.matMul(x, ws[0])), ws[1])), ws[2]);
  const f = (x) => mlp(W, x);
  // dual numbers written out: rows [h; dh] go through each product together, tanh' = 1 − tanh².
  const dual = (x, dx) => {
    let hd = tf.concat([x, dx], 0);
    for (let l = 0; l < 3; l++) {
      const z = tf.matMul(hd, W[l]);
      if (l === 2) return tf.split(z, 2, 0);
      const [zp, zt] = tf.split(z, 2, 0);
      const h = tf.tanh(zp);
      hd = tf.concat([h, tf.mul(zt, tf.sub(1, tf.square(h)))], 0);
    }
  };
  // J·v as the gradient in u of ⟨Jᵀu, v⟩, and one forward for the primal.
  const vjp2 = (x, dx) => {
    const y0 = f(x);
    const jtu = (u) => tf.grad((xx) => tf.sum(tf.mul(f(xx), u)))(x);
    return [y0, tf.grad((u) => tf.sum(tf.mul(jtu(u), dx)))(tf.zerosLike(y0))];
  };
  const gradW = tf.grads((w1, w2, w3) => tf.mean(tf.square(tf.sub(mlp([w1, w2, w3], x), y))));
  const fns = {
    matmul: () => tf.matMul(A, Bm),
    mlp: () => f(x),
    "jvp/dual": () => dual(x, dx),
    "jvp/vjp²": () => vjp2(x, dx),
    conv: () => tf.conv2d(cx, cw, 1, "same"),
    grad: () => gradW(W),
  };
  // The wasm backend runs every kernel when it is called: a call is complete when it returns.
  const read = async (out, back) => {
    if (back) for (const l of [out].flat(2)) await l.data();
  };
  return Object.entries(fns).map(([key, fn]) => {
    const [workload, mode = "eager"] = key.split("/");
    return { engine: "tfjs", mode, workload, run: async (back) => {
      const out = tf.tidy(fn);
      await read(out, back);
      tf.dispose(out);
    } };
  });
}

// ---------------------------------------------------------------------------------------------
// the run

async function timeOnce(c, back) {
  const t0 = performance.now();
  await c.run(back);
  return performance.now() - t0;
}

async function main() {
  await ours.setBackend("cpu");
  await jax.init("wasm");
  jax.defaultDevice("wasm");
  await tf.setBackend("wasm");
  await tf.ready();
  const engines = (process.env.BENCH_ENGINES ?? "ours,jax-js,tfjs").split(",");
  const cases = [...oursCases(), ...jaxCases(), ...tfCases()].filter((c) => engines.includes(c.engine));
  const t0 = performance.now();
  for (const c of cases) for (let i = 0; i < WARMUP; i++) await timeOnce(c, i % 2 === 1);
  const times = new Map(cases.map((c) => [c, []]));
  const backTimes = new Map(cases.map((c) => [c, []]));
  for (let r = 0; r < N; r++) {
    for (const c of cases) {
      times.get(c).push(await timeOnce(c, false));
      backTimes.get(c).push(await timeOnce(c, true));
    }
  }
  const median = (a) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];

  const cpus = os.cpus();
  let uptime = "";
  try {
    uptime = execSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    uptime = `loadavg ${os.loadavg().map((v) => v.toFixed(2)).join(", ")}`;
  }
  console.log("## CPU peers benchmark: @scm-ts/core vs jax-js (wasm) vs TensorFlow.js (wasm)\n");
  // the scheduling group's weight decides how much of the cores this run got next to other sessions
  let group = "";
  try {
    group = `; scheduling ${fs.readFileSync("/proc/self/autogroup", "utf8").trim()}`;
  } catch {
    // not Linux, or no autogroups
  }
  console.log(`- machine: ${cpus[0]?.model ?? "unknown"} × ${cpus.length} (nproc), node ${process.version}; load at the end: ${uptime}${group}`);
  console.log(`- ours: backend ${ours.getBackend().name}, SCM_THREADS=${process.env.SCM_THREADS ?? "(all cores)"}; jax-js ${versionOf("@jax-js/jax")} wasm; tfjs ${tf.version_core} wasm`);
  console.log(`- median of ${N} interleaved rounds after ${WARMUP} warm-up calls per case; "ms" is the call run to completion`);
  console.log("  (ours and TF.js wasm compute at dispatch, jax-js is awaited with blockUntilReady); \"+ read ms\" also copies every output");
  console.log("  into a fresh JS typed array (dataSync / data()), which on this kind of VM is dominated by first-touch page faults\n");

  const workloads = ["matmul", "mlp", "jvp", "conv", "grad"];
  const names = { matmul: "matmul 512³", mlp: "MLP forward", jvp: "MLP forward+JVP", conv: "conv2d 3×3", grad: "MLP gradient" };
  const best = {}, bestBack = {};
  console.log("| workload | MFLOP | engine / mode | median ms | GFLOP/s | median ms + read | GFLOP/s + read |");
  console.log("|---|---:|---|---:|---:|---:|---:|");
  for (const w of workloads) {
    for (const c of cases.filter((c) => c.workload === w)) {
      const ms = median(times.get(c)), msb = median(backTimes.get(c));
      console.log(`| ${names[w]} | ${(FLOP[w] / 1e6).toFixed(0)} | ${c.engine} ${c.mode} | ${ms.toFixed(2)} | ${(FLOP[w] / ms / 1e6).toFixed(1)} | ${msb.toFixed(2)} | ${(FLOP[w] / msb / 1e6).toFixed(1)} |`);
      const k = `${w}/${c.engine}`;
      if (!best[k] || ms < best[k].ms) best[k] = { ms, mode: c.mode };
      if (!bestBack[k] || msb < bestBack[k].ms) bestBack[k] = { ms: msb, mode: c.mode };
    }
  }
  console.log("\n### Summary (each engine in its faster mode)\n");
  console.log("| workload | ours ms (GFLOP/s) | jax-js ms (GFLOP/s) | TF.js ms (GFLOP/s) | ours ÷ jax-js speed | ours ÷ TF.js speed | ours ÷ faster peer |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  const cell = (b, w) => (b ? `${b.ms.toFixed(2)} (${(FLOP[w] / b.ms / 1e6).toFixed(1)}) ${b.mode}` : "—");
  const summary = [];
  for (const w of workloads) {
    const o = best[`${w}/ours`], j = best[`${w}/jax-js`], t = best[`${w}/tfjs`];
    const peer = Math.min(j?.ms ?? Infinity, t?.ms ?? Infinity);
    // "—" where an engine was not timed (BENCH_ENGINES)
    const over = (p) => (p && o && Number.isFinite(p.ms) ? `${(p.ms / o.ms).toFixed(2)}×` : "—");
    console.log(`| ${names[w]} | ${cell(o, w)} | ${cell(j, w)} | ${cell(t, w)} | ${over(j)} | ${over(t)} | **${over({ ms: peer })}** |`);
    summary.push([w, o, peer]);
  }
  console.log("\n### Summary with every output read back (each engine in its faster mode)\n");
  console.log("| workload | ours ms (GFLOP/s) | jax-js ms (GFLOP/s) | TF.js ms (GFLOP/s) | ours ÷ faster peer |");
  console.log("|---|---:|---:|---:|---:|");
  for (const w of workloads) {
    const o = bestBack[`${w}/ours`], j = bestBack[`${w}/jax-js`], t = bestBack[`${w}/tfjs`];
    const peer = Math.min(j?.ms ?? Infinity, t?.ms ?? Infinity);
    console.log(`| ${names[w]} | ${cell(o, w)} | ${cell(j, w)} | ${cell(t, w)} | ${o && Number.isFinite(peer) ? `${(peer / o.ms).toFixed(2)}×` : "—"} |`);
  }
  if (!engines.includes("ours")) return;
  const gf = (w) => FLOP[w] / best[`${w}/ours`].ms / 1e6;
  // ours: w's time over the forward's in the same round and mode (measured moments apart, so load
  // noise largely cancels), median over rounds, in the mode where it is smaller
  const ratio = (w) =>
    Math.min(
      ...["eager", "jit"].map((mode) => {
        const [a, f] = [w, "mlp"].map((x) => times.get(cases.find((c) => c.engine === "ours" && c.mode === mode && c.workload === x)));
        return median(a.map((t, i) => t / f[i]));
      }),
    );
  console.log("\n### Targets of issue 8\n");
  const line = (label, ok, v) => console.log(`- ${label}: ${v} ${ok ? "ok" : "MISS"}`);
  line("matmul 512³ ≥ 70 GFLOP/s", gf("matmul") >= 70, gf("matmul").toFixed(1));
  line("conv2d ≥ 55 GFLOP/s", gf("conv") >= 55, gf("conv").toFixed(1));
  for (const [w, o, peer] of summary) {
    if (Number.isFinite(peer)) line(`${names[w]} ≥ 2× the faster peer`, peer / o.ms >= 2, `${(peer / o.ms).toFixed(2)}×`);
    else console.log(`- ${names[w]} ≥ 2× the faster peer: not checked (no peer timed)`);
  }
  line("MLP forward+JVP ≤ 2.05× forward (ours; median per-round ratio, same mode)", ratio("jvp") <= 2.05, `${ratio("jvp").toFixed(2)}×`);
  line("MLP gradient ≤ 3× forward (ours; median per-round ratio, same mode)", ratio("grad") <= 3, `${ratio("grad").toFixed(2)}×`);
  console.log(`\ntotal time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The installed version of a package, read from its package.json next to its resolved entry. */
function versionOf(name) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const p = path.join(dir, "package.json");
    if (fs.existsSync(p)) {
      const j = JSON.parse(fs.readFileSync(p, "utf8"));
      if (j.name === name) return j.version;
    }
  }
  return "?";
}

await main();
process.exit(0);
