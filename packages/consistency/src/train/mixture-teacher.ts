// The exact TrigFlow teacher of a Gaussian mixture with isotropic or diagonal components as a tensor
// network, so sCD against the true velocity runs inside a jitted step
// (docs/guide/math.md, "Gaussian mixtures in closed form"). With Σ_k = diag(s_k²) every coordinate i
// evolves on its own:
//   v(x, t) = Σ_k w_k(x, t)·[−sin t·μ_k + (sin t cos t (σ_d² − s_k²)/a_k²) ⊙ (x − cos t·μ_k)],
//   a_k² = s_k² cos²t + σ_d² sin²t,  w = softmax_k(log π_k − ½ Σ_i log a_ki² − Σ_i (x − cos t·μ_k)_i²/(2a_ki²)),
// and F*(x/σ_d, t) = v(x, t)/σ_d. (Full covariances need the eigenbasis: trigflow's gaussianMixtureOracle.)
import * as c from "@scm-ts/core";
import type { MixtureComponent, RawNetwork } from "@scm-ts/core";

/** The per-coordinate variances s_k² of component k, refusing a full covariance. */
function variances(k: number, component: MixtureComponent, d: number): readonly number[] {
  const cov = component.covariance;
  if (component.mean.length !== d) throw new RangeError(`mixtureTeacher: component ${k} has a mean of length ${component.mean.length} but component 0 has ${d}`);
  if (cov.kind === "isotropic") return new Array<number>(d).fill(cov.variance);
  if (cov.kind === "diagonal" && cov.variances.length === d) return cov.variances;
  if (cov.kind === "diagonal") throw new RangeError(`mixtureTeacher: component ${k} has ${cov.variances.length} variances for a mean of length ${d}; they must match`);
  throw new RangeError(`mixtureTeacher: component ${k} has a full covariance; this tensor teacher takes isotropic or diagonal ones (use trigflow's gaussianMixtureOracle for full covariances)`);
}

/** F* of the mixture as a network of (u, t [B]); components with isotropic or diagonal covariances. */
export function mixtureTeacher(components: readonly MixtureComponent[], sigmaData: number, dtype: c.DType = "float32"): RawNetwork {
  if (components.length === 0) throw new RangeError("mixtureTeacher: no components; pass at least one");
  const K = components.length, d = components[0]!.mean.length;
  const total = components.reduce((s, k) => s + k.weight, 0);
  const s2 = c.array(components.flatMap((k, i) => [...variances(i, k, d)]), [1, K, d], { dtype }); // [1, K, d]
  const mu = c.array(components.flatMap((k) => [...k.mean]), [1, K, d], { dtype }); // [1, K, d]
  const logPi = c.array(components.map((k) => Math.log(k.weight / total)), [1, K, 1], { dtype });
  return (u, t) => {
    const B = u.shape[0]!;
    const x = c.reshape(c.mul(u, sigmaData), [B, 1, d]); // [B, 1, d]
    const tc = c.reshape(t, [B, 1, 1]);
    const cos = c.cos(tc), sin = c.sin(tc);
    const e = c.sub(x, c.mul(cos, mu)); // [B, K, d]
    const a2 = c.add(c.mul(s2, c.square(cos)), c.mul(c.square(sin), sigmaData * sigmaData)); // [B, K, d]
    const logp = c.sub(c.sub(logPi, c.mul(c.sum(c.log(a2), 2, true), 0.5)), c.sum(c.div(c.square(e), c.mul(a2, 2)), 2, true)); // [B, K, 1]
    const w = c.softmax(logp, 1); // [B, K, 1]
    const coef = c.div(c.mul(c.mul(sin, cos), c.sub(sigmaData * sigmaData, s2)), a2); // [B, K, d]
    const v = c.sum(c.mul(w, c.add(c.mul(c.neg(sin), mu), c.mul(coef, e))), 1); // [B, d]
    return c.div(v, sigmaData);
  };
}
