// Benchmark of the models: forward, forward+JVP (the sCM pass: tangents on x and t) and
// forward+backward (grad of a mean-square loss w.r.t. the parameters) of the MLP, U-Net and DiT
// presets on the active backend, jitted. Ratios are the median over interleaved rounds of the
// per-round ratio to the forward (issue 5 target: forward+JVP ≤ 2.05× forward). Env: BENCH_N;
// BENCH_BACKEND=webgpu runs it on WebGPU (through @scm-ts/webgpu; each timed call then waits for the
// GPU's results).
import os from "node:os";
import * as c from "@scm-ts/core";
import { dit, mlp, unet } from "../dist/index.js";
import { benchCases } from "./cases.mjs";

const N = Number(process.env.BENCH_N ?? 5);
if (process.env.BENCH_BACKEND === "webgpu") await import("@scm-ts/webgpu");
if (process.env.BENCH_BACKEND) await c.setBackend(process.env.BENCH_BACKEND);
const builders = { mlp, unet, dit };
const cases = benchCases.map(({ name, model, config, batch }) => ({ name, net: builders[model](config), batch }));

console.log(`## models: forward, forward+JVP and forward+backward\n\n- ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, backend ${c.getBackend().name}; jitted; median of ${N} rounds\n`);
console.log("| model | forward ms | fwd+JVP ms | fwd+JVP / fwd | fwd+bwd ms | fwd+bwd / fwd |\n|---|---:|---:|---:|---:|---:|");
for (const { name, net, batch } of cases) {
  const params = net.init(c.random.key(0));
  const x = c.random.normal(c.random.key(1), [batch, ...net.sampleShape]);
  const t = c.random.uniform(c.random.key(2), [batch]);
  const dx = c.random.normal(c.random.key(3), [batch, ...net.sampleShape]);
  const dt = c.ones([batch]);
  const fwd = c.jit((p, u, tt) => net.apply(p, u, tt));
  const fj = c.jit((p, u, tt, du, dtt) => c.jvp((a, b) => net.apply(p, a, b), [u, tt], [du, dtt]));
  const fb = c.jit((p, u, tt) => c.grad((q) => c.mean(c.square(net.apply(q, u, tt))))(p));
  const runs = [() => fwd(params, x, t), () => fj(params, x, t, dx, dt), () => fb(params, x, t)];
  const time = async (f) => {
    const t0 = performance.now();
    const outs = c.treeLeaves(f());
    await Promise.all(outs.map((o) => o.data()));
    outs.forEach((o) => o.dispose());
    return performance.now() - t0;
  };
  for (const f of runs) for (let i = 0; i < 2; i++) await time(f);
  const times = runs.map(() => []);
  for (let r = 0; r < N; r++) for (const [i, f] of runs.entries()) times[i].push(await time(f));
  const med = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const ratio = (i) => med(times[i].map((v, r) => v / times[0][r]));
  console.log(`| ${name} | ${med(times[0]).toFixed(1)} | ${med(times[1]).toFixed(1)} | ${ratio(1).toFixed(2)}× | ${med(times[2]).toFixed(1)} | ${ratio(2).toFixed(2)}× |`);
}
console.log("\ntarget: forward+JVP ≤ 2.05× forward");
