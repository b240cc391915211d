// The exact TrigFlow teacher of an isotropic Gaussian mixture as a tensor network, so sCD against
// the true velocity runs inside a jitted step (docs/guide/math.md, "Gaussian mixtures in closed form"):
//   v(x, t) = Σ_k w_k(x, t)·[−sin t·μ_k + (sin t cos t (σ_d² − s_k²)/a_k²)·(x − cos t·μ_k)],
//   a_k² = s_k² cos²t + σ_d² sin²t,  w = softmax_k(log π_k − (d/2) log a_k² − ‖x − cos t·μ_k‖²/(2a_k²)),
// and F*(x/σ_d, t) = v(x, t)/σ_d.
import * as c from "@scm-ts/core";
import type { RawNetwork } from "../time.js";

/** One isotropic component: weight π_k, mean μ_k, variance s_k². */
export interface IsotropicComponent {
  /** Mixture weight π_k > 0; the weights are normalised to sum to 1. */
  readonly weight: number;
  /** Mean μ_k, one entry per data dimension (every component has the same length d). */
  readonly mean: readonly number[];
  /** Per-dimension variance s_k² (covariance s_k² I). */
  readonly variance: number;
}

/** F* of the mixture as a network of (u, t [B]). */
export function mixtureTeacher(components: readonly IsotropicComponent[], sigmaData: number, dtype: c.DType = "float32"): RawNetwork {
  const K = components.length, d = components[0]!.mean.length;
  const total = components.reduce((s, k) => s + k.weight, 0);
  const mu = c.array(components.flatMap((k) => [...k.mean]), [1, K, d], { dtype }); // [1, K, d]
  const s2 = c.array(components.map((k) => k.variance), [1, K, 1], { dtype }); // [1, K, 1]
  const logPi = c.array(components.map((k) => Math.log(k.weight / total)), [1, K, 1], { dtype });
  return (u, t) => {
    const B = u.shape[0]!;
    const x = c.reshape(c.mul(u, sigmaData), [B, 1, d]); // [B, 1, d]
    const tc = c.reshape(t, [B, 1, 1]);
    const cos = c.cos(tc), sin = c.sin(tc);
    const e = c.sub(x, c.mul(cos, mu)); // [B, K, d]
    const a2 = c.add(c.mul(s2, c.square(cos)), c.mul(c.square(sin), sigmaData * sigmaData)); // [B, K, 1]
    const logp = c.sub(c.sub(logPi, c.mul(c.log(a2), d / 2)), c.div(c.sum(c.square(e), 2, true), c.mul(a2, 2)));
    const w = c.softmax(logp, 1); // [B, K, 1]
    const coef = c.div(c.mul(c.mul(sin, cos), c.sub(sigmaData * sigmaData, s2)), a2);
    const v = c.sum(c.mul(w, c.add(c.mul(c.neg(sin), mu), c.mul(coef, e))), 1); // [B, d]
    return c.div(v, sigmaData);
  };
}

