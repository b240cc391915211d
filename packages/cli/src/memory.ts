// Sizes checked before they are allocated: a batch or sample count whose activations cannot fit in
// this machine's memory (`--batch 1e7`, `--n 1e10`), and a checkpoint whose config describes a far
// larger network than the weights it holds (a config saying width 8000 beside a file of 800 KB would
// otherwise allocate gigabytes building the model). Both use lower bounds — the input, the output and
// two hidden activations per example (two per block when training keeps them for the backward pass);
// one W×W matrix per block — so they refuse only what cannot fit.
import { totalmem } from "node:os";
import { UsageError } from "./args.js";
import type { RunConfig } from "./run.js";

type Shaped = Pick<RunConfig, "model" | "modelConfig" | "sampleShape">;

const num = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : fallback);
const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 0)} GB`;

/**
 * A lower bound of the float entries one example keeps alive in the network: its input and output,
 * and two hidden activations (a layer's input and output) — per block when `training`, since the
 * backward pass needs each block's activations.
 */
export function entriesPerExample(cfg: Shaped, training = false): number {
  const d = cfg.sampleShape.reduce((a, b) => a * b, 1);
  const m = cfg.modelConfig;
  const side = cfg.sampleShape.length === 3 ? cfg.sampleShape[1]! * cfg.sampleShape[2]! : 1;
  const hidden = cfg.model === "mlp" ? num(m.width, 1) : cfg.model === "unet" ? num(m.modelChannels, 1) * side : num(m.hidden, 1) * Math.ceil(side / num(m.patchSize, 1) ** 2);
  const blocks = cfg.model === "unet" ? num(m.numBlocks, 1) * (Array.isArray(m.channelMult) ? m.channelMult.length : 1) : num(m.depth, 1);
  return 2 * d + 2 * hidden * (training ? blocks : 1);
}

/**
 * A jitted training step keeps far more per example than the activations' lower bound: the JVP's
 * tangents, the backward pass's cotangents and the fused kernels' temporaries. The peak memory of
 * `scm train --mode sct` per example was 14× (MLP 256×3) to 33× (MLP 16×1) that bound, so 14× is
 * still a lower bound of what a step needs.
 */
export const trainingOverhead = 14;

/** Refused when the estimate passes this fraction of the machine's memory (the rest is Node, the data and the OS). */
const usableFraction = 0.8;

/**
 * Refuses (exit 2) `rows` examples at once when the estimate of their memory passes 80% of this
 * machine's, naming the flag and the estimate. A training batch is held whole (`training`); samples are
 * drawn `chunkRows` at a time (see `sampleChunkRows`), so for them the estimate is one chunk's
 * activations plus the n samples themselves, three times (the draw, its map back to data units, the
 * file's bytes).
 */
export function checkRowsFit(command: string, flag: string, rows: number, cfg: Shaped, training: boolean, memory = totalmem(), chunkRows = 8192): void {
  const d = cfg.sampleShape.reduce((a, b) => a * b, 1);
  const perExample = 4 * entriesPerExample(cfg, training) * (training ? trainingOverhead : 1);
  const need = training ? rows * perExample : Math.min(rows, chunkRows) * perExample + 3 * 4 * d * rows;
  if (need > usableFraction * memory) {
    const what = training ? `(${(perExample / 1024).toFixed(1)} KB an example)` : `(${(perExample / 1024).toFixed(1)} KB an example in a pass of ${chunkRows}, ${((12 * d) / 1024).toFixed(2)} KB to hold each sample)`;
    throw new UsageError(`${command}: ${flag} ${rows} needs at least ${gb(need)} for the ${cfg.model} ${what}, more than 80% of this machine's ${gb(memory)}; use a smaller ${flag}`);
  }
}

/** A lower bound of a config's parameter count: one W×W matrix per block (a 3×3 kernel per block for the U-Net). */
export function minParameters(cfg: Pick<RunConfig, "model" | "modelConfig">): number {
  const m = cfg.modelConfig;
  if (cfg.model === "mlp") return num(m.depth, 1) * num(m.width, 1) ** 2;
  if (cfg.model === "dit") return num(m.depth, 1) * num(m.hidden, 1) ** 2;
  const levels = Array.isArray(m.channelMult) ? m.channelMult.length : 1;
  return levels * num(m.numBlocks, 1) * 9 * num(m.modelChannels, 1) ** 2;
}

/** Refuses (exit 2) a checkpoint whose config implies more parameters than the file holds, before the network is built. */
export function checkConfigFitsWeights(where: string, cfg: Pick<RunConfig, "model" | "modelConfig">, storedEntries: number): void {
  const want = minParameters(cfg);
  if (want > storedEntries) {
    throw new UsageError(`${where}: the checkpoint's modelConfig describes a ${cfg.model} of at least ${want} parameters, but the file holds ${storedEntries} weights; the config does not belong to these weights`);
  }
}
