// Drawing samples from a trained network: consistency sampling in 1 step (from t_max), 2 steps
// (via the run's t_mid) or along an explicit decreasing t-list for consistency checkpoints, and the PF-ODE
// at a given NFE for diffusion (teacher) checkpoints; of a class, with classifier-free guidance of a
// class-conditional teacher or at the guidance input of a guidance-distilled student (conditioning.ts).
// Also writing them as a PNG (scatter plot for 2-D data, image grid for images, a histogram or a
// principal-direction scatter for other vectors: sample-png.ts) or as safetensors.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { saveTensors, writeImageGrid, writeScatterPlot } from "@scm-ts/io/node";
import type { ModelParams, Network } from "@scm-ts/models";
import { sampleConsistency, sampleTeacher } from "@scm-ts/samplers";
import { paperTMid, pfOdeMethods, ScheduleError, tMax, type PfOdeMethod } from "@scm-ts/trigflow";
import { identityStandardization, mnistPixelMean, mnistPixelStd, unstandardize } from "@scm-ts/data";
import { UsageError } from "./args.js";
import type { RunConfig } from "./run.js";
import { samplerConditions, type SampleConditions } from "./conditioning.js";
import { writeSamplePicture } from "./sample-png.js";
import { entriesPerExample } from "./memory.js";

/** The sampler's noise given explicitly (model space, std σ_d), as `scm sample --noise` reads it. */
export interface GivenNoise {
  /** The starting noise z [n, ...sampleShape] at the first time. */
  readonly z: Tensor;
  /** The renoising draws z_1, z_2, … of k-step consistency sampling (at least k − 1; the first k − 1 are used). */
  readonly renoise: readonly Tensor[];
}

/** How to sample. */
export interface GenerateOptions extends SampleConditions {
  /** Explicit noise instead of draws from `seed` (its z must be [n, ...sampleShape]). */
  readonly noise?: GivenNoise;
  /** Number of samples: the output is [n, ...sampleShape]. */
  readonly n: number;
  /** Seed of the PRNG key of the initial noise (and of the 2-step renoising). */
  readonly seed: number;
  /** Consistency steps (1 or 2 with the paper's times), ignored when `ts` is given. */
  readonly steps?: number;
  /** The intermediate time of 2-step sampling (default: the run's recorded t_mid, else the paper's 1.1). */
  readonly tMid?: number;
  /** Explicit decreasing consistency times in (0, π/2], one per step; the first is where the noise starts. */
  readonly ts?: readonly number[];
  /** PF-ODE evaluations for diffusion checkpoints. */
  readonly nfe?: number;
  /** The PF-ODE solver for diffusion checkpoints (default: the run's recorded one, else DPM-Solver-2). */
  readonly solver?: PfOdeMethod;
  /** Called after each chunk of a draw that takes more than one (`chunkRows`): chunks done, chunks in all, rows per chunk. */
  readonly onChunk?: (done: number, total: number, rows: number) => void;
}

/** The `--solver` flag of `scm sample` and `scm eval`. */
export const solverFlag = { kind: "string", choices: pfOdeMethods, help: "the PF-ODE solver of diffusion checkpoints: dpm-solver-2m is DPM-Solver++(2M), one evaluation per step (default: the run's, dpm-solver-2m for data below 256 entries per example, else the paper's dpm-solver-2)" } as const;

/** The `--t-mid` flag of `scm sample` and `scm eval`. */
export const tMidFlag = { kind: "number", help: "the intermediate time of 2-step sampling (default: the run's: 0.3 below 8 entries per example, 0.45 from 8 to 255, else the paper's 1.1)" } as const;

/** A given `--t-mid`, checked to lie in (0, π/2); undefined when absent. */
export function checkTMid(command: string, v: unknown): number | undefined {
  const tMid = v as number | undefined;
  if (tMid !== undefined && !(tMid > 0 && tMid < Math.PI / 2)) throw new UsageError(`${command}: --t-mid must lie in (0, π/2) (0.3 and 1.1 are the defaults), got ${tMid}`);
  return tMid;
}

/** Samples [n, ...sampleShape] from a network's EMA weights, in data space (the run's standardisation inverted). */
export function generate(net: Network<Record<string, unknown>, unknown>, ema: ModelParams<unknown>, cfg: RunConfig, o: GenerateOptions): Tensor {
  const x = generateInChunks(net, ema, cfg, o);
  const y = unstandardize(cfg.dataTransform ?? identityStandardization(cfg.sampleShape), x);
  if (y !== x) x.dispose();
  return y;
}

/** The most samples drawn in one pass of the sampler; larger `n` is drawn in chunks of at most this size. */
export const sampleChunkRows = 8192;

