// The training objectives as functions of parameters: a model (apply and an optional logvar head)
// and a mode — TrigFlow diffusion (teacher), sCT, sCD (from a frozen teacher), or the discrete-time
// CM — become `(params, x0, key, r) → loss + logged quantities`, ready for valueAndGrad.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import type { LogNormalParameters } from "@scm-ts/trigflow";
import { diffusionLoss } from "../diffusion-loss.js";
import { discreteCmLoss } from "../discrete-loss.js";
import { scmLoss } from "../scm-loss.js";
import { paperNormalization, type TangentNormalization } from "../tangent.js";
import type { RawNetwork } from "../time.js";
import { discretePairSampler, sampleLogNormalTime } from "./time-sampling.js";

/** A model: the raw network F and an optional logvar head w_φ(t), both of the parameters. */
export interface Model<P> {
  /** F_θ(u, t): u = x_t/σ_d [B, …D] and t [B] in radians → [B, …D]. */
  apply(params: P, u: Tensor, t: Tensor): Tensor;
  /** The logvar head w_φ(t): t [B] → [B] (or [B, 1]); omit for no adaptive weighting. */
  logvar?(params: P, t: Tensor): Tensor;
}

/** What a training run optimises. */
export type Mode = "diffusion" | "sct" | "scd" | "cm-discrete";

/** Settings of an objective. */
export interface ObjectiveConfig {
  /** Which loss: TrigFlow diffusion, sCT, sCD or the discrete-time CM. */
  readonly mode: Mode;
  /** σ_d, the data standard deviation (the paper: 0.5); also scales the noise z ~ N(0, σ_d² I). */
  readonly sigmaData: number;
  /** The log-normal time proposal (P_mean, P_std). */
  readonly time: LogNormalParameters;
  /** Tangent normalisation of sCT/sCD/cm-discrete (default the paper's g/(‖g‖₂ + 0.1)). */
  readonly normalization?: TangentNormalization;
  /** sCD (and optionally cm-discrete): the frozen teacher network. */
  readonly teacher?: RawNetwork;
  /** cm-discrete: grid intervals N (default 1024). */
  readonly intervals?: number;
}

/** The scalar loss and per-batch quantities worth logging. */
export interface ObjectiveOutput {
  /** The batch loss, a scalar: what valueAndGrad differentiates. */
  readonly loss: Tensor;
  /** Logged quantities, not differentiated. */
  readonly aux: {
    /** Batch mean of the per-sample ‖g‖₂ before normalisation (0 for the diffusion loss). */
    readonly gNorm: Tensor;
    /** Batch mean of w_φ(t) (0 without a logvar head). */
    readonly logvar: Tensor;
  };
}

/** Builds the objective of a mode for a model. */
export function makeObjective<P>(model: Model<P>, config: ObjectiveConfig): (params: P, x0: Tensor, key: Tensor, r: Tensor) => ObjectiveOutput {
  const { mode, sigmaData, time } = config;
  if (mode === "scd" && !config.teacher) throw new Error("objective: mode 'scd' needs a teacher network (train one with mode 'diffusion' first)");
  const normalization = config.normalization ?? paperNormalization;
  const pairs = mode === "cm-discrete" ? discretePairSampler(config.intervals ?? 1024, time, sigmaData) : undefined;
  return (params, x0, key, r) => {
    const [kz, kt] = c.random.split(key, 2);
    const B = x0.shape[0]!;
    const z = c.mul(c.random.normal(kz!, [...x0.shape]), sigmaData);
    const F: RawNetwork = (u, t) => model.apply(params, u, t);
    const logvar = model.logvar ? (t: Tensor) => model.logvar!(params, t) : undefined;
    const common = { F, sigmaData, x0, z, ...(logvar ? { logvar } : {}) };
    const zero = c.zeros([B]);
    if (mode === "cm-discrete") {
      const { t, tPrev } = pairs!(kt!, B);
      const out = discreteCmLoss({ ...common, t, tPrev, r, normalization, ...(config.teacher ? { teacher: config.teacher } : {}) });
      return { loss: out.loss, aux: { gNorm: c.mean(out.gNorm), logvar: c.mean(out.logvar ?? zero) } };
    }
    const t = sampleLogNormalTime(kt!, B, time, sigmaData);
    if (mode === "diffusion") {
      const out = diffusionLoss({ ...common, t });
      return { loss: out.loss, aux: { gNorm: c.zeros([]), logvar: c.mean(out.logvar ?? zero) } };
    }
    const out = scmLoss({ ...common, t, r, normalization, ...(mode === "scd" ? { teacher: config.teacher! } : {}) });
    return { loss: out.loss, aux: { gNorm: c.mean(out.gNorm), logvar: c.mean(out.logvar ?? zero) } };
  };
}
