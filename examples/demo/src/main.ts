// The demo: sCT (continuous-time consistency training, Lu & Song 2024, Algorithm 1) of a small MLP
// on a 2-D mixture of eight Gaussians, written directly on @scm-ts/core: TrigFlow noising, the JVP
// of the network along (cos t sin t·dx_t/dt, σ_d cos t sin t), the normalised tangent, adaptive
// weighting, Adam, all in one jitted step. Then 1-step sampling from t = arctan(80/σ_d), compared
// with the data by per-mode coverage and the mean distance to the nearest mode. Its few flags are read
// by the CLI's parser (`--help` lists them and exits).
import { helpText, parseFlags, UsageError, type FlagSpecs } from "@scm-ts/cli/args";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

const demoFlags = {
  steps: { kind: "number", default: 2000, integer: true, min: 1, help: "sCT training steps" },
  width: { kind: "number", default: 64, integer: true, min: 1, help: "hidden width of the MLP" },
  lr: { kind: "number", default: 1e-3, help: "Adam learning rate" },
} as const satisfies FlagSpecs;
const invocation = "node dist/main.js";

/** The flags of this run; prints the help and exits 0 on --help, prints one line and exits 2 on a bad flag. */
function readFlags(argv: readonly string[]): { steps: number; width: number; lr: number } {
  if (argv.includes("--help")) {
    console.log(helpText(invocation, "sCT of a small MLP on a 2-D mixture of eight Gaussians, then 1-step sampling", demoFlags));
    process.exit(0);
  }
  try {
    return parseFlags(invocation, argv, demoFlags) as { steps: number; width: number; lr: number };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
}

const { steps, width, lr } = readFlags(process.argv.slice(2));
const sigmaData = 0.5;
const modes = Array.from({ length: 8 }, (_, k) => [Math.cos((2 * Math.PI * k) / 8), Math.sin((2 * Math.PI * k) / 8)].map((v) => v * 0.65));
const modeStd = 0.08;
const batch = 256, freqs = [0.5, 1, 2, 4, 8];
const tMax = Math.atan(80 / sigmaData);

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor; w3: Tensor; b3: Tensor; wt: Tensor; bt: Tensor; logvar: Tensor };

function init(key: Tensor): Params {
  const k = c.random.split(key, 4);
  const dense = (kk: Tensor, i: number, o: number) => c.mul(c.random.normal(kk, [i, o]), 1 / Math.sqrt(i));
  const nt = 2 * freqs.length;
  return {
    w1: dense(k[0]!, 2, width), b1: c.zeros([width]), wt: dense(k[1]!, nt, width), bt: c.zeros([width]),
    w2: dense(k[2]!, width, width), b2: c.zeros([width]), w3: c.mul(dense(k[3]!, width, 2), 0.1), b3: c.zeros([2]),
    logvar: c.zeros([nt, 1]),
  };
}

// Positional time embedding of c_noise(t) = t: [sin(k·t), cos(k·t)].
function timeFeatures(t: Tensor): Tensor {
  const kt = c.mul(t, c.array(freqs)); // [B, F]
  return c.concat([c.sin(kt), c.cos(kt)], 1);
}

// F_θ(x_t/σ_d, t): the raw network.
function F(p: Params, u: Tensor, t: Tensor): Tensor {
  const h = c.silu(c.add(c.add(c.matmul(u, p.w1), p.b1), c.add(c.matmul(timeFeatures(t), p.wt), p.bt)));
  const h2 = c.silu(c.add(c.matmul(h, p.w2), p.b2));
  return c.add(c.matmul(h2, p.w3), p.b3);
}

function sampleData(key: Tensor, n: number): Tensor {
  const [k1, k2] = c.random.split(key);
  const idx = c.astype(c.mul(c.random.uniform(k1!, [n, 1]), 8), "int32");
  const onehot = c.astype(c.equal(c.broadcastTo(idx, [n, 8]), c.arange(8, undefined, 1, { dtype: "int32" })), "float32");
  return c.add(c.matmul(onehot, c.array(modes)), c.mul(c.random.normal(k2!, [n, 2]), modeStd));
}

