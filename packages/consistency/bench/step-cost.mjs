// Benchmark: the cost of one sCM training step (sCT, sCD) relative to one diffusion-teacher step on
// the same network (issue 6 target: ≤ 1.5×; the paper reports about 2×). Each step is the whole
// jitted call (forward, JVP where needed, backward, Adam, EMA). Timing: warm-up, then interleaved
// rounds; the ratio is the median over rounds of the per-round ratio. Env: BENCH_N (default 7).
import os from "node:os";
import * as c from "@scm-ts/core";
import { adam } from "@scm-ts/nn";
import { initTrainState, makeObjective, makeTrainStep } from "../dist/index.js";

const N = Number(process.env.BENCH_N ?? 7);
const width = 512, depth = 3, batch = 256, dim = 64;

// A time-conditioned MLP: [u, t] → width → … → dim, SiLU.
function initParams(key) {
  const ks = c.random.split(key, depth + 1);
  const dims = [dim + 1, ...new Array(depth).fill(width), dim];
  return Object.fromEntries(dims.slice(1).map((o, i) => [`w${i}`, c.mul(c.random.normal(ks[i], [dims[i], o]), 1 / Math.sqrt(dims[i]))]));
}
const model = {
  apply(p, u, t) {
    let h = c.concat([u, c.reshape(t, [t.shape[0], 1])], 1);
    for (let i = 0; i <= depth; i++) {
      h = c.matmul(h, p[`w${i}`]);
      if (i < depth) h = c.silu(h);
    }
    return h;
  },
};

const opt = adam({ learningRate: 1e-4 });
const teacherParams = initParams(c.random.key(1));
const teacher = (u, t) => model.apply(teacherParams, u, t);
const modes = { diffusion: {}, sct: {}, scd: { teacher } };
const x0 = c.random.normal(c.random.key(2), [batch, dim]);
const r = c.full([], 1), beta = c.full([], 0.999);
const cases = Object.entries(modes).map(([mode, extra]) => {
  const step = makeTrainStep(makeObjective(model, { mode, sigmaData: 0.5, time: { pMean: -1, pStd: 1.4 }, ...extra }), { optimizer: opt });
  let state = initTrainState(initParams(c.random.key(3)), opt, c.random.key(4));
  const fn = () => {
    const [next, m] = step(state, x0, r, beta);
    m.loss.dataSync();
    for (const t of c.treeLeaves(state)) t.dispose();
    for (const t of Object.values(m)) t.dispose();
    state = next;
  };
  return { mode, fn, times: [] };
});
for (const k of cases) for (let i = 0; i < 2; i++) k.fn();
for (let round = 0; round < N; round++) for (const k of cases) {
  const t0 = performance.now();
  k.fn();
  k.times.push(performance.now() - t0);
}
const base = cases[0];
console.log(`## sCM step cost vs the diffusion step\n\n- ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, backend ${c.getBackend().name}`);
console.log(`- MLP ${depth}×${width} (data dim ${dim}), batch ${batch}, float32, jitted step with Adam and EMA; best of ${N} rounds\n`);
console.log("| step | best ms | median ms | ratio to diffusion (median per round) |\n|---|---:|---:|---:|");
for (const k of cases) {
  const s = [...k.times].sort((a, b) => a - b);
  const ratios = k.times.map((t, i) => t / base.times[i]).sort((a, b) => a - b);
  console.log(`| ${k.mode} | ${s[0].toFixed(1)} | ${s[Math.floor(s.length / 2)].toFixed(1)} | ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}× |`);
}
console.log("\ntarget: sCT and sCD ≤ 1.5× the diffusion step");
