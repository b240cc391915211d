// CPU/WebGPU parity of every layer (issue 5): each layer's parameters are drawn from a key on the
// backend under test (so `init(key)` itself is compared), perturbed so that no zero-initialised
// weight hides a term, and then its forward value, its JVP along random tangents of parameters and
// inputs, and its VJP (the cotangents of parameters and inputs) are compared with the CPU backend
// in float32. Attention runs in its three forms: composed, fused JVP rule, and the online-softmax
// rule over key blocks. Skips with one line without an adapter; fails in CI (SCM_REQUIRE_WEBGPU=1).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkParity } from "@scm-ts/testing";
import { webgpuGate } from "@scm-ts/webgpu";
import { describe, expect, test } from "vitest";
import * as adaptiveDoubleNorm from "./adaptive-double-norm.js";
import { dotProductAttention, fusedAttention } from "./attention.js";
import * as classEmbedding from "./class-embedding.js";
import * as conv2d from "./conv.js";
import * as fourierEmbedding from "./fourier-embedding.js";
import * as groupNorm from "./group-norm.js";
import * as guidanceEmbedding from "./guidance-embedding.js";
import * as layerNorm from "./layer-norm.js";
import * as linear from "./linear.js";
import { pixelNorm } from "./pixel-norm.js";
import { positionalEmbedding } from "./positional-embedding.js";
import { dropout } from "./dropout.js";
import { downsample2d, upsample2d } from "./resample.js";
import * as selfAttention from "./self-attention.js";

const gpu = await webgpuGate("nn layers");
const tol = { rtol: 2e-4, atol: 2e-5 };

/** Adds 0.1·N(0, 1) to every float leaf (keyed by position), so zero-init weights take part. */
function perturb<T>(tree: T, seed: number): T {
  return c.treeMap(tree, (w: Tensor, i: number) => (w.dtype === "float32" ? c.add(w, c.mul(c.random.normal(c.random.key(seed + i), w.shape), 0.1)) : w)) as T;
}

/** Random tangents shaped like the float leaves of `tree` (others unchanged). */
function tangentsLike<T>(tree: T, seed: number): T {
  return c.treeMap(tree, (w: Tensor, i: number) => (w.dtype === "float32" ? c.random.normal(c.random.key(seed + i), w.shape) : w)) as T;
}

/**
 * `make(key)` returns the layer's parameters and inputs, drawn on the active backend; `f(p, ...xs)`
 * applies it. Returns [init params, y, jvp tangent, VJP cotangents], all drawn from fixed keys.
 */
function forwardJvpVjp<P>(make: (key: Tensor) => [P, Tensor[]], f: (p: P, ...xs: Tensor[]) => Tensor): () => unknown {
  return () => {
    const [p0, xs] = make(c.random.key(11));
    const args = [perturb(p0, 1000), ...xs] as [P, ...Tensor[]];
    const g = (...a: [P, ...Tensor[]]) => f(...a);
    const [y, dy] = c.jvp(g, args, tangentsLike(args, 2000));
    const [, pullback] = c.vjp(g, ...args);
    return [p0, y, dy, pullback(c.random.normal(c.random.key(3000), y.shape))];
  };
}

const normal = (k: Tensor, i: number, shape: number[]): Tensor => c.random.normal(c.random.split(k, 8)[i]!, shape);

