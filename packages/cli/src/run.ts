// A run: its configuration (stored as JSON in every checkpoint so `sample` and `eval` can rebuild
// the network), the network built from it, and checkpoint writing/reading through @scm-ts/io —
// atomic, so a run killed mid-write keeps its previous checkpoint. What is read is checked first
// (run-check.ts): a config of the wrong shape or non-finite weights are refused with one line.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { initTrainState, type Mode, type TrainState } from "@scm-ts/consistency";
import { readCheckpoint, readCheckpointInto, writeCheckpoint, type JsonValue } from "@scm-ts/io/node";
import type { Standardization } from "@scm-ts/data";
import { dit, mlp, unet, type ModelParams, type Network } from "@scm-ts/models";
import type { MomentState, Optimizer } from "@scm-ts/nn";
import type { PfOdeMethod } from "@scm-ts/trigflow";
import { UsageError } from "./args.js";
import { lowDimension } from "./recipe.js";
import { checkFiniteWeights, checkRunConfig } from "./run-check.js";
import { checkConfigFitsWeights } from "./memory.js";
import { asUsage } from "./input-errors.js";

/** What a checkpoint records about its run. */
export interface RunConfig {
  /** The objective: diffusion (a teacher), sct, scd or cm-discrete. */
  readonly mode: Mode;
  /** The architecture. */
  readonly model: "mlp" | "unet" | "dit";
  /** The architecture's config (MlpConfig, UnetConfig or DitConfig), as `defaultModelConfig` made it. */
  readonly modelConfig: Record<string, unknown>;
  /** The data source as --data named it (see `DataSource.name`). */
  readonly data: string;
  /** The shape of one example, without the batch axis: [D] or [C, H, W]. */
  readonly sampleShape: readonly number[];
  /** σ_d, the standard deviation the model space has (0.5, the paper's, after standardisation; --sigma-data without it). */
  readonly sigmaData: number;
  /**
   * The map from data to model space, x_model = (x − shift)·scale per coordinate or channel, estimated
   * from the training data; samples are mapped back. Absent (older checkpoints, --sigma-data): identity.
   */
  readonly dataTransform?: Standardization;
  /** The log-normal time proposal log(σ_d tan t) ~ N(P_mean, P_std²) (docs/guide/trigflow-scm.md, "Training times"). */
  readonly time: {
    /** P_mean (--p-mean, default −1). */
    readonly pMean: number;
    /** P_std (--p-std, default 1.4). */
    readonly pStd: number;
  };
  /** Total training steps requested. */
  readonly steps: number;
  /** Examples per step. */
  readonly batch: number;
  /** Adam's learning rate; the peak with the cosine schedule. */
  readonly lr: number;
  /** Seed of the parameter init (seed) and of the training key (seed + 1). */
  readonly seed: number;
  /** Tangent warm-up steps H (absent in older checkpoints: 15% of the steps then asked for, 0 for diffusion). */
  readonly warmup?: number;
  /** sCD: the teacher run's folder. */
  readonly teacher?: string;
  /** Learning-rate schedule (absent in older checkpoints: constant). */
  readonly lrSchedule?: "constant" | "cosine";
  /** The c of the sCM tangent normalisation g/(‖g‖₂ + c) (absent in older checkpoints: the paper's 0.1). */
  readonly tangentC?: number;
  /** Diffusion: the σ_max of the PF-ODE sampler's EDM grid (absent: EDM's 80). */
  readonly sampleSigmaMax?: number;
  /** Diffusion: the PF-ODE solver of its samples (absent: DPM-Solver-2, the paper's teacher sampler). */
  readonly sampleMethod?: PfOdeMethod;
  /** The smallest and largest value of the training images when they came from a .safetensors file (PNG folders: [−1, 1]), for drawing samples. */
  readonly valueRange?: readonly [number, number];
  /** The t_mid that 2-step sampling uses unless told otherwise (absent: the paper's 1.1). */
  readonly tMid?: number;
  /** Adaptive weighting by w_φ(t), or none (absent: adaptive). */
  readonly weighting?: "adaptive" | "none";
  /** Class-conditional training (--class-conditional; absent: unconditional): the model config has numClasses too. */
  readonly classes?: {
    /** K: the data's class ids lie in [0, K). */
    readonly numClasses: number;
    /** Label dropout: the share of labels trained as the null label (--p-uncond). */
    readonly pUncond: number;
  };
  /** Guidance distillation (--guidance): the student takes w ~ U[min, max] as an input (its model config has guidanceEmbedding). */
  readonly guidance?: {
    /** [min, max] of the per-example guidance scale w. */
    readonly scales: readonly [number, number];
  };
  /** cm-discrete: the intervals N of the time grid (--discrete-steps; absent in older checkpoints: 256). */
  readonly intervals?: number;
  /** The EMA of the sampling weights: a fixed decay, or EDM2's power EMA of width σ_rel. */
  readonly ema?:
    | {
        /** A constant decay per step (--ema). */
        readonly kind: "fixed";
        /** The decay β ∈ [0, 1) (default 0.995). */
        readonly beta: number;
      }
    | {
        /** EDM2's power-function EMA (--ema-std). */
        readonly kind: "power";
        /** Its relative width σ_rel (EDM2 uses 0.05–0.15). */
        readonly std: number;
      };
}

