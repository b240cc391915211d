// The one-pass FlashAttention JVP of sCM App. F (docs/guide/math.md, "Network changes"), written with engine ops over key
// blocks of size Bk: for each query row, with logits x = s·q·Kᵀ and tangent t_x = s·(t_q·Kᵀ + q·t_Kᵀ),
// keep the running max m, ℓ = Σ e^{x−m}, f = Σ e^{x−m}·V, g = Σ e^{x−m}·t_x·V, μ = Σ e^{x−m}·t_x and
// f_t = Σ e^{x−m}·t_V; merging a block rescales every accumulator by e^{m_old − m_new}. At the end
// y = f/ℓ and t_y = g/ℓ − (μ/ℓ)·y + f_t/ℓ. This is the reference a fused GPU kernel must match.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";

function keyBlock(x: Tensor, start: number, stop: number): Tensor {
  const starts = x.shape.map((_, i) => (i === x.ndim - 2 ? start : 0));
  const limits = x.shape.map((d, i) => (i === x.ndim - 2 ? stop : d));
  return c.slice(x, starts, limits); // [..., Bk, D]
}

/** Output and tangent of attention by the online-softmax recursion over key blocks of `blockSize`. */
export function onlineAttentionJvp(q: Tensor, k: Tensor, v: Tensor, dq: Tensor, dk: Tensor, dv: Tensor, blockSize: number): [Tensor, Tensor] {
  const s = 1 / Math.sqrt(q.shape[q.ndim - 1]!);
  const m = k.shape[k.ndim - 2]!;
  let runMax: Tensor | undefined, l!: Tensor, f!: Tensor, g!: Tensor, mu!: Tensor, ft!: Tensor;
  for (let start = 0; start < m; start += blockSize) {
    const stop = Math.min(start + blockSize, m);
    const kj = keyBlock(k, start, stop), vj = keyBlock(v, start, stop);
    const dkj = keyBlock(dk, start, stop), dvj = keyBlock(dv, start, stop);
    const x = c.mul(c.matmul(q, c.matrixTranspose(kj)), s); // [..., N, Bk]
    const tx = c.mul(c.add(c.matmul(dq, c.matrixTranspose(kj)), c.matmul(q, c.matrixTranspose(dkj))), s); // [..., N, Bk]
    const blockMax = c.stopGradient(c.max(x, -1, true)); // [..., N, 1]
    const newMax = runMax ? c.maximum(runMax, blockMax) : blockMax;
    const e = c.exp(c.sub(x, newMax)); // [..., N, Bk]
    const etx = c.mul(e, tx);
    if (!runMax) {
      [l, f, g, mu, ft] = [c.sum(e, -1, true), c.matmul(e, vj), c.matmul(etx, vj), c.sum(etx, -1, true), c.matmul(e, dvj)];
    } else {
      const alpha = c.exp(c.sub(runMax, newMax)); // [..., N, 1]
      l = c.add(c.mul(alpha, l), c.sum(e, -1, true));
      f = c.add(c.mul(alpha, f), c.matmul(e, vj)); // [..., N, Dv]
      g = c.add(c.mul(alpha, g), c.matmul(etx, vj)); // [..., N, Dv]
      mu = c.add(c.mul(alpha, mu), c.sum(etx, -1, true)); // [..., N, 1]
      ft = c.add(c.mul(alpha, ft), c.matmul(e, dvj)); // [..., N, Dv]
    }
    runMax = newMax;
  }
  const inv = c.reciprocal(l);
  const y = c.mul(f, inv); // [..., N, Dv]
  const ty = c.add(c.sub(c.mul(g, inv), c.mul(c.mul(mu, inv), y)), c.mul(ft, inv)); // [..., N, Dv]
  return [y, ty];
}
