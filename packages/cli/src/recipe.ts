// The training recipe `scm train` uses when a flag is not given: the defaults that measurements on
// several data sets and dimensions chose (docs/guide/training.md, "Defaults and the evidence"). Two
// settings depend on the data's dimension D, because the sCM tangent g behaves differently there:
// - below `lowDimension`, ‖g‖ of sCD falls under the normalisation's c as the student converges, so
//   the adaptive weight e^{w} grows like 1/error² and sCD trains better without it; sCT, whose loss
//   is mostly the variance of its one-sample velocity, scored as well or better without it in 2 steps
//   on every set from 2 to 16 entries; and sCT's normalised tangent is biased at c = 0.1 on a
//   mixture, much less at c = 1;
// - at image scale (D in the thousands) ‖g‖ ≫ c and the paper's choices hold (adaptive weighting, c = 0.1).
// The third is a sampling setting recorded in the checkpoint: 2-step sampling renoises at t_mid = 0.3
// below `lowDimension` (σ = 0.31·σ_d: the second step redraws the fine detail the first blurs), the
// paper's 1.1 at image scale; on all six data sets of the quality test t_mid = 0.3 scored far better.
// From 8 entries on it renoises at 0.45 (σ = 0.48·σ_d): on mixtures in 8 and 16 dimensions the first
// step strands more samples between components, and both students scored better there at 0.4–0.5,
// while in 2-D 0.3 was as good or better (spirals and moons by 0.1 nats).
// Likewise a diffusion run records the σ_max of its PF-ODE sampler's EDM grid: 10 below `lowDimension`
// (20·σ_d; EDM's 80 spends a third of the 35 evaluations where standardised low-dimensional data is
// already indistinguishable from noise, and σ_max = 10 scored better on all six sets), 80 above; and its
// solver: DPM-Solver++(2M) below `lowDimension` (35 steps of one evaluation each instead of DPM-Solver-2's
// 18 of two; its samples came closer to the converged ODE's, by far on the 8-D mixture), the paper's
// DPM-Solver-2 above, where the paper compares its students with that teacher sampler.
// Images take a smaller batch than vectors' 256: `imageBatch` keeps batch × entries per example near
// 2^15, so a step's activations stay inside the CPU backend's WebAssembly memory (a 28×28 U-Net step
// at batch 256 overflows it and falls back to copying every buffer) and a step costs about the same
// at every image size.
// sCD on images trains 500 steps at the paper's rate of 1e-4 instead of 2000 at 1e-3: on MNIST its
// 2-step samples were best after 250–1000 steps at 1e-4 and worsened with longer training or a higher
// rate (docs/guide/training.md, "MNIST with the defaults"). sCD in low dimension trains at a peak rate of
// 3e-4: at 1e-3 its loss spiked tenfold part-way through a 4000-step run on the ring and never
// recovered (1-step samples smeared along the circle), while 3e-4 trained smoothly on every set.
// Teachers train 4000 steps, and 12 000 on data of 8 to 255 entries per example: the teacher's gap to
// the data grows with D at a fixed length (on 16-D data it was three times the mark at 4000 and within
// it at 12 000), while 4000 steps sufficed on every set of fewer than 8 entries.
// sCD and sCT in low dimension train 12 000 steps, three times a 2-D teacher's: their 1- and 2-step
// samples were still improving at 4000 (on all six sets of the quality test every gap to the teacher
// narrowed from 4000 to 12 000 steps), and a step of a small MLP costs little; a batch of 1024 at
// 4000 steps, at about the same cost, gained less.
// The CLI prints one line saying which applied.
import type { Mode } from "@scm-ts/consistency";
import { stdToExp } from "@scm-ts/nn";
import { lowDimensionTMid } from "@scm-ts/samplers";
import { paperTMid, type PfOdeMethod } from "@scm-ts/trigflow";
import { UsageError, positiveInt, type Flags } from "./args.js";
import type { RunConfig } from "./run.js";

/** Data of fewer entries per example than this trains with the low-dimensional recipe. */
export const lowDimension = 256;

/** The σ_max of the teacher sampler's EDM grid that diffusion runs of low-dimensional data record. */
export const lowDimensionSigmaMax = 10;

/** The PF-ODE solver that diffusion runs of low-dimensional data record for their samples. */
export const lowDimensionSampleMethod: PfOdeMethod = "dpm-solver-2m";