type AnyNetwork = Network<Record<string, unknown>, unknown>;

/** Size overrides of the default architecture (the CLI's --width and --depth). */
export interface ModelSize {
  /** MLP hidden width, U-Net base channels (a multiple of 8), DiT hidden width (a multiple of its 4 heads). */
  readonly width?: number;
  /** MLP residual blocks, U-Net blocks per resolution, DiT blocks. */
  readonly depth?: number;
}

/** The narrowest default MLP: the hidden width of vectors of up to 256 entries. */
export const minDefaultMlpWidth = 256;

/** The widest default MLP: the hidden width of vectors of more than 512 entries. */
export const maxDefaultMlpWidth = 1024;

/**
 * The default hidden width of the MLP on vectors of `d` entries: `minDefaultMlpWidth`, or the power
 * of two at or above `d` when that is wider, up to `maxDefaultMlpWidth`. The output F_θ = W·h + b of
 * a hidden state h of width w lies in a w-dimensional subspace, so an MLP narrower than the data
 * cannot represent the denoiser in every direction (docs/guide/training.md, "From the command line",
 * has the 300-D evidence).
 */
export function defaultMlpWidth(d: number): number {
  return Math.min(maxDefaultMlpWidth, Math.max(minDefaultMlpWidth, 2 ** Math.ceil(Math.log2(d))));
}

/** The default architecture config for data of a shape. */
export function defaultModelConfig(model: RunConfig["model"], sampleShape: readonly number[], size: ModelSize = {}): Record<string, unknown> {
  if (model === "mlp") {
    if (sampleShape.length !== 1) throw new UsageError(`--model mlp needs vector data [N, D]; this data has examples of shape [${sampleShape.join(", ")}]: use --model unet or dit`);
    // Fourier input features let the MLP draw sharp modes (the 5×5 grid's teacher: −2.2 → −0.17 nats).
    return { dataDim: sampleShape[0], width: size.width ?? defaultMlpWidth(sampleShape[0]!), depth: size.depth ?? 3, inputFourier: sampleShape[0]! < lowDimension ? 4 : 0 };
  }
  if (sampleShape.length !== 3) throw new UsageError(`--model ${model} needs images [N, C, H, W] or vectors [N, D] (with --model mlp); this data has examples of shape [${sampleShape.join(", ")}]: reshape it to one of those`);
  const [ch, size0, width0] = sampleShape as [number, number, number];
  if (model === "dit" && size0 !== width0) {
    const side = Math.max(size0, width0);
    throw new UsageError(`--model dit takes square images, and this data's are ${size0}×${width0} (shape [${ch}, ${size0}, ${width0}]): use --model unet (the default for images), or pad or crop them to [${ch}, ${side}, ${side}]`);
  }
  // Each halving needs an even height and width: two down-samplings when 4 divides both, one when 2 does, none otherwise.
  const halvings = size0 % 4 === 0 && width0 % 4 === 0 ? 2 : size0 % 2 === 0 && width0 % 2 === 0 ? 1 : 0;
  if (model === "unet") {
    const w = size.width ?? 32;
    if (w % 8 !== 0) throw new UsageError(`--width ${w}: the U-Net's base channels must be a multiple of 8 (its group norm has 8 groups)`);
    return { imageSize: size0, ...(width0 !== size0 ? { imageWidth: width0 } : {}), inChannels: ch, modelChannels: w, channelMult: [1, 2, 2].slice(0, halvings + 1), numBlocks: size.depth ?? 1, attnResolutions: [], groups: 8, embDim: 4 * w, timeFeatures: 32 };
  }
  const w = size.width ?? 96;
  if (w % 4 !== 0) throw new UsageError(`--width ${w}: the DiT's hidden width must be a multiple of its 4 heads`);
  return { imageSize: size0, inChannels: ch, patchSize: 2 ** halvings, hidden: w, depth: size.depth ?? 4, heads: 4, timeFeatures: 32 };
}