// Algorithm 1, one iteration, returning the loss and the gradient step (Adam) in one jitted call.
const trainStep = c.jit((p: Params, m: Params, v: Params, ema: Params, key: Tensor, it: Tensor, r: Tensor) => {
  const [kx, kz, kt] = c.random.split(key, 3);
  const x0 = sampleData(kx!, batch);
  const z = c.mul(c.random.normal(kz!, [batch, 2]), sigmaData);
  const tau = c.add(c.mul(c.random.normal(kt!, [batch, 1]), 1.4), -1.0); // (P_mean, P_std) = (−1.0, 1.4)
  const t = c.atan(c.div(c.exp(tau), sigmaData));
  const cos = c.cos(t), sin = c.sin(t);
  const xt = c.add(c.mul(cos, x0), c.mul(sin, z));
  const dxdt = c.sub(c.mul(cos, z), c.mul(sin, x0));
  const cs = c.mul(cos, sin);
  const pStop = c.treeMap(p, (w: Tensor) => c.stopGradient(w));
  const [Fm, jvpOut] = c.jvp((u: Tensor, tt: Tensor) => F(pStop, u, tt), [c.div(xt, sigmaData), t], [c.mul(cs, dxdt), c.mul(cs, sigmaData)]);
  let g = c.sub(c.mul(c.neg(c.square(cos)), c.sub(c.mul(Fm, sigmaData), dxdt)), c.mul(r, c.add(c.mul(cs, xt), jvpOut)));
  g = c.stopGradient(c.div(g, c.add(c.sqrt(c.sum(c.square(g), 1, true)), 0.1)));
  const Fmin = c.stopGradient(Fm);
  const loss = (q: Params) => {
    const w = c.matmul(timeFeatures(t), q.logvar); // w_φ(t), [B, 1]
    const err = c.mean(c.square(c.sub(c.sub(F(q, c.div(xt, sigmaData), t), Fmin), g)), 1, true);
    return c.mean(c.sub(c.mul(c.exp(w), err), w));
  };
  const [l, grads] = c.valueAndGrad(loss)(p);
  // Adam (β1 0.9, β2 0.99)
  const b1 = 0.9, b2 = 0.99;
  const upd = (pw: Tensor, mw: Tensor, vw: Tensor, gw: Tensor) => {
    const m2 = c.add(c.mul(mw, b1), c.mul(gw, 1 - b1));
    const v2 = c.add(c.mul(vw, b2), c.mul(c.square(gw), 1 - b2));
    const mh = c.div(m2, c.sub(1, c.pow(c.full([], b1), it)));
    const vh = c.div(v2, c.sub(1, c.pow(c.full([], b2), it)));
    return [c.sub(pw, c.mul(c.div(mh, c.add(c.sqrt(vh), 1e-8)), lr)), m2, v2];
  };
  const out = Object.keys(p).map((k) => upd(p[k as keyof Params], m[k as keyof Params], v[k as keyof Params], (grads as Params)[k as keyof Params]));
  const pick = (j: number) => Object.fromEntries(Object.keys(p).map((k, i) => [k, out[i]![j]!])) as Params;
  const p2 = pick(0);
  // EMA of the weights for sampling (decay 0.995)
  const ema2 = Object.fromEntries(Object.keys(p).map((k) => [k, c.add(c.mul(ema[k as keyof Params], 0.995), c.mul(p2[k as keyof Params], 0.005))])) as Params;
  return { loss: l as Tensor, p: p2, m: pick(1), v: pick(2), ema: ema2 };
});

// One-step sampling: f(x_T, T) = cos T·x_T − sin T·σ_d·F(x_T/σ_d, T).
function sample(p: Params, key: Tensor, n: number): Tensor {
  const xT = c.mul(c.random.normal(key, [n, 2]), sigmaData);
  const T = c.full([n, 1], tMax);
  return c.sub(c.mul(Math.cos(tMax), xT), c.mul(c.mul(F(p, c.div(xT, sigmaData), T), sigmaData), Math.sin(tMax)));
}

async function report(x: Tensor, label: string): Promise<void> {
  const d = await x.data();
  const counts = new Array<number>(8).fill(0);
  let dist = 0;
  for (let i = 0; i < d.length / 2; i++) {
    let best = Infinity, bk = 0;
    modes.forEach(([mx, my], k) => {
      const e = Math.hypot(d[2 * i]! - mx!, d[2 * i + 1]! - my!);
      if (e < best) (best = e), (bk = k);
    });
    counts[bk]!++;
    dist += best;
  }
  const n = d.length / 2;
  console.log(`${label.padEnd(22)} mean distance to nearest mode ${(dist / n).toFixed(3)}   share per mode ${counts.map((k) => (k / n).toFixed(2)).join(" ")}`);
}

async function main(): Promise<void> {
  await c.setBackend("auto");
  console.log(`scm-ts demo: sCT on a 2-D mixture of 8 Gaussians (σ_d = ${sigmaData}), ${steps} steps, batch ${batch}, backend ${c.getBackend().name}`);
  let key = c.random.key(0);
  const [kInit, kTrain] = c.random.split(key);
  let p = init(kInit!);
  let m = c.treeMap(p, (w: Tensor) => c.zerosLike(w)), v = c.treeMap(p, (w: Tensor) => c.zerosLike(w));
  let ema = c.treeMap(p, (w: Tensor) => c.mul(w, 1));
  key = kTrain!;
  const t0 = performance.now();
  let avg = 0;
  for (let i = 1; i <= steps; i++) {
    const [k1, k2] = c.random.split(key);
    const out = trainStep(p, m, v, ema, k1!, c.full([], i), c.full([], Math.min(1, i / 500)));
    for (const t of [...c.treeLeaves<Tensor>([p, m, v, ema]), key, k1!]) t.dispose();
    ({ p, m, v, ema } = out);
    key = k2!;
    const l = (await out.loss.data())[0]!;
    out.loss.dispose();
    avg = i === 1 ? l : 0.98 * avg + 0.02 * l;
    if (i % Math.max(1, Math.floor(steps / 10)) === 0 || i === steps) {
      const done = i / steps;
      const bar = "#".repeat(Math.round(done * 30)).padEnd(30, ".");
      console.log(`[${bar}] step ${String(i).padStart(5)}  loss (EMA) ${avg.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const ks = c.random.split(c.random.key(123), 2);
  await report(sampleData(ks[0]!, 4000), "data");
  await report(sample(ema, ks[1]!, 4000), "1-step sCM samples");
  await report(c.mul(c.random.normal(ks[1]!, [4000, 2]), sigmaData), "noise (untrained)");
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
