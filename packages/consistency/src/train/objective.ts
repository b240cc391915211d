// The training objectives as functions of parameters: a model (apply and an optional logvar head)
// and a mode — TrigFlow diffusion (teacher), sCT, sCD (from a frozen teacher), or the discrete-time
// CM — become `(params, x0, key, r, labels?) → loss + logged quantities`, ready for valueAndGrad. The
// objective also conditions the network: class labels with label dropout, the student's dropout key,
// and, for sCD from a class-conditional teacher, guidance distillation (conditioning.ts).
import * as c from "@scm-ts/core";
import type { Model, NetworkOptions, RawNetwork, Tensor } from "@scm-ts/core";
import type { LogNormalParameters } from "@scm-ts/trigflow";
import { diffusionLoss } from "../diffusion-loss.js";
import { discreteCmLoss } from "../discrete-loss.js";
import { scmLoss } from "../scm-loss.js";
import { paperNormalization, type TangentNormalization } from "../tangent.js";
import { checkClasses, checkGuidance, classLabelRows, guidedTeacher, objectiveKeys, sampleGuidanceScales, type ClassConditioning, type GuidanceConditioning } from "./conditioning.js";
import { discretePairSampler, sampleLogNormalTime } from "./time-sampling.js";

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
  /**
   * sCD (and optionally cm-discrete): the frozen teacher network. It is called without a dropout key
   * (the teacher runs deterministically) and, with `classes`, with the batch's class rows (after label
   * dropout) as `classLabels`.
   */
  readonly teacher?: RawNetwork;
  /**
   * cm-discrete: the number N of intervals of the EDM time grid the pairs (t_{i+1}, t_i) are drawn
   * from (default 1024; a positive integer); the other modes ignore it.
   */
  readonly intervals?: number;
  /** Class-conditional training: each call then takes int class ids [B] (−1 = null label). */
  readonly classes?: ClassConditioning;
  /**
   * Guidance distillation (sCD or cm-discrete with a teacher, and `classes`): the teacher's velocity is
   * F_u + w·(F_c − F_u) with w ~ U[scales] per example, and the student receives w as `guidance`.
   */
  readonly guidance?: GuidanceConditioning;
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
    /** Batch mean of the unweighted per-dimension error, the quantity whose floor is known (a loss curve's y). */
    readonly err: Tensor;
  };
}

/** An objective: (θ, x0 [B, …D], step key, warm-up r, class ids [B] when class-conditional) → loss. */
export type Objective<P> = (params: P, x0: Tensor, key: Tensor, r: Tensor, labels?: Tensor) => ObjectiveOutput;

function checkConfig(config: ObjectiveConfig): void {
  const { mode } = config;
  if (mode === "scd" && !config.teacher) throw new Error("objective: mode 'scd' needs a teacher network (train one with mode 'diffusion' first)");
  if (config.intervals !== undefined && !(Number.isInteger(config.intervals) && config.intervals >= 1)) throw new Error(`objective: intervals must be a positive integer, got ${config.intervals}`);
  if (config.classes) checkClasses("objective", config.classes);
  if (config.guidance) {
    checkGuidance("objective", config.guidance);
    if (!config.teacher || !(mode === "scd" || mode === "cm-discrete")) throw new Error(`objective: guidance distils a guided teacher; it needs mode 'scd' (or 'cm-discrete') with a teacher, not mode '${mode}'${config.teacher ? "" : " without one"}`);
    if (!config.classes) throw new Error("objective: guidance needs a class-conditional teacher; pass classes: { numClasses } too");
  }
}

/**
 * Builds the objective of a mode for a model.
 *
 * Dropout: the student gets one dropout key per call (a model whose dropout rate is 0 ignores it).
 * sCM needs the same mask in F_θ⁻, its tangent dF_θ⁻/dt and the F_θ that carries the gradient
 * (otherwise the tangent belongs to another network than the one trained). scmTangent evaluates the network once, inside c.jvp: the JVP's primal output is
 * F_θ (the gradient flows through it) and its stop-gradient is F_θ⁻, so one call with one key covers
 * all three; the key is a constant of that call, so the mask has no tangent. The diffusion loss calls
 * F once. The discrete-time CM calls F at x_t and at x_{t′} and both see the same key: with different
 * masks the difference [f⁻(x_t) − f⁻(x_{t′})]/sin(t − t′) would not tend to df/dt as t′ → t.
 */
export function makeObjective<P>(model: Model<P>, config: ObjectiveConfig): Objective<P> {
  checkConfig(config);
  const { mode, sigmaData, time, classes, guidance } = config;
  const normalization = config.normalization ?? paperNormalization;
  const pairs = mode === "cm-discrete" ? discretePairSampler(config.intervals ?? 1024, time, sigmaData) : undefined;
  return (params, x0, key, r, labels) => {
    if (classes && !labels) throw new Error(`objective: the objective is class-conditional (classes.numClasses = ${classes.numClasses}); pass the batch's class ids [B] with x0`);
    if (!classes && labels) throw new Error("objective: labels were passed but the objective has no classes; pass classes: { numClasses } to makeObjective");
    const keys = objectiveKeys(key);
    const B = x0.shape[0]!;
    const z = c.mul(c.random.normal(keys.noise, [...x0.shape]), sigmaData);
    const classLabels = classes ? classLabelRows(keys.labels, labels!, B, classes, x0.dtype) : undefined;
    const w = guidance ? sampleGuidanceScales(keys.guidance, B, guidance, x0.dtype) : undefined;
    const options: NetworkOptions = { dropoutKey: keys.dropout, ...(classLabels ? { classLabels } : {}), ...(w ? { guidance: w } : {}) };
    const F: RawNetwork = (u, t) => model.apply(params, u, t, options);
    const logvar = model.logvar ? (t: Tensor) => model.logvar!(params, t) : undefined;
    const common = { F, sigmaData, x0, z, ...(logvar ? { logvar } : {}) };
    const T = config.teacher;
    // The teacher: guided at the student's w, else conditioned on the same (dropped) labels; never dropout.
    const teacher: RawNetwork | undefined = !T ? undefined : w ? guidedTeacher(T, classLabels!, w) : classLabels ? (u, t) => T(u, t, { classLabels }) : T;
    const zero = c.zeros([B]);
    if (mode === "cm-discrete") {
      const { t, tPrev } = pairs!(keys.time, B);
      const out = discreteCmLoss({ ...common, t, tPrev, r, normalization, ...(teacher ? { teacher } : {}) });
      return { loss: out.loss, aux: { gNorm: c.mean(out.gNorm), logvar: c.mean(out.logvar ?? zero), err: c.mean(out.err) } };
    }
    const t = sampleLogNormalTime(keys.time, B, time, sigmaData);
    if (mode === "diffusion") {
      const out = diffusionLoss({ ...common, t });
      return { loss: out.loss, aux: { gNorm: c.zeros([]), logvar: c.mean(out.logvar ?? zero), err: c.mean(out.err) } };
    }
    const out = scmLoss({ ...common, t, r, normalization, ...(mode === "scd" ? { teacher: teacher! } : {}) });
    return { loss: out.loss, aux: { gNorm: c.mean(out.gNorm), logvar: c.mean(out.logvar ?? zero), err: c.mean(out.err) } };
  };
}
