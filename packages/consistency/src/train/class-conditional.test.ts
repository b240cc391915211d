// Class-conditional training end to end on a 2-D mixture whose component is the label (K = 4 Gaussians
// at radius 0.6, std 0.1): a short diffusion run with label dropout learns label-dependent velocities —
// teacher samples drawn with label k land near component k, samples with the null label cover every
// component — and sCD from the exact class-conditional teacher under classifier-free guidance (w ~ U[1, 2],
// a guidance-conditioned student) runs and lowers its loss.
import { beforeAll, describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { mlp, type MlpParams, type ModelParams } from "@scm-ts/models";
import { adam } from "@scm-ts/nn";
import { sampleTeacher } from "@scm-ts/samplers";
import { initTrainState, makeObjective, makeTrainStep, mixtureTeacher, train, type LabelledBatch } from "../index.js";

const sd = 0.5, K = 4, std = 0.1, time = { pMean: -1, pStd: 1.4 };
const means = Array.from({ length: K }, (_, k) => [0.6 * Math.cos((k * Math.PI) / 2), 0.6 * Math.sin((k * Math.PI) / 2)]);
const meanTable = c.array(means); // [K, 2]
type Params = ModelParams<MlpParams>;

// Batch i: labels k ~ U{0..K−1}, x0 = μ_k + std·ε, from the key 7000 + i.
function labelled(i: number, B: number): LabelledBatch {
  return c.tidy(() => {
    const [kl, kx] = c.random.split(c.random.key(7000 + i), 2);
    const labels = c.astype(c.minimum(c.mul(c.random.uniform(kl!, [B]), K), K - 1), "int32");
    const onehot = c.astype(c.equal(c.reshape(labels, [B, 1]), c.arange(K, undefined, 1, { dtype: "int32" })), "float32");
    return { x0: c.add(c.matmul(onehot, meanTable), c.mul(c.random.normal(kx!, [B, 2]), std)), labels };
  });
}

// The index of the nearest component mean of each point.
function nearest(xy: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < xy.length / 2; i++) {
    const d = means.map(([mx, my]) => (xy[2 * i]! - mx!) ** 2 + (xy[2 * i + 1]! - my!) ** 2);
    out.push(d.indexOf(Math.min(...d)));
  }
  return out;
}

async function run(net: ReturnType<typeof mlp>, objective: Parameters<typeof makeTrainStep<Params>>[0], steps: number, B: number, seed: number) {
  const opt = adam({ learningRate: 3e-3, b2: 0.99 });
  const losses: number[] = [];
  const [kInit, kState] = c.random.split(c.random.key(seed), 2);
  const out = await train({
    state: initTrainState(net.init(kInit!), opt, kState!), steps, batch: (i) => labelled(i, B), step: makeTrainStep(objective, { optimizer: opt, clipNorm: 10 }),
    emaBeta: 0.98, logEvery: 10, progress: false, onEvent: (e) => losses.push(e.loss),
  });
  expect(out.skipped).toBe(0);
  return { ema: out.state.ema, losses };
}

