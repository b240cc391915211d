// The analytic "perfect teacher" for a Gaussian mixture p0 = Σ_k π_k N(μ_k, Σ_k) with any means, weights and
// isotropic, diagonal or full covariances (docs/guide/math.md, "Gaussian mixtures in closed form", extended
// from isotropic s_k² I to any Σ_k by working in each component's eigenbasis). Under TrigFlow the marginal is
// p_t = Σ_k π_k N(cos t·μ_k, S_k(t)), S_k(t) = cos²t·Σ_k + σ_d² sin²t·I, so the posterior weights, denoiser,
// noise prediction, score and PF-ODE velocity are exact closed forms; the flow map and the consistency function
// integrate that velocity with Dormand–Prince 5(4) in float64 (rtol 1e−10 by default), since mixtures have no
// closed-form flow.
import type { MixtureComponent } from "@scm-ts/core";
import { integrateDopri5, type AdaptiveOdeOptions } from "./adaptive-ode.js";
import { checkSigmaData, checkTime, pickComponent, type AnalyticOracle } from "./analytic-oracle.js";
import {
  addFromEigenbasis,
  covarianceMatrix,
  marginalEigenvalues,
  sampleGaussian,
  spectralGaussian,
  toEigenbasis,
  type SpectralGaussian,
} from "./gaussian-component.js";
import { paperSigmaData } from "./trigflow.js";

/** A Gaussian-mixture data distribution and the TrigFlow settings of its oracle. */
export interface GaussianMixtureSpec {
  /** The components; weights are normalised to sum to 1. */
  readonly components: readonly MixtureComponent[];
  /** σ_d (default 0.5, the paper's). */
  readonly sigmaData?: number;
  /** Tolerances of the flow-map integration (default rtol 1e−10, atol 1e−12). */
  readonly ode?: AdaptiveOdeOptions;
}

