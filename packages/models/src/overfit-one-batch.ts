// Test support for the model tests (not exported): train a network on one fixed batch (x0, z, t) under the
// TrigFlow diffusion loss (docs/guide/math.md, "The diffusion loss and the teacher's times") with EDM2's
// adaptive weighting e^{w_φ(t)}·err − w_φ(t), err = mean ‖F_θ(x_t/σ_d, t) − v_t/σ_d‖², with Adam in one jitted
// step; returns the first and last err.
import * as c from "@scm-ts/core";
import type { NetworkOptions } from "@scm-ts/core";
import { adam, applyUpdates, type MomentState } from "@scm-ts/nn";
import type { ModelParams, Network } from "./network.js";

/** Options of `overfitOneBatch`. */
export interface OverfitOptions {
  readonly batch: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly numClasses?: number;
}

/** Trains on one batch; err before and after, and the wall time in seconds. */
export async function overfitOneBatch<C, P>(net: Network<C, P>, options: OverfitOptions): Promise<{ first: number; last: number; seconds: number }> {
  const sigmaData = 0.5;
  const k = c.random.split(c.random.key(42), 5);
  const shape = [options.batch, ...net.sampleShape];
  const x0 = c.mul(c.random.normal(k[0]!, shape), sigmaData);
  const z = c.mul(c.random.normal(k[1]!, shape), sigmaData);
  const t = c.random.uniform(k[2]!, [options.batch], { minval: 0.2, maxval: 1.4 });
  const tc = c.reshape(t, [options.batch, ...net.sampleShape.map(() => 1)]);
  const xt = c.add(c.mul(c.cos(tc), x0), c.mul(c.sin(tc), z)); // x_t = cos t·x0 + sin t·z
  const target = c.div(c.sub(c.mul(c.cos(tc), z), c.mul(c.sin(tc), x0)), sigmaData); // v_t/σ_d
  const applyOpts: NetworkOptions = options.numClasses
    ? { classLabels: c.astype(c.equal(c.reshape(c.arange(options.batch, undefined, 1, { dtype: "int32" }), [-1, 1]), c.arange(options.numClasses, undefined, 1, { dtype: "int32" })), "float32") }
    : {};
  const err = (p: ModelParams<P>) => c.mean(c.square(c.sub(net.apply(p, c.div(xt, sigmaData), t, applyOpts), target)), Array.from({ length: net.sampleShape.length }, (_, i) => i + 1)); // [B]
  const loss = (p: ModelParams<P>) => {
    const w = net.logvar(p, t); // [B]
    return c.mean(c.sub(c.mul(c.exp(w), err(p)), w));
  };
  const opt = adam({ learningRate: options.learningRate, b2: 0.99 });
  const step = c.jit((p: ModelParams<P>, s: MomentState<ModelParams<P>>) => {
    const g = c.grad(loss)(p);
    const [u, s2] = opt.update(g, s, p);
    return { p: applyUpdates(p, u), s: s2, err: c.mean(err(p)) };
  });
  let p = net.init(c.random.key(7));
  let s = opt.init(p);
  const t0 = performance.now();
  let first = NaN, last = NaN;
  for (let i = 0; i < options.steps; i++) {
    const out = step(p, s);
    ({ p, s } = out);
    if (i === 0) first = await out.err.item();
    if (i === options.steps - 1) last = await out.err.item();
  }
  last = await c.mean(err(p)).item();
  return { first, last, seconds: (performance.now() - t0) / 1000 };
}
