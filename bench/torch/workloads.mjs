// Our side of `npm run bench:torch`: the workloads, each a set of rows (jitted calls on the CPU backend)
// and the weights and inputs that torch_side.py builds the same workload from. A workload writes one
// safetensors file (its tensors, plus `expect`, our forward output, which the PyTorch side compares its
// own with) and, for the U-Nets, scm-ts checkpoints that python/scm_ref loads. Weights are the networks'
// initialisation plus 0.1·N(0, 1), so no layer is zero (the U-Net's zero-initialised convolutions would
// make the forward check vacuous).
import { join } from "node:path";
import * as c from "@scm-ts/core";
import { adam, conv2d, groupNorm } from "@scm-ts/nn";
import { unet } from "@scm-ts/models";
import { initTrainState, makeObjective, makeTrainStep } from "@scm-ts/consistency";
import { saveTensors, writeCheckpoint } from "@scm-ts/io/node";
import { unetConfig } from "@scm-ts/example-mnist/model";
import { benchCases } from "../../packages/models/bench/cases.mjs";

const normal = (seed, shape, scale = 1) => c.mul(c.random.normal(c.random.key(seed), shape), scale);
const perturbed = (params, seed) => c.treeMap(params, (w, i) => c.add(w, normal(seed + i, w.shape, 0.1)));
// a row whose outputs are released after the call
const pure = (fn) => () => c.tidy(() => void fn());

/** 4 × (conv3×3 → group norm (8 groups) → SiLU), C → C channels, batch B, H×H. */
function convStack(B, C, H) {
  const layers = 4, groups = 8;
  const params = Array.from({ length: layers }, (_, i) => ({
    w: normal(10 * i + 1, [C, C, 3, 3], 1 / Math.sqrt(9 * C)), b: normal(10 * i + 2, [C], 0.1),
    gamma: c.add(normal(10 * i + 3, [C], 0.1), 1), beta: normal(10 * i + 4, [C], 0.1),
  }));
  const x = normal(99, [B, C, H, H]);
  const f = (p, h) => p.reduce((a, l) => c.silu(groupNorm.apply({ scale: l.gamma, bias: l.beta }, conv2d.apply({ weight: l.w, bias: l.b }, a, { padding: 1 }), { groups })), h);
  const fwd = c.jit(f), fb = c.jit((p, h) => c.grad((q) => c.mean(c.square(f(q, h))))(p));
  const tensors = { x };
  params.forEach((l, i) => Object.assign(tensors, { [`w${i}`]: l.w, [`b${i}`]: l.b, [`gamma${i}`]: l.gamma, [`beta${i}`]: l.beta }));
  return {
    id: `conv-${B}-${C}-${H}`, label: `conv stack B ${B}, C ${C}, ${H}×${H}`, spec: { kind: "convstack", layers, groups }, tensors,
    forward: () => fwd(params, x),
    rows: { fwd: pure(() => fwd(params, x)), "fwd+bwd": pure(() => fb(params, x)) },
  };
}

/** f(x) = tanh(tanh(x·W1)·W2)·W3, batch 256, width 512 (bench/peers' MLP). */
function mlp() {
  const B = 256, D = 512, depth = 3;
  const W = Array.from({ length: depth }, (_, i) => normal(200 + i, [D, D], 1 / Math.sqrt(D)));
  const [x, dx, y] = [normal(210, [B, D]), normal(211, [B, D]), normal(212, [B, D], 0.5)];
  const net = (ws, h) => ws.reduce((a, w, i) => (i < depth - 1 ? c.tanh(c.matmul(a, w)) : c.matmul(a, w)), h);
  const fwd = c.jit((h) => net(W, h));
  const fj = c.jit((h, dh) => c.jvp((a) => net(W, a), [h], [dh]));
  const g = c.jit((ws, h, yy) => c.grad((q) => c.mean(c.square(c.sub(net(q, h), yy))))(ws));
  return {
    id: "mlp", label: `MLP ${depth}×${D}, batch ${B}`, spec: { kind: "mlp", depth }, tensors: { x, dx, y, ...Object.fromEntries(W.map((w, i) => [`w${i}`, w])) },
    forward: () => fwd(x),
    rows: { fwd: pure(() => fwd(x)), jvp: pure(() => fj(x, dx)), grad: pure(() => g(W, x, y)) },
  };
}

