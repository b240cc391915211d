// CPU/WebGPU parity of the MLP, U-Net and DiT at their smallest presets (issue 5): `init(key)` gives
// the same parameters on both backends (the random bits are identical; Box–Muller's float32 log, sqrt
// and cos differ by a few ulps between llvmpipe and the CPU, nothing more), and the jitted forward, the sCM JVP along (du, dt) and the gradient of a loss with
// respect to every parameter agree within float32 tolerance. Weights are perturbed so no zero-init
// output layer hides a term. Skips with one line without an adapter; fails in CI (SCM_REQUIRE_WEBGPU=1).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkParity } from "@scm-ts/testing";
import { webgpuGate } from "@scm-ts/webgpu";
import { describe, test } from "vitest";
import { dit, ditPresets } from "./dit.js";
import { mlp, mlpPresets } from "./mlp.js";
import type { ModelParams, Network } from "./network.js";
import { unet, unetPresets } from "./unet.js";

const gpu = await webgpuGate("models");

/** The same parameters on both backends: equal up to the float32 accuracy of the normal draws (cos of 2πu is within ~1e-6 absolute). */
async function sameInit<C, P>(net: Network<C, P>): Promise<void> {
  await checkParity(() => net.init(c.random.key(7)), [], { rtol: 1e-5, atol: 2e-6 });
}

/** Jitted forward, JVP along (du, dt) and parameter gradient, on the backend active when called. */
async function forwardJvpGrad<C, P>(net: Network<C, P>): Promise<void> {
  // the JVP's primal output is the forward
  const jvp = c.jit((p: ModelParams<P>, u: Tensor, t: Tensor, du: Tensor, dt: Tensor) => c.jvp((a: Tensor, b: Tensor) => net.apply(p, a, b), [u, t], [du, dt]));
  const grad = c.jit((p: ModelParams<P>, u: Tensor, t: Tensor, w: Tensor) => c.grad((q: ModelParams<P>) => c.sum(c.mul(net.apply(q, u, t), w)))(p));
  const run = () => {
    const p0 = net.init(c.random.key(1));
    const p = c.treeMap(p0, (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(1000 + i), w.shape), 0.1)));
    const shape = [2, ...net.sampleShape];
    const u = c.random.normal(c.random.key(2), shape), du = c.random.normal(c.random.key(3), shape), w = c.random.normal(c.random.key(4), shape);
    const t = c.array([0.3, 1.2]), dt = c.array([0.5, -0.25]);
    return [jvp(p, u, t, du, dt), grad(p, u, t, w)];
  };
  await checkParity(run, [], { rtol: 1e-3, atol: 1e-4 });
}

describe.skipIf(!gpu.available)("models: WebGPU vs CPU", () => {
  const nets = { mlp: mlp(mlpPresets.tiny), unet: unet(unetPresets.tiny), dit: dit(ditPresets.tiny) };
  for (const [name, net] of Object.entries(nets)) {
    test(`${name}: the same key gives the same parameters`, () => sameInit(net as Network<unknown, unknown>));
    // compiling the U-Net's kernels on llvmpipe takes ~10 s on an idle 2-core machine; allow for a loaded one
    test(`${name}: forward, JVP and gradient (jitted)`, () => forwardJvpGrad(net as Network<unknown, unknown>), 240_000);
  }
});