/** The activation entries (`entriesPerExample`'s lower bound) one sampler pass may hold: 2^23. */
export const sampleChunkEntries = 1 << 23;

/**
 * Rows per sampler pass for this run's network: `sampleChunkRows` for vectors, fewer for networks
 * that keep more per example (a U-Net on images), so a pass's memory is about the same for every model.
 */
export function chunkRows(cfg: Pick<RunConfig, "model" | "modelConfig" | "sampleShape">): number {
  return Math.min(sampleChunkRows, Math.max(1, Math.floor(sampleChunkEntries / entriesPerExample(cfg))));
}

/** An `onChunk` that reports a chunked draw of n samples in one line per pass. */
export function chunkProgress(log: (line: string) => void, n: number): NonNullable<GenerateOptions["onChunk"]> {
  return (done, total, rows) => log(`sampling: ${Math.min(n, done * rows)} of ${n} drawn (pass ${done} of ${total})`);
}

type JittedApply = (p: ModelParams<unknown>, u: Tensor, t: Tensor, options?: NetworkOptions) => Tensor;

// A sampler pass keeps every row's activations alive, so one pass over a large --n needs memory in
// proportion to it. Up to `chunkRows(cfg)` rows are drawn in one pass from the seed's key; beyond
// that, chunk j draws from the j-th of `split(key)` (its rows of a given --noise file), and the
// chunks are concatenated, so memory stays flat in --n.
function generateInChunks(net: Network<Record<string, unknown>, unknown>, ema: ModelParams<unknown>, cfg: RunConfig, o: GenerateOptions): Tensor {
  // Jitted once per draw: the sampler calls the network with the same shapes at every step and in every
  // full chunk, so it is traced once and replayed with planned buffers (eagerly, a U-Net pass kept every
  // intermediate alive until the pass ended).
  const apply: JittedApply = c.jit((p: ModelParams<unknown>, u: Tensor, t: Tensor, options?: NetworkOptions) => net.apply(p, u, t, options), { name: "sampleNetwork" });
  const root = c.random.key(o.seed);
  const rows = chunkRows(cfg);
  if (o.n <= rows) return generateModelSpace(apply, ema, cfg, o, root);
  const chunks = Math.ceil(o.n / rows);
  const keys = c.random.split(root, chunks);
  root.dispose();
  const rowsOf = (t: Tensor, a: number, b: number) => c.slice(t, [a, ...t.shape.slice(1).map(() => 0)], [b, ...t.shape.slice(1)]);
  const parts: Tensor[] = [];
  for (let j = 0; j < chunks; j++) {
    const a = j * rows, b = Math.min(o.n, a + rows);
    const noise = o.noise ? { z: rowsOf(o.noise.z, a, b), renoise: o.noise.renoise.map((r) => rowsOf(r, a, b)) } : undefined;
    parts.push(generateModelSpace(apply, ema, cfg, { ...o, n: b - a, ...(noise ? { noise } : {}) }, keys[j]!));
    if (noise) [noise.z, ...noise.renoise].forEach((t) => t.dispose());
    o.onChunk?.(j + 1, chunks, rows);
  }
  return concatRows(parts);
}

// Concatenates along rows 64 tensors at a time (one concat of thousands of chunks overflows the stack).
function concatRows(parts: Tensor[]): Tensor {
  while (parts.length > 1) {
    const next: Tensor[] = [];
    for (let i = 0; i < parts.length; i += 64) {
      const group = parts.slice(i, i + 64);
      next.push(group.length === 1 ? group[0]! : c.concat(group, 0));
      if (group.length > 1) group.forEach((t) => t.dispose());
    }
    parts = next;
  }
  return parts[0]!;
}