/** The network of a run config; a config the architecture rejects is a usage error naming `where` (a checkpoint). */
export function buildNetwork(cfg: Pick<RunConfig, "model" | "modelConfig">, where?: string): AnyNetwork {
  const build = { mlp, unet, dit }[cfg.model] as unknown as (config: never) => AnyNetwork;
  if (where === undefined) return build(cfg.modelConfig as never);
  try {
    return build(cfg.modelConfig as never);
  } catch (e) {
    throw new UsageError(`${where}: the checkpoint's modelConfig does not describe a ${cfg.model} network (${(e as Error).message}); the file is damaged or was not written by scm train`);
  }
}

/** The model callables the losses need. */
export function modelFns(net: AnyNetwork) {
  return { apply: (p: ModelParams<unknown>, u: Tensor, t: Tensor, o?: NetworkOptions) => net.apply(p, u, t, o), logvar: (p: ModelParams<unknown>, t: Tensor) => net.logvar(p, t) };
}

/** Writes a training state as a checkpoint (atomic). */
export async function saveRun(dir: string, cfg: RunConfig, state: TrainState<ModelParams<unknown>>, step: number): Promise<void> {
  await writeCheckpoint(dir, { params: state.params, ema: state.ema, optimizer: state.opt, step, config: cfg as unknown as JsonValue, rngKey: state.key });
}

/** How `loadRun` treats what it reads. */
export interface LoadOptions {
  /** Load weights with NaN or ±∞ entries (to inspect a diverged run) instead of refusing them. */
  readonly allowNonFinite?: boolean;
  /** The flag that sets `allowNonFinite`, named in the refusal (absent: none is offered). */
  readonly allowFlag?: string;
}

/**
 * Reads a checkpoint's config (checked), then its state into a fresh template of that network; refuses
 * non-finite weights. A file with parameters only (e.g. saved by PyTorch) loads with EMA = parameters
 * and fresh optimizer moments.
 */
export async function loadRun(dir: string, optimizer: Optimizer, options: LoadOptions = {}): Promise<{
  /** The run config recorded in the checkpoint. */
  cfg: RunConfig;
  /** Parameters, EMA, optimizer moments and PRNG key as saved (the key from the seed in checkpoints without one). */
  state: TrainState<ModelParams<unknown>>;
  /** The step the checkpoint was written at. */
  step: number;
  /** The network the config describes. */
  net: AnyNetwork;
}> {
  const peek = await asUsage(readCheckpoint(dir), `${dir}: not a readable scm-ts checkpoint`);
  const cfg0 = checkRunConfig(dir, peek.config);
  const stored = c.treeLeaves<Tensor>(peek.params).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  checkConfigFitsWeights(dir, cfg0, stored);
  const net = buildNetwork(cfg0, dir);
  const template = initTrainState(net.init(c.random.key(0)), optimizer, c.random.key(0));
  // A checkpoint made outside scm train (a PyTorch state dict with the run config) may hold the
  // parameters alone: the EMA weights are then the parameters, and Adam starts from zero moments.
  const hasEma = peek.ema !== undefined, hasOpt = peek.optimizer !== undefined;
  const ck = await asUsage(readCheckpointInto(dir, { params: template.params, ...(hasEma ? { ema: template.ema } : {}), ...(hasOpt ? { optimizer: template.opt } : {}) }), dir);
  if (ck.notice) process.stderr.write(`${ck.notice}\n`);
  const ema = hasEma ? ck.ema : ck.params;
  if (!options.allowNonFinite) await checkFiniteWeights(dir, { params: ck.params, ema }, options.allowFlag);
  const state: TrainState<ModelParams<unknown>> = {
    params: ck.params as ModelParams<unknown>,
    ema: ema as ModelParams<unknown>,
    opt: (hasOpt ? ck.optimizer : template.opt) as MomentState<ModelParams<unknown>>,
    key: ck.rngKey ?? c.random.key(cfg0.seed),
  };
  return { cfg: checkRunConfig(dir, ck.config), state, step: ck.step, net };
}