describe("class-conditional diffusion on a labelled mixture", () => {
  const net = mlp({ dataDim: 2, width: 64, depth: 2, timeFeatures: 16, numClasses: K });
  const n = 400;
  const near: number[][] = [];
  beforeAll(async () => {
    const t0 = performance.now();
    const model = { apply: (q: Params, u: Tensor, t: Tensor, o?: object) => net.apply(q, u, t, o) };
    const { ema } = await run(net, makeObjective(model, { mode: "diffusion", sigmaData: sd, time, classes: { numClasses: K, pUncond: 0.1 } }), 300, 256, 1);
    const apply = c.jit((q: Params, u: Tensor, t: Tensor, l: Tensor) => net.apply(q, u, t, { classLabels: l }));
    const F: RawNetwork = (u, t, o) => apply(ema, u, t, o!.classLabels!);
    for (const k of [0, 1, 2, 3, -1]) {
      const x = sampleTeacher(F, { key: c.random.key(50), shape: [n, 2], sigmaData: sd, method: "euler", nfe: 24, labels: c.full([n], k, { dtype: "int32" }), numClasses: K });
      near.push(nearest(await x.data()));
    }
    console.log(`class-conditional diffusion: 300 steps and sampling in ${((performance.now() - t0) / 1000).toFixed(1)} s; share at the label's component: ${near.slice(0, K).map((s, k) => (s.filter((j) => j === k).length / n).toFixed(3)).join(" ")}; null label's shares: ${means.map((_, k) => (near[K]!.filter((j) => j === k).length / n).toFixed(3)).join(" ")}`);
  }, 120_000);

  it("samples with label k land near component k (> 80%)", () => {
    for (let k = 0; k < K; k++) expect(near[k]!.filter((j) => j === k).length / n).toBeGreaterThan(0.8);
  });

  it("samples with the null label (id −1) cover every component (label dropout taught F_u)", () => {
    for (let k = 0; k < K; k++) expect(near[K]!.filter((j) => j === k).length / n).toBeGreaterThan(0.1);
  });
});

describe("sCD with classifier-free guidance", () => {
  // The exact class-conditional teacher: the component's own velocity for label k, the mixture's for the null label.
  const single = means.map((m) => mixtureTeacher([{ weight: 1, mean: m, covariance: { kind: "isotropic", variance: std * std } }], sd));
  const mixture = mixtureTeacher(means.map((m) => ({ weight: 1, mean: m, covariance: { kind: "isotropic", variance: std * std } })), sd);
  const teacher: RawNetwork = (u, t, o) => {
    const rows = o!.classLabels!; // [B, K]
    const col = (k: number) => c.slice(rows, [0, k], [rows.shape[0]!, k + 1]);
    const F = single.reduce((acc, Fk, k) => c.add(acc, c.mul(col(k), Fk(u, t))), c.mul(c.sub(1, c.sum(rows, 1, true)), mixture(u, t)));
    return F;
  };

  it("a guidance-conditioned student runs and lowers its loss", async () => {
    const net = mlp({ dataDim: 2, width: 32, depth: 2, timeFeatures: 16, numClasses: K, guidanceEmbedding: true });
    const model = { apply: (q: Params, u: Tensor, t: Tensor, o?: object) => net.apply(q, u, t, o) };
    const t0 = performance.now();
    const objective = makeObjective(model, { mode: "scd", sigmaData: sd, time, teacher, classes: { numClasses: K }, guidance: { scales: [1, 2] } });
    const { ema, losses } = await run(net, objective, 150, 128, 2);
    const head = (losses[0]! + losses[1]!) / 2, tail = (losses[losses.length - 1]! + losses[losses.length - 2]!) / 2;
    // w reaches the student and is trained: its output at w = 2 differs from that at w = 1 (equal at init).
    const u = c.random.normal(c.random.key(60), [64, 2]), t = c.full([64], 1.2), labels = c.astype(c.equal(c.reshape(c.arange(64, undefined, 1, { dtype: "int32" }), [64, 1]), c.arange(K, undefined, 1, { dtype: "int32" })), "float32");
    const at = (w: number) => net.apply(ema, u, t, { classLabels: labels, guidance: c.full([64], w) });
    const gap = Math.sqrt((await c.mean(c.square(c.sub(at(2), at(1)))).data())[0]!);
    console.log(`sCD with guidance: 150 steps in ${((performance.now() - t0) / 1000).toFixed(1)} s; loss ${losses.map((l) => l.toFixed(4)).join(" ")}; RMS F(w=2) − F(w=1) ${gap.toFixed(4)}`);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(tail).toBeLessThan(0.7 * head);
    expect(gap).toBeGreaterThan(1e-3);
  }, 60_000);
});