/** Batch × entries per example that the image default aims at. */
export const imageBatchEntries = 1 << 15;

/** The default batch of images of `d` entries each: the power of two nearest below 2^15 / d, within [8, 256]. */
export function imageBatch(d: number): number {
  return Math.min(256, Math.max(8, 2 ** Math.floor(Math.log2(imageBatchEntries / d))));
}

/** The resolved settings of a run. */
export interface Recipe {
  /** Total training steps. */
  readonly steps: number;
  /** Examples per step. */
  readonly batch: number;
  /** Adam's peak learning rate. */
  readonly lr: number;
  /** Learning-rate schedule. */
  readonly lrSchedule: "constant" | "cosine";
  /** Adaptive weighting by w_φ(t), or none. */
  readonly weighting: "adaptive" | "none";
  /** The constant c of the tangent normalisation g/(‖g‖₂ + c). */
  readonly tangentC: number;
  /** Tangent warm-up steps H. */
  readonly warmup: number;
  /** The EMA of the sampling weights. */
  readonly ema: NonNullable<RunConfig["ema"]>;
  /** The t_mid of 2-step sampling, recorded for `scm sample`/`eval` (consistency modes only). */
  readonly tMid?: number;
  /** The σ_max of the PF-ODE sampler's EDM grid, recorded for `scm sample`/`eval` (diffusion, low dimension only). */
  readonly sampleSigmaMax?: number;
  /** The PF-ODE solver of the teacher's samples, recorded for `scm sample`/`eval` (diffusion, low dimension only). */
  readonly sampleMethod?: PfOdeMethod;
}

/** The peak learning rate of sCD on images: the paper's rate for consistency models started from a teacher. */
export const imageDistillationLr = 1e-4;

/** The peak learning rate of sCD on low-dimensional data (below `lowDimension` entries per example). */
export const lowDimensionDistillationLr = 3e-4;

/** The default steps of sCD on images, at `imageDistillationLr`. */
export const imageDistillationSteps = 500;

/** The default steps of sCD and sCT on low-dimensional data (below `lowDimension` entries per example). */
export const lowDimensionConsistencySteps = 12_000;

/** The default steps of a teacher, outside the range of `midDimension`. */
export const teacherSteps = 4000;

/**
 * Data of at least this many (and fewer than `lowDimension`) entries per example: teachers train
 * `longTeacherSteps`, and 2-step sampling renoises at `midDimensionTMid`.
 */
export const midDimension = 8;

/** The default steps of a teacher on data of `midDimension` to `lowDimension` entries per example. */
export const longTeacherSteps = 12_000;

/** The t_mid of 2-step sampling that consistency runs record on data of `midDimension` to `lowDimension` entries per example. */
export const midDimensionTMid = 0.45;

/**
 * The t_mid of 2-step sampling that a consistency run on data of `d` entries per example records:
 * `lowDimensionTMid` (0.3) below `midDimension`, `midDimensionTMid` from there to `lowDimension`, the
 * paper's 1.1 at image scale. The first step's strays between components grow with D, and a second
 * step started from more noise pulls more of them back at the cost of redrawing more detail.
 */
export function recipeTMid(d: number): number {
  return d >= lowDimension ? paperTMid : d >= midDimension ? midDimensionTMid : lowDimensionTMid;
}

/**
 * The default steps of a mode on data of `d` entries per example: teachers 4000, and 12 000 on data
 * of 8 to 255 entries, where 4000 left the teacher short of the data (a gap that grows with D); the
 * discrete-time CM 4000 in low dimension; sCD and sCT in low dimension 12 000, where their 1- and
 * 2-step quality kept climbing to 12 000 steps and a step of a small MLP costs little; 2000 at image
 * scale, where a step costs far more; sCD on images (`image`) 500 at the paper's rate of 1e-4, where
 * its 2-step samples were best and worsened with longer training.
 */
export const defaultSteps = (mode: Mode, d: number, image = false): number =>
  mode === "diffusion"
    ? d >= midDimension && d < lowDimension ? longTeacherSteps : teacherSteps
    : d < lowDimension ? (mode === "cm-discrete" ? 4000 : lowDimensionConsistencySteps) : mode === "scd" && image ? imageDistillationSteps : 2000;