describe.skipIf(!gpu.available)("nn layers: WebGPU vs CPU (forward, JVP, VJP, init)", () => {
  test("linear", async () => {
    const cfg = { inFeatures: 13, outFeatures: 7 };
    await checkParity(forwardJvpVjp((k) => [linear.init(k, cfg), [normal(k, 5, [3, 5, 13])]], (p, x) => linear.apply(p, x!)), [], tol);
  });

  test("conv2d (3×3 SAME, strided VALID, grouped)", async () => {
    const cfgs: conv2d.Conv2dConfig[] = [
      { inChannels: 3, outChannels: 5, kernel: 3 },
      { inChannels: 4, outChannels: 6, kernel: 3, stride: 2, padding: "VALID" },
      { inChannels: 4, outChannels: 6, kernel: 1, groups: 2 },
    ];
    for (const cfg of cfgs) {
      await checkParity(forwardJvpVjp((k) => [conv2d.init(k, cfg), [normal(k, 5, [2, cfg.inChannels, 7, 9])]], (p, x) => conv2d.apply(p, x!, cfg)), [], tol);
    }
  });

  test("group norm, layer norm, pixel norm", async () => {
    const gcfg = { channels: 6, groups: 3 };
    await checkParity(forwardJvpVjp((k) => [groupNorm.init(gcfg), [c.add(c.mul(normal(k, 5, [2, 6, 5, 3]), 3), 1)]], (p, x) => groupNorm.apply(p, x!, gcfg)), [], tol);
    const lcfg = { features: 19 };
    await checkParity(forwardJvpVjp((k) => [layerNorm.init(lcfg), [normal(k, 5, [3, 4, 19])]], (p, x) => layerNorm.apply(p, x!, lcfg)), [], tol);
    await checkParity(forwardJvpVjp((k) => [{}, [normal(k, 5, [2, 5, 3, 3])]], (_, x) => pixelNorm(x!, { axis: 1 })), [], tol);
  });

  test("adaptive double normalisation over NCHW, tokens and vectors", async () => {
    const cfg = { embDim: 10, channels: 6 };
    for (const shape of [[2, 6, 3, 5], [2, 7, 6], [2, 6]]) {
      await checkParity(forwardJvpVjp((k) => [adaptiveDoubleNorm.init(k, cfg), [normal(k, 5, shape), normal(k, 6, [2, 10])]], (p, x, e) => adaptiveDoubleNorm.apply(p, x!, e!, cfg)), [], tol);
    }
  });

  test("embeddings: positional, Fourier, class, guidance", async () => {
    const t = (k: Tensor) => c.random.uniform(k, [5], { minval: 0, maxval: 1.6 });
    await checkParity(forwardJvpVjp((k) => [{}, [t(k)]], (_, x) => positionalEmbedding(x!, { dim: 16 })), [], tol);
    await checkParity(forwardJvpVjp((k) => [fourierEmbedding.init(k, { dim: 12 }), [t(k)]], (p, x) => fourierEmbedding.apply(p, x!)), [], { rtol: 1e-3, atol: 1e-3 });
    await checkParity(forwardJvpVjp((k) => [classEmbedding.init(k, { numClasses: 4, dim: 9 }), [normal(k, 5, [3, 4])]], (p, x) => classEmbedding.apply(p, x!)), [], tol);
    const gcfg = { featureDim: 8, dim: 11 };
    await checkParity(forwardJvpVjp((k) => [guidanceEmbedding.init(k, gcfg), [c.mul(t(k), 3)]], (p, w) => guidanceEmbedding.apply(p, w!, gcfg)), [], tol);
  });

  test("up- and down-sampling, keyed dropout", async () => {
    await checkParity(forwardJvpVjp((k) => [{}, [normal(k, 5, [4, 33])]], (_, x) => dropout(c.random.key(5), x!, 0.3)), [], tol);
    await checkParity(forwardJvpVjp((k) => [{}, [normal(k, 5, [2, 3, 5, 7])]], (_, x) => upsample2d(x!)), [], tol);
    await checkParity(forwardJvpVjp((k) => [{}, [normal(k, 5, [2, 3, 6, 10])]], (_, x) => downsample2d(x!)), [], tol);
  });

  test("attention: composed, fused JVP and online-softmax JVP over key blocks", async () => {
    const qkv = (k: Tensor): [object, Tensor[]] => [{}, [normal(k, 1, [2, 3, 9, 5]), normal(k, 2, [2, 3, 11, 5]), normal(k, 3, [2, 3, 11, 4])]];
    await checkParity(forwardJvpVjp(qkv, (_, q, k, v) => dotProductAttention(q!, k!, v!)), [], tol);
    await checkParity(forwardJvpVjp(qkv, (_, q, k, v) => fusedAttention(q!, k!, v!)), [], tol);
    await checkParity(forwardJvpVjp(qkv, (_, q, k, v) => fusedAttention(q!, k!, v!, { blockSize: 4 })), [], tol);
  });

  test("multi-head self-attention", async () => {
    const cfg = { dim: 12, heads: 3, outInitScale: 0 };
    await checkParity(forwardJvpVjp((k) => [selfAttention.init(k, cfg), [normal(k, 5, [2, 7, 12])]], (p, x) => selfAttention.apply(p, x!, cfg)), [], tol);
  });

  test("the checks can fail: a perturbed layer differs from the CPU", async () => {
    const cfg = { inFeatures: 3, outFeatures: 2 };
    const differs = () => (c.getBackend().name === "webgpu" ? 1e-3 : 0);
    await expect(checkParity(forwardJvpVjp((k) => [linear.init(k, cfg), [normal(k, 5, [2, 3])]], (p, x) => c.add(linear.apply(p, x!), differs())), [], tol)).rejects.toThrow(/parity webgpu vs cpu/);
  });
});