/** A U-Net's forward, forward+JVP along (du, dt = 1) and gradient of mean(F²) in θ. */
function unetWorkload(id, label, config, batch) {
  const net = unet(config);
  const params = perturbed(net.init(c.random.key(0)), 300);
  const shape = [batch, ...net.sampleShape];
  const [u, du, t, dt] = [normal(1, shape), normal(2, shape), c.random.uniform(c.random.key(3), [batch]), c.ones([batch])];
  const fwd = c.jit((p, a, b) => net.apply(p, a, b));
  const fj = c.jit((p, a, b, da, db) => c.jvp((x, s) => net.apply(p, x, s), [a, b], [da, db]));
  const fb = c.jit((p, a, b) => c.grad((q) => c.mean(c.square(net.apply(q, a, b))))(p));
  return {
    id, label, spec: { kind: "unet" }, tensors: { u, t, du, dt }, checkpoints: { ckpt: { config, params } },
    forward: () => fwd(params, u, t),
    rows: { fwd: pure(() => fwd(params, u, t)), "fwd+jvp": pure(() => fj(params, u, t, du, dt)), "fwd+bwd": pure(() => fb(params, u, t)) },
  };
}

/** Whole jitted training steps of the MNIST example's stage.ts (Adam b2 0.99, clipping at 10, EMA), per mode. */
function trainSteps(config, batch) {
  const net = unet(config);
  const sp = { lr: 1e-4, sigmaData: 0.5, pMean: -1, pStd: 1.4, emaBeta: 0.99, clipNorm: 10 };
  const params = perturbed(net.init(c.random.key(0)), 300), teacherParams = perturbed(net.init(c.random.key(1)), 600);
  const x0 = c.random.uniform(c.random.key(4), [batch, ...net.sampleShape], { minval: -1, maxval: 1 });
  const r = c.full([], 1), beta = c.full([], sp.emaBeta);
  const model = { apply: (p, u, t) => net.apply(p, u, t), logvar: (p, t) => net.logvar(p, t) };
  const teacher = (u, t) => net.apply(teacherParams, u, t);
  const optimizer = adam({ learningRate: sp.lr, b2: 0.99 });
  const rows = {};
  for (const mode of ["diffusion", "sct", "scd"]) {
    const objective = makeObjective(model, { mode, sigmaData: sp.sigmaData, time: { pMean: sp.pMean, pStd: sp.pStd }, ...(mode === "scd" ? { teacher } : {}) });
    const step = makeTrainStep(objective, { optimizer, clipNorm: sp.clipNorm });
    let state = initTrainState(c.treeMap(params, (p) => c.mul(p, 1)), optimizer, c.random.key(5));
    rows[mode] = () => {
      const [next, m] = c.tidy(() => step(state, x0, r, beta));
      for (const l of [...c.treeLeaves(state), ...Object.values(m)]) l.dispose();
      state = next;
    };
  }
  return {
    id: "train-mnist-small", label: `training step, MNIST small U-Net ${config.imageSize}×${config.imageSize}, batch ${batch}`,
    spec: { kind: "train", ...sp }, tensors: { x0 }, checkpoints: { ckpt: { config, params }, teacher: { config, params: teacherParams } }, rows,
  };
}

/** Every workload of the bench, in table order. */
export function workloads() {
  const models = benchCases.find((k) => k.key === "unet");
  return [
    convStack(32, 16, 14), convStack(32, 32, 28), convStack(16, 64, 16), convStack(64, 128, 16),
    mlp(),
    unetWorkload("unet-mnist-small", "U-Net MNIST small 14×14, batch 32", unetConfig("small", 14), 32),
    unetWorkload("unet-mnist-base", "U-Net MNIST base 28×28, batch 32", unetConfig("base", 28), 32),
    unetWorkload("unet-models-bench", `U-Net of the models bench: ${models.name}`, models.config, models.batch),
    trainSteps(unetConfig("small", 14), 32),
  ];
}

/** Writes a workload's tensors (and our forward output as `expect`) and checkpoints under `dir`; the spec torch_side.py takes. */
export async function writeWorkload(w, dir) {
  const spec = { id: w.id, file: join(dir, `${w.id}.safetensors`), ...w.spec };
  const expect = w.forward ? { expect: w.forward() } : {};
  await saveTensors(spec.file, { ...w.tensors, ...expect });
  for (const [key, { config, params }] of Object.entries(w.checkpoints ?? {})) {
    spec[key] = join(dir, `${w.id}.${key}.safetensors`);
    await writeCheckpoint(spec[key], { params, step: 0, config: { model: "unet", modelConfig: config, sigmaData: 0.5 } });
  }
  return spec;
}