/** Resolves the recipe from the flags, filling what is absent from the defaults for this mode and data. */
export function resolveRecipe(f: Flags, mode: Mode, sampleShape: readonly number[], log: (line: string) => void): Recipe {
  const d = sampleShape.reduce((a, b) => a * b, 1);
  const low = d < lowDimension;
  const consistency = mode !== "diffusion";
  const image = sampleShape.length === 3;
  const steps = positiveInt("train", "steps", f.steps ?? defaultSteps(mode, d, image));
  const imageScd = image && mode === "scd" && !low;
  const lowScd = low && mode === "scd";
  const batch = positiveInt("train", "batch", f.batch ?? (image ? imageBatch(d) : 256));
  if (image && f.batch === undefined) log(`recipe: images of ${d} entries train at batch ${batch} (batch × entries near ${imageBatchEntries}, to fit the CPU backend's memory; override with --batch)`);
  const weighting = (f.weighting as Recipe["weighting"] | undefined) ?? ((mode === "scd" || mode === "sct") && low ? "none" : "adaptive");
  const tangentC = (f["tangent-c"] as number | undefined) ?? (low ? 1 : 0.1);
  if (!(tangentC > 0 && Number.isFinite(tangentC))) throw new UsageError(`scm train: --tangent-c must be positive, got ${tangentC}`);
  const warmup = (f.warmup as number | undefined) ?? (consistency ? Math.round(0.15 * steps) : 0);
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new UsageError(`scm train: --warmup must be a whole number of steps ≥ 0, got ${warmup}`);
  if (!consistency && low) {
    const long = f.steps === undefined && d >= midDimension ? `, ${steps} steps (${midDimension}–${lowDimension - 1} entries; ${teacherSteps} below; override with --steps)` : "";
    log(`recipe: ${d} entries per example is low-dimensional (< ${lowDimension}), so the PF-ODE sampler is DPM-Solver++(2M) on a grid from σ_max = ${lowDimensionSigmaMax} (DPM-Solver-2 from EDM's 80 at image scale)${long}`);
  }
  if (consistency && (f.steps === undefined || f.weighting === undefined || f["tangent-c"] === undefined || ((imageScd || lowScd) && f.lr === undefined))) {
    const chosen = [f.steps === undefined ? `${steps} steps` : "", f.lr === undefined && imageScd ? `peak rate ${imageDistillationLr} (images)` : f.lr === undefined && lowScd ? `peak rate ${lowDimensionDistillationLr}` : "", f.weighting === undefined ? `weighting ${weighting}` : "", f["tangent-c"] === undefined ? `tangent normalisation c = ${tangentC}` : "", `2-step sampling via t_mid = ${recipeTMid(d)}`].filter(Boolean).join(", ");
    log(`recipe: ${d} entries per example is ${low ? `low-dimensional (< ${lowDimension})` : "image-scale"}, so ${chosen} (override with --steps, --lr, --weighting, --tangent-c; sample's --t-mid)`);
  }
  return {
    steps,
    batch,
    lr: (f.lr as number | undefined) ?? (imageScd ? imageDistillationLr : lowScd ? lowDimensionDistillationLr : consistency ? 1e-3 : 2e-3),
    lrSchedule: (f["lr-schedule"] as Recipe["lrSchedule"] | undefined) ?? "cosine",
    weighting,
    tangentC,
    warmup,
    ema: emaSetting(f),
    ...(consistency ? { tMid: recipeTMid(d) } : low ? { sampleSigmaMax: lowDimensionSigmaMax, sampleMethod: lowDimensionSampleMethod } : {}),
  };
}

// A fixed decay β per step, or EDM2's power EMA β_i = (1 − 1/i)^(γ+1) of width σ_rel.
function emaSetting(f: Flags): Recipe["ema"] {
  if (f["ema-std"] !== undefined) {
    const std = f["ema-std"] as number;
    try {
      stdToExp(std);
    } catch (e) {
      throw new UsageError(`scm train: --ema-std: ${(e as Error).message} (EDM2 uses 0.05–0.15)`);
    }
    return { kind: "power", std };
  }
  if (f.ema === undefined) return { kind: "power", std: 0.05 };
  const beta = f.ema as number;
  if (!(beta >= 0 && beta < 1)) throw new UsageError(`scm train: --ema must lie in [0, 1), got ${beta}`);
  return { kind: "fixed", beta };
}

