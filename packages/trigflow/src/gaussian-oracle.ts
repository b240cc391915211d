// The closed-form oracle for a single Gaussian data distribution N(μ, Σ) with any symmetric positive
// semi-definite Σ (docs/guide/math.md, "The exact flow and consistency function"). All marginal covariances S_t
// = cos²t·Σ + σ_d² sin²t·I commute, so the PF-ODE flow, the consistency function f* and the ideal consistency
// network F_cm are explicit matrix functions in the eigenbasis of Σ: no ODE integration. Density, denoiser,
// velocity and posterior come from the one-component mixture oracle.
import type { GaussianSpec } from "@scm-ts/core";
import { addFromEigenbasis, marginalEigenvalues, spectralGaussian, toEigenbasis } from "./gaussian-component.js";
import { checkSigmaData, checkTime, type AnalyticOracle } from "./analytic-oracle.js";
import { gaussianMixtureOracle } from "./gaussian-mixture-oracle.js";
import { paperSigmaData } from "./trigflow.js";

/** A Gaussian data distribution and the σ_d of its TrigFlow process. */
export interface GaussianOracleSpec extends GaussianSpec {
  /** σ_d (default 0.5, the paper's). */
  readonly sigmaData?: number;
}

/**
 * The exact closed-form oracle of a single Gaussian (math.md, "The exact flow and consistency function").
 * Validates the spec; throws on bad input.
 */
export function gaussianOracle(spec: GaussianOracleSpec): AnalyticOracle {
  const sigmaData = spec.sigmaData ?? paperSigmaData;
  checkSigmaData("gaussianOracle", sigmaData);
  const g = spectralGaussian(spec, "gaussianOracle");
  const base = gaussianMixtureOracle({ components: [{ ...spec, weight: 1 }], sigmaData });
  const d = g.dimension;
  const sFrom = new Float64Array(d);
  const sTo = new Float64Array(d);
  const y = new Float64Array(d);
  const e = new Float64Array(d);

  function checkPoint(context: string, x: ArrayLike<number>, t: number): void {
    if (x.length !== d) throw new RangeError(`${context}: point has length ${x.length} but the Gaussian has dimension ${d}`);
    checkTime(context, t);
  }

  // e = x − cos t·μ in the eigenbasis, written to y.
  function centred(x: ArrayLike<number>, offset: number, t: number): void {
    const cosT = Math.cos(t);
    for (let i = 0; i < d; i++) e[i] = x[offset + i]! - cosT * g.mean[i]!;
    toEigenbasis(g, e, y);
  }

  // math.md, "The exact flow and consistency function": x_{t'} = cos t'·μ + S_{t'}^{1/2} S_t^{−1/2} (x_t − cos t·μ).
  function flowInto(x: ArrayLike<number>, offset: number, t: number, tEnd: number, out: Float64Array): void {
    centred(x, offset, t);
    marginalEigenvalues(g, t, sigmaData, sFrom);
    marginalEigenvalues(g, tEnd, sigmaData, sTo);
    const ratio = Float64Array.from(sFrom, (s, i) => {
      if (!(s > 0)) throw new RangeError(`gaussianOracle: flow from t = ${t} is singular (zero variance direction); start at t > 0`);
      return Math.sqrt(sTo[i]! / s);
    });
    const cosEnd = Math.cos(tEnd);
    const point = Float64Array.from(g.mean, (mu) => cosEnd * mu);
    addFromEigenbasis(g, y, ratio, 1, point);
    out.set(point, offset);
  }

  return {
    ...base,
    flowMap(x, t, tEnd) {
      checkPoint("flowMap", x, t);
      checkTime("flowMap", tEnd);
      const out = new Float64Array(d);
      flowInto(x, 0, t, tEnd, out);
      return out;
    },
    flowMapBatch(points, t, tEnd) {
      checkTime("flowMapBatch", t);
      checkTime("flowMapBatch", tEnd);
      if (points.length % d !== 0) throw new RangeError(`flowMapBatch: ${points.length} values are not a whole number of points of dimension ${d}`);
      const out = new Float64Array(points.length);
      for (let offset = 0; offset < points.length; offset += d) flowInto(points, offset, t, tEnd, out);
      return out;
    },
    // math.md, "The exact flow and consistency function": f*(x, t) = μ + Σ^{1/2} S_t^{−1/2} (x − cos t·μ); f*(x, 0) = x.
    f(x, t) {
      checkPoint("f", x, t);
      const out = new Float64Array(d);
      flowInto(x, 0, t, 0, out);
      return out;
    },
    // math.md, "The exact flow and consistency function": F_cm = (cos t·x − f*)/(σ_d sin t), rewritten without
    // the 0/0 at t = 0: F_cm = [Q diag(g_i) Qᵀ (x − cos t μ) − sin t·μ]/σ_d, g_i = sin t (σ_d² cos²t − λ_i(1 +
    // cos²t)) / (√s_i (cos t √s_i + √λ_i)).
    consistencyF(u, t) {
      checkPoint("consistencyF", u, t);
      const x = Float64Array.from(u, (value) => value * sigmaData);
      centred(x, 0, t);
      marginalEigenvalues(g, t, sigmaData, sFrom);
      const sinT = Math.sin(t);
      const cosT = Math.cos(t);
      const sigma2 = sigmaData * sigmaData;
      const gains = Float64Array.from(g.eigenvalues, (lambda, i) => {
        const rootS = Math.sqrt(sFrom[i]!);
        const denominator = rootS * (cosT * rootS + Math.sqrt(lambda));
        if (!(denominator > 0)) throw new RangeError(`gaussianOracle.consistencyF: singular at t = ${t} for a zero-variance direction; use t > 0`);
        return (sinT * (sigma2 * cosT * cosT - lambda * (1 + cosT * cosT))) / denominator;
      });
      const out = Float64Array.from(g.mean, (mu) => -sinT * mu);
      addFromEigenbasis(g, y, gains, 1, out);
      return out.map((value) => value / sigmaData);
    },
  };
}
