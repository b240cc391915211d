// A run: its configuration (stored as JSON in every checkpoint so `sample` and `eval` can rebuild
// the network), the network built from it, and checkpoint writing/reading through @scm-ts/io —
// atomic, so a run killed mid-write keeps its previous checkpoint.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { initTrainState, type Mode, type TrainState } from "@scm-ts/consistency";
import { readCheckpoint, readCheckpointInto, writeCheckpoint, type JsonValue } from "@scm-ts/io";
import { dit, mlp, unet, type ModelParams, type Network } from "@scm-ts/models";
import type { MomentState, Optimizer } from "@scm-ts/nn";
import * as E from "fp-ts/lib/Either.js";
import { UsageError } from "./args.js";

/** What a checkpoint records about its run. */
export interface RunConfig {
  readonly mode: Mode;
  readonly model: "mlp" | "unet" | "dit";
  readonly modelConfig: Record<string, unknown>;
  readonly data: string;
  readonly sampleShape: readonly number[];
  readonly sigmaData: number;
  readonly time: { readonly pMean: number; readonly pStd: number };
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly teacher?: string;
  /** Learning-rate schedule (absent in older checkpoints: constant). */
  readonly lrSchedule?: "constant" | "cosine";
  /** Adaptive weighting by w_φ(t), or none (absent: adaptive). */
  readonly weighting?: "adaptive" | "none";
  /** The EMA of the sampling weights: a fixed decay, or EDM2's power EMA of width σ_rel. */
  readonly ema?: { readonly kind: "fixed"; readonly beta: number } | { readonly kind: "power"; readonly std: number };
}

type AnyNetwork = Network<Record<string, unknown>, unknown>;

/** The default architecture config for data of a shape. */
export function defaultModelConfig(model: RunConfig["model"], sampleShape: readonly number[]): Record<string, unknown> {
  if (model === "mlp") {
    if (sampleShape.length !== 1) throw new UsageError(`--model mlp needs vector data [N, D]; this data has examples of shape [${sampleShape.join(", ")}]: use --model unet or dit`);
    return { dataDim: sampleShape[0], width: 64, depth: 2 };
  }
  if (sampleShape.length !== 3 || sampleShape[1] !== sampleShape[2]) throw new UsageError(`--model ${model} needs square images [N, C, H, W]; this data has examples of shape [${sampleShape.join(", ")}]`);
  const [ch, size] = [sampleShape[0]!, sampleShape[1]!];
  if (model === "unet") return { imageSize: size, inChannels: ch, modelChannels: 32, channelMult: size % 4 === 0 ? [1, 2, 2] : [1, 2], numBlocks: 1, attnResolutions: [], groups: 8, embDim: 128, timeFeatures: 32 };
  return { imageSize: size, inChannels: ch, patchSize: size % 4 === 0 ? 4 : 2, hidden: 96, depth: 4, heads: 4, timeFeatures: 32 };
}

/** The network of a run config. */
export function buildNetwork(cfg: Pick<RunConfig, "model" | "modelConfig">): AnyNetwork {
  const build = { mlp, unet, dit }[cfg.model] as unknown as (config: never) => AnyNetwork;
  return build(cfg.modelConfig as never);
}

/** The model callables the losses need. */
export function modelFns(net: AnyNetwork) {
  return { apply: (p: ModelParams<unknown>, u: Tensor, t: Tensor) => net.apply(p, u, t), logvar: (p: ModelParams<unknown>, t: Tensor) => net.logvar(p, t) };
}

/** Writes a training state as a checkpoint (atomic). */
export async function saveRun(dir: string, cfg: RunConfig, state: TrainState<ModelParams<unknown>>, step: number): Promise<void> {
  const r = await writeCheckpoint(dir, { params: state.params, ema: state.ema, optimizer: state.opt, step, config: cfg as unknown as JsonValue, rngKey: state.key })();
  if (E.isLeft(r)) throw new Error(`could not write the checkpoint in ${dir}: ${r.left.message}`);
}

/** Reads a checkpoint's config, then its state into a fresh template of that network. */
export async function loadRun(dir: string, optimizer: Optimizer): Promise<{ cfg: RunConfig; state: TrainState<ModelParams<unknown>>; step: number; net: AnyNetwork }> {
  const peek = await readCheckpoint(dir)();
  const cfg0 = E.isRight(peek) ? (peek.right.config as unknown as RunConfig) : undefined;
  if (!cfg0) throw new UsageError(`${dir}: not a readable scm-ts checkpoint (${E.isLeft(peek) ? peek.left.message : "no config"})`);
  const net = buildNetwork(cfg0);
  const template = initTrainState(net.init(c.random.key(0)), optimizer, c.random.key(0));
  const r = await readCheckpointInto(dir, { params: template.params, ema: template.ema, optimizer: template.opt })();
  if (E.isLeft(r)) throw new UsageError(`${dir}: ${r.left.message}`);
  const ck = r.right;
  const state: TrainState<ModelParams<unknown>> = { params: ck.params as ModelParams<unknown>, ema: ck.ema as ModelParams<unknown>, opt: ck.optimizer as MomentState<ModelParams<unknown>>, key: ck.rngKey ?? c.random.key(cfg0.seed) };
  return { cfg: ck.config as unknown as RunConfig, state, step: ck.step, net };
}