// The samplers work in the model's space, where the data has standard deviation σ_d. Takes ownership of `key`.
function generateModelSpace(apply: JittedApply, ema: ModelParams<unknown>, cfg: RunConfig, o: GenerateOptions, key: Tensor): Tensor {
  const F = (u: Tensor, t: Tensor, options?: NetworkOptions) => apply(ema, u, t, options);
  const shape = [o.n, ...cfg.sampleShape];
  const start = tMax(cfg.sigmaData);
  const times = o.ts ?? (o.steps === 1 || o.steps === undefined ? [start] : o.steps === 2 ? [start, o.tMid ?? cfg.tMid ?? paperTMid] : undefined);
  if (!times && cfg.mode !== "diffusion") throw new UsageError(`scm sample: --steps ${o.steps} needs an explicit --ts list of ${o.steps} decreasing times in (0, π/2]`);
  const cond = samplerConditions(cfg, o.n, o); // undefined for an unconditional run without --class/--guidance
  try {
    const z = o.noise ? { noise: o.noise.z } : {};
    if (cfg.mode === "diffusion") {
      try {
        return sampleTeacher(F, { key, shape, sigmaData: cfg.sigmaData, nfe: o.nfe ?? 35, method: o.solver ?? cfg.sampleMethod ?? "dpm-solver-2", ...(cfg.sampleSigmaMax ? { edm: { sigmaMax: cfg.sampleSigmaMax } } : {}), ...z, ...cond });
      } catch (e) {
        // An NFE the sampler cannot spend exactly (dpm-solver-2 takes 2 per step, 1 for the last) is the flag's fault.
        if (e instanceof ScheduleError && /NFE|network evaluations/.test(e.message)) throw new UsageError(`--nfe ${o.nfe ?? 35}: ${e.message.replace(/^stepsForNfe: /, "")}`);
        throw e;
      }
    }
    if (o.noise && o.noise.renoise.length < times!.length - 1) {
      throw new UsageError(`scm sample --noise: ${times!.length}-step sampling renoises ${times!.length - 1} time(s), but the file holds ${o.noise.renoise.length} draw(s) z1…; add z1 … z${times!.length - 1}`);
    }
    const renoise = o.noise ? { renoise: o.noise.renoise.slice(0, times!.length - 1) } : {};
    return sampleConsistency(F, times!, { key, shape, sigmaData: cfg.sigmaData, ...z, ...renoise, ...cond });
  } finally {
    cond?.labels?.dispose();
    key.dispose();
  }
}

// The data values of black and white: MNIST's σ_d normalisation x = σ_d·(p − m)/s; a file's images
// the range its values spanned (recorded at training); PNG folders the EDM convention x = 2p − 1.
function pixelRange(cfg: RunConfig): [number, number] {
  if (cfg.valueRange) return [cfg.valueRange[0], cfg.valueRange[1]];
  if (cfg.data !== "mnist") return [-1, 1];
  const toData = (p: number) => (cfg.sigmaData * (p - mnistPixelMean)) / mnistPixelStd;
  return [toData(0), toData(1)];
}

/**
 * Refuses (exit 2) a sample file name the writer cannot write: an extension other than .png and
 * .safetensors, or — once the run is known — a PNG of examples that are neither vectors [D] nor
 * images [C, H, W]. Called before sampling, so a wrong name costs no sampling time.
 */
export function checkSampleFile(file: string, cfg?: Pick<RunConfig, "sampleShape">): void {
  if (!file.endsWith(".safetensors") && !file.endsWith(".png")) throw new UsageError(`--out ${file}: use a .png or .safetensors file name`);
  if (cfg && file.endsWith(".png") && cfg.sampleShape.length !== 1 && cfg.sampleShape.length !== 3) {
    throw new UsageError(`--out ${file}: PNG output needs vectors or images; write .safetensors for data of shape [${cfg.sampleShape.join(", ")}]`);
  }
}

/**
 * Writes samples as .png or .safetensors (by extension) and returns what the PNG shows, for the CLI's
 * line: a scatter plot for 2-D points, an image grid for images, and for other vectors sample-png.ts's
 * histogram (D = 1) or principal-direction scatter (D ≥ 3), beside `reference` rows of the training data when given.
 */
export async function writeSamples(file: string, x: Tensor, cfg: RunConfig, reference?: Tensor): Promise<string | undefined> {
  checkSampleFile(file, cfg);
  if (file.endsWith(".safetensors")) {
    await saveTensors(file, { x }, { "scm.mode": cfg.mode, "scm.data": cfg.data });
    return undefined;
  }
  if (cfg.sampleShape.length === 3) {
    const [ch, h, w] = cfg.sampleShape as [number, number, number];
    if (ch === 1 || ch === 3 || ch === 4) {
      await writeImageGrid(file, x, { valueRange: pixelRange(cfg) });
      return undefined;
    }
    // Other channel counts have no colour model: each channel is drawn as a gray image, one sample's
    // channels side by side, about √n samples to a line.
    const n = x.shape[0]!, perLine = Math.max(1, Math.round(Math.sqrt(n)));
    const gray = c.reshape(x, [n * ch, 1, h, w]);
    await writeImageGrid(file, gray, { valueRange: pixelRange(cfg), columns: ch * perLine });
    gray.dispose();
    return `each sample's ${ch} channels as gray images side by side, ${perLine} samples to a line`;
  }
  if (cfg.sampleShape[0] === 2) {
    await writeScatterPlot(file, [{ points: await x.data(), color: [31, 119, 180], label: `${cfg.mode} samples` }]);
    return undefined;
  }
  return writeSamplePicture(file, x, `${cfg.mode} samples`, reference);
}
