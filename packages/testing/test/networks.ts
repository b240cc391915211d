// The networks of the PyTorch reference vectors (fixtures/torch, see its README.md and generate.py),
// written once as functions of tensors with the engine's public ops. Every function takes its
// inputs positionally in the fixture's key order and works in any float dtype (numbers are weakly
// typed, so scalars take the operands' dtype).
import { add, conv2d, div, logsumexp, matmul, mean, reshape, rsqrt, silu, softmax, square, sub, mul, tanh, transpose, type Tensor } from "@scm-ts/core";

/** h1 = tanh(x@W1 + b1); h2 = silu(h1@W2 + b2); out = h2@W3 + b3 (weights are [in, out]). */
export function mlp(x: Tensor, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor, W3: Tensor, b3: Tensor): Tensor {
  const h1 = tanh(add(matmul(x, W1), b1));
  const h2 = silu(add(matmul(h1, W2), b2));
  return add(matmul(h2, W3), b3);
}

/** A per-channel vector [C] as [1, C, 1, 1], to broadcast over NCHW. */
function perChannel(v: Tensor): Tensor {
  return reshape(v, [1, v.shape[0]!, 1, 1]);
}

/**
 * Group norm as a composition: reshape [N, C, H, W] to [N, G, C/G·H·W], mean and biased variance
 * over the last axis, (y − mean)·rsqrt(var + eps), reshape back, then gamma[c]·n + beta[c].
 */
export function groupNorm(y: Tensor, groups: number, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const [n, c, h, w] = y.shape as [number, number, number, number];
  const g = reshape(y, [n, groups, (c / groups) * h * w]);
  const mu = mean(g, -1, true);
  const centered = sub(g, mu);
  const variance = mean(square(centered), -1, true);
  const normed = reshape(mul(centered, rsqrt(add(variance, eps))), [n, c, h, w]);
  return add(mul(normed, perChannel(gamma)), perChannel(beta));
}

/**
 * y1 = conv2d(x, w1) + c1 (stride 1, pad 1); n1 = group_norm(y1, 2 groups, gamma, beta, eps 1e-5);
 * a1 = silu(n1); out = conv2d(a1, w2, stride 2, pad 1, groups 2) (no bias).
 */
export function convnet(x: Tensor, w1: Tensor, c1: Tensor, gamma: Tensor, beta: Tensor, w2: Tensor): Tensor {
  const y1 = add(conv2d(x, w1, { stride: 1, padding: 1 }), perChannel(c1));
  const a1 = silu(groupNorm(y1, 2, gamma, beta, 1e-5));
  return conv2d(a1, w2, { stride: 2, padding: 1, groups: 2 });
}

/** s = q@kᵀ/sqrt(d); p = softmax(s, −1); out = p@v, over [batch, heads, tokens, d]. */
export function attention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const d = q.shape[q.ndim - 1]!;
  const s = div(matmul(q, transpose(k, [0, 1, 3, 2])), Math.sqrt(d));
  return matmul(softmax(s, -1), v);
}

/** softmax over the last axis. */
export function softmaxLast(x: Tensor): Tensor {
  return softmax(x, -1);
}

/** logsumexp over the last axis. */
export function logsumexpLast(x: Tensor): Tensor {
  return logsumexp(x, -1);
}