/** The exact oracle of a Gaussian mixture (math.md, "Exact oracles"). Validates the spec; throws on bad input. */
export function gaussianMixtureOracle(spec: GaussianMixtureSpec): AnalyticOracle {
  const sigmaData = spec.sigmaData ?? paperSigmaData;
  checkSigmaData("gaussianMixtureOracle", sigmaData);
  if (spec.components.length === 0) throw new RangeError("gaussianMixtureOracle: no components; pass at least one");
  const components: SpectralGaussian[] = spec.components.map((c, k) => spectralGaussian(c, `gaussianMixtureOracle: component ${k}`));
  const d = components[0]!.dimension;
  components.forEach((c, k) => {
    if (c.dimension !== d) throw new RangeError(`gaussianMixtureOracle: component ${k} has dimension ${c.dimension} but component 0 has ${d}`);
  });
  const rawWeights = spec.components.map((c, k) => {
    if (!(c.weight > 0 && Number.isFinite(c.weight))) {
      throw new RangeError(`gaussianMixtureOracle: component ${k} has weight ${c.weight}; weights must be positive and finite`);
    }
    return c.weight;
  });
  const totalWeight = rawWeights.reduce((a, b) => a + b, 0);
  const weights = Float64Array.from(rawWeights, (w) => w / totalWeight);
  const logWeights = Float64Array.from(weights, Math.log);
  const odeOptions = spec.ode ?? {};
  const K = components.length;
  // Scratch buffers, reused by every evaluation (single-threaded).
  const xBuffer = new Float64Array(d);
  const eBuffer = new Float64Array(d);
  const ys = components.map(() => new Float64Array(d));
  const ss = components.map(() => new Float64Array(d));
  const coefficient = new Float64Array(d);
  const posterior = new Float64Array(K);

  function checkPoint(context: string, x: ArrayLike<number>, t: number): void {
    if (x.length !== d) throw new RangeError(`${context}: point has length ${x.length} but the mixture has dimension ${d}`);
    checkTime(context, t);
  }

  // Per-time quantities, recomputed only when t changes (a batch flow evaluates many points at one t):
  // s_i(t) for every component and the constant part of each log-likelihood term.
  let preparedTime = NaN;
  const logConstants = new Float64Array(K);
  function prepare(t: number): void {
    if (t === preparedTime) return;
    for (let k = 0; k < K; k++) {
      const s = ss[k]!;
      marginalEigenvalues(components[k]!, t, sigmaData, s);
      let logDet = 0;
      for (let i = 0; i < d; i++) {
        if (!(s[i]! > 0)) {
          preparedTime = NaN;
          throw new RangeError(`gaussianMixtureOracle: component ${k} has zero variance along a direction, so p_t is singular at t = ${t}; evaluate at t > 0`);
        }
        logDet += Math.log(s[i]!);
      }
      logConstants[k] = logWeights[k]! - 0.5 * d * Math.log(2 * Math.PI) - 0.5 * logDet;
    }
    preparedTime = t;
  }

  // math.md, "Gaussian mixtures in closed form": log w_k ∝ log π_k + log N(x; cos t μ_k, S_k); fills ys
  // (Qᵀe_k), ss (s_i(t)), posterior. Returns log p_t(x) (log-sum-exp of the component terms).
  function analyse(x: ArrayLike<number>, t: number): number {
    prepare(t);
    const cosT = Math.cos(t);
    let maxLogit = -Infinity;
    for (let k = 0; k < K; k++) {
      const c = components[k]!;
      const s = ss[k]!;
      const y = ys[k]!;
      for (let i = 0; i < d; i++) eBuffer[i] = x[i]! - cosT * c.mean[i]!;
      toEigenbasis(c, eBuffer, y);
      let logit = logConstants[k]!;
      for (let i = 0; i < d; i++) logit -= (0.5 * y[i]! * y[i]!) / s[i]!;
      posterior[k] = logit;
      maxLogit = Math.max(maxLogit, logit);
    }
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const w = Math.exp(posterior[k]! - maxLogit);
      posterior[k] = w;
      sum += w;
    }
    for (let k = 0; k < K; k++) posterior[k] = posterior[k]! / sum;
    return maxLogit + Math.log(sum);
  }

  // Σ_k w_k [meanScale·μ_k + Q_k(coefficient_k ⊙ y_k)], with coefficient_i = coefficientOf(λ_i, s_i).
  function combine(meanScale: number, coefficientOf: (lambda: number, s: number) => number, out: Float64Array): Float64Array {
    out.fill(0);
    for (let k = 0; k < K; k++) {
      const c = components[k]!;
      const w = posterior[k]!;
      if (w === 0) continue;
      const s = ss[k]!;
      for (let i = 0; i < d; i++) {
        coefficient[i] = coefficientOf(c.eigenvalues[i]!, s[i]!);
        out[i] = out[i]! + w * meanScale * c.mean[i]!;
      }
      addFromEigenbasis(c, ys[k]!, coefficient, w, out);
    }
    return out;
  }

  // math.md, "Gaussian mixtures in closed form": v = Σ_k w_k [−sin t·μ_k + sin t cos t (σ_d² − Σ_k) S_k⁻¹ e_k]
  // (smooth on [0, π/2]).
  function velocityInto(x: ArrayLike<number>, t: number, out: Float64Array): Float64Array {
    analyse(x, t);
    const sinCos = Math.sin(t) * Math.cos(t);
    const sigma2 = sigmaData * sigmaData;
    return combine(-Math.sin(t), (lambda, s) => (sinCos * (sigma2 - lambda)) / s, out);
  }

  const oracle: AnalyticOracle = {
    dimension: d,
    sigmaData,
    mean() {
      const m = new Float64Array(d);
      components.forEach((c, k) => c.mean.forEach((mu, i) => (m[i] = m[i]! + weights[k]! * mu)));
      return m;
    },
    covariance() {
      const m = oracle.mean();
      const data = new Float64Array(d * d);
      components.forEach((c, k) => {
        const sigma = covarianceMatrix(c);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
          data[i * d + j] = data[i * d + j]! + weights[k]! * (sigma.data[i * d + j]! + c.mean[i]! * c.mean[j]!);
        }
      });
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) data[i * d + j] = data[i * d + j]! - m[i]! * m[j]!;
      return { rows: d, cols: d, data };
    },
    sample(random) {
      return sampleGaussian(components[pickComponent(weights, random.uniform())]!, () => random.normal());
    },
    logDensity(x, t) {
      checkPoint("logDensity", x, t);
      return analyse(x, t);
    },
    posteriorWeights(x, t) {
      checkPoint("posteriorWeights", x, t);
      analyse(x, t);
      return Float64Array.from(posterior);
    },
    // math.md, "Gaussian mixtures in closed form": D = Σ_k w_k [μ_k + cos t·Σ_k S_k⁻¹ e_k].
    denoiser(x, t) {
      checkPoint("denoiser", x, t);
      analyse(x, t);
      const cosT = Math.cos(t);
      return combine(1, (lambda, s) => (cosT * lambda) / s, new Float64Array(d));
    },
    // math.md, "Gaussian mixtures in closed form": Ẑ = Σ_k w_k σ_d² sin t·S_k⁻¹ e_k.
    noisePrediction(x, t) {
      checkPoint("noisePrediction", x, t);
      analyse(x, t);
      const scale = sigmaData * sigmaData * Math.sin(t);
      return combine(0, (_lambda, s) => scale / s, new Float64Array(d));
    },
    // math.md, "Gaussian mixtures in closed form": ∇log p_t(x) = −Σ_k w_k S_k⁻¹ e_k.
    score(x, t) {
      checkPoint("score", x, t);
      analyse(x, t);
      return combine(0, (_lambda, s) => -1 / s, new Float64Array(d));
    },
    velocity(x, t) {
      checkPoint("velocity", x, t);
      return velocityInto(x, t, new Float64Array(d));
    },
    // math.md, "Gaussian mixtures in closed form": F*(x/σ_d, t) = v(x, t)/σ_d.
    diffusionF(u, t) {
      const x = Float64Array.from(u, (value) => value * sigmaData);
      return oracle.velocity(x, t).map((v) => v / sigmaData);
    },
    // math.md, "Gaussian mixtures in closed form" (exact posterior): k ~ w_k, x0 ~ N(μ_k + cos t Σ_k S_k⁻¹ e_k,
    // σ_d² sin²t Σ_k S_k⁻¹).
    posteriorSample(x, t, random) {
      checkPoint("posteriorSample", x, t);
      analyse(x, t);
      const k = pickComponent(posterior, random.uniform());
      const c = components[k]!;
      const s = ss[k]!;
      const cosT = Math.cos(t);
      const noise2 = (sigmaData * Math.sin(t)) ** 2;
      const out = Float64Array.from(c.mean);
      addFromEigenbasis(c, ys[k]!, Float64Array.from(c.eigenvalues, (lambda, i) => (cosT * lambda) / s[i]!), 1, out);
      const n = Float64Array.from({ length: d }, () => random.normal());
      addFromEigenbasis(c, n, Float64Array.from(c.eigenvalues, (lambda, i) => Math.sqrt((noise2 * lambda) / s[i]!)), 1, out);
      return out;
    },
    flowMap(x, t, tEnd) {
      checkPoint("flowMap", x, t);
      return oracle.flowMapBatch(x, t, tEnd);
    },
    // math.md, "The exact flow and consistency function": integrate the smooth velocity form in float64; all
    // points share one adaptive step.
    flowMapBatch(points, t, tEnd) {
      checkTime("flowMapBatch", t);
      checkTime("flowMapBatch", tEnd);
      if (points.length % d !== 0) throw new RangeError(`flowMapBatch: ${points.length} values are not a whole number of points of dimension ${d}`);
      const n = points.length / d;
      const out = new Float64Array(d);
      const g = (y: Float64Array, tau: number): Float64Array => {
        const dy = new Float64Array(y.length);
        for (let p = 0; p < n; p++) {
          for (let i = 0; i < d; i++) xBuffer[i] = y[p * d + i]!;
          velocityInto(xBuffer, Math.min(Math.max(tau, 0), Math.PI / 2), out);
          dy.set(out, p * d);
        }
        return dy;
      };
      return integrateDopri5(g, points, t, tEnd, odeOptions).y;
    },
    f(x, t) {
      return oracle.flowMap(x, t, 0);
    },
    // math.md, "The exact flow and consistency function": F_cm(x/σ_d, t) = (cos t·x − f*(x, t))/(σ_d sin t), t
    // > 0 (loses ~rtol/sin t near 0).
    consistencyF(u, t) {
      if (!(t > 0)) throw new RangeError(`consistencyF: needs t > 0 for a mixture (0/0 at t = 0), got ${t}`);
      const x = Float64Array.from(u, (value) => value * sigmaData);
      const fx = oracle.f(x, t);
      const denominator = sigmaData * Math.sin(t);
      return fx.map((value, i) => (Math.cos(t) * x[i]! - value) / denominator);
    },
  };
  return oracle;
}
