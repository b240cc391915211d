// What a run is conditioned on besides (x_t, t), from `scm train`'s flags to `scm sample`'s: class
// labels of the data (--class-conditional; label dropout --p-uncond, so the network also learns the
// null label that classifier-free guidance contrasts with), guidance distillation (--guidance: sCD of
// a class-conditional teacher guided at F_u + w·(F_c − F_u), w ~ U[min, max], with a student that takes
// w as an input), --dropout, and cm-discrete's grid (--discrete-steps). The choices are recorded in the
// run config, so sampling knows which --class and --guidance a checkpoint takes. A student started from
// a teacher keeps its architecture; the parameters it adds (a guidance embedding, a class embedding)
// are drawn fresh and every parameter the teacher has is copied over them (`initialParams`).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import type { Mode } from "@scm-ts/consistency";
import type { ModelParams, Network } from "@scm-ts/models";
import type { ConditionOptions } from "@scm-ts/samplers";
import { UsageError, positiveInt, type Flags, type FlagSpecs } from "./args.js";
import type { DataSource } from "./datasets.js";
import type { RunConfig } from "./run.js";
import type { RunStart } from "./start.js";

/** The grid intervals N of cm-discrete when --discrete-steps is not given. */
export const defaultDiscreteSteps = 256;

/** The flags of `scm train` about conditioning, dropout and cm-discrete's grid. */
export const conditioningFlags: FlagSpecs = {
  "class-conditional": { kind: "boolean", help: "train on the data's class labels: mnist's digits, or a .safetensors file's int tensor y [N] (default off: unconditional)" },
  "p-uncond": { kind: "number", help: "class-conditional: the share of labels dropped to the null label, so classifier-free guidance can contrast with it (default 0.1)" },
  guidance: { kind: "string", help: "min,max: sCD (or cm-discrete) of a class-conditional --teacher guided at F_u + w·(F_c − F_u), w ~ U[min, max]; the student takes w as an input (implies --class-conditional; default none)" },
  dropout: { kind: "number", help: "dropout rate in the network's blocks; a student started from a teacher keeps its architecture but takes this rate, not the teacher's (default 0)" },
  "discrete-steps": { kind: "number", help: `cm-discrete: the intervals N of the time grid (default ${defaultDiscreteSteps})` },
};

/** Whether the flags ask for class-conditional training (then the data must bring labels). */
export const wantsClasses = (f: Flags): boolean => f["class-conditional"] === true || f.guidance !== undefined;

/** The conditioning of a run: its model config and the run-config fields it records. */
export interface Conditioning {
  /** The architecture's config with numClasses, guidanceEmbedding and dropout set. */
  readonly modelConfig: Record<string, unknown>;
  /** The run-config fields: classes, guidance, intervals (each only when it applies). */
  readonly fields: Pick<RunConfig, "classes" | "guidance" | "intervals">;
}

function fraction(name: string, v: unknown, fallback: number): number {
  const x = v === undefined ? fallback : (v as number);
  if (!(x >= 0 && x < 1)) throw new UsageError(`scm train: --${name} must lie in [0, 1), got ${String(v)}`);
  return x;
}

function parseGuidance(v: unknown): readonly [number, number] | undefined {
  if (v === undefined) return undefined;
  const w = String(v).split(",").map((s) => Number(s.trim()));
  if (!(w.length === 1 || w.length === 2) || !w.every(Number.isFinite) || w[0]! > w[w.length - 1]!) throw new UsageError(`scm train: --guidance must be min,max (two numbers, min ≤ max) or one w, got '${String(v)}'`);
  return [w[0]!, w[w.length - 1]!];
}

/** Resolves the conditioning flags of `scm train` against the data and the run's start. */
export function resolveConditioning(f: Flags, mode: Mode, data: DataSource, start: RunStart, log: (line: string) => void): Conditioning {
  const { dropout: _, ...base } = start.modelConfig; // a student takes --dropout, not its teacher's rate
  const dropout = fraction("dropout", f.dropout, 0);
  const modelConfig = { ...base, ...(dropout > 0 ? { dropout } : {}) };
  if (f["discrete-steps"] !== undefined && mode !== "cm-discrete") throw new UsageError(`scm train: --discrete-steps is for --mode cm-discrete, not ${mode}`);
  const intervals = mode === "cm-discrete" ? { intervals: positiveInt("train", "discrete-steps", f["discrete-steps"] ?? defaultDiscreteSteps) } : {};
  const scales = parseGuidance(f.guidance);
  const teacher = start.teacher;
  if (scales && !((mode === "scd" || mode === "cm-discrete") && teacher)) throw new UsageError(`scm train: --guidance distils a guided class-conditional teacher; it needs --mode scd (or cm-discrete) and --teacher, not --mode ${mode}${teacher ? "" : " without one"}`);
  if (!wantsClasses(f)) {
    if (f["p-uncond"] !== undefined) throw new UsageError("scm train: --p-uncond is for class-conditional training; add --class-conditional");
    const from = teacher ?? start.init;
    if (from?.cfg.classes) log(`${mode}: ${from.dir} is class-conditional; this run trains unconditionally, on the null label (add --class-conditional to train on the labels)`);
    return { modelConfig, fields: intervals };
  }
  const K = data.classes!.numClasses; // resolveData({ labels: true }) refused unlabelled data
  if (teacher && !teacher.cfg.classes) throw new UsageError(`scm train: --teacher ${teacher.dir} is not class-conditional; a class-conditional or guided student needs a teacher trained with --class-conditional`);
  const own = start.modelConfig.numClasses as number | undefined;
  const from = teacher ?? start.init;
  if (own !== undefined && own !== K) throw new UsageError(`scm train: ${from ? from.dir : "the model"} has ${own} classes but the labels of --data ${data.name} give ${K}`);
  const pUncond = fraction("p-uncond", f["p-uncond"], 0.1);
  log(`classes: ${K} from the labels of --data ${data.name}; label dropout p_uncond = ${pUncond}${scales ? `; guidance w ~ U[${scales[0]}, ${scales[1]}], an input of the student` : ""}`);
  return {
    modelConfig: { ...modelConfig, numClasses: K, ...(scales ? { guidanceEmbedding: true } : {}) },
    fields: { classes: { numClasses: K, pUncond }, ...(scales ? { guidance: { scales } } : {}), ...intervals },
  };
}

// `fresh` with every tensor that `from` has at the same place (and shape) in its stead.
function graft(fresh: unknown, from: unknown, path: string): unknown {
  if (fresh instanceof c.Tensor) {
    if (!(from instanceof c.Tensor) || from.shape.join() !== fresh.shape.join()) throw new Error(`initialParams: ${path} has shape [${fresh.shape.join(", ")}] in the new network but not in the weights it starts from`);
    fresh.dispose();
    return from;
  }
  if (fresh === null || typeof fresh !== "object") return fresh;
  const src = (from ?? {}) as Record<string, unknown>;
  const extra = Object.keys(src).filter((k) => !(k in fresh));
  if (extra.length) throw new Error(`initialParams: the weights it starts from have ${path}.${extra[0]}, which the new network lacks`);
  if (Array.isArray(fresh)) return fresh.map((v, i) => graft(v, src[i], `${path}[${i}]`));
  return Object.fromEntries(Object.entries(fresh).map(([k, v]) => [k, k in src ? graft(v, src[k], `${path}.${k}`) : v]));
}

/**
 * The first weights of a run: a fresh draw of `net` from the seed, with every parameter of `init`
 * (a teacher's or --init's EMA weights) copied over it; what only the new network has — a guidance
 * embedding, a class embedding — keeps its fresh draw (a guidance embedding's last layer is zero, so
 * the student starts as the teacher).
 */
export function initialParams(net: Network<Record<string, unknown>, unknown>, seed: number, init?: ModelParams<unknown>): ModelParams<unknown> {
  const fresh = net.init(c.random.key(seed));
  return init ? (graft(fresh, init, "params") as ModelParams<unknown>) : fresh;
}

/** A resumed run must be conditioned as it began: the same classes, guidance, grid and dropout. */
export function checkResumeConditioning(dir: string, was: RunConfig, now: RunConfig): void {
  const key = (x: RunConfig) => JSON.stringify([x.classes ?? null, x.guidance ?? null, x.mode === "cm-discrete" ? (x.intervals ?? defaultDiscreteSteps) : null, x.modelConfig.dropout ?? 0]);
  if (key(was) !== key(now)) throw new UsageError(`scm train --resume: ${dir} was trained with classes/guidance/--discrete-steps/--dropout ${key(was)}, not ${key(now)}; pass the same flags`);
}

/** What to sample: --class (k, or all), --guidance. */
export interface SampleConditions {
  /** Every sample of class k, or "all": the samples spread evenly over the classes (absent: the null label). */
  readonly classLabel?: number | "all";
  /** A guidance-conditioned student's w (default the low end of its range); a class-conditional diffusion run's CFG scale. */
  readonly guidance?: number;
}

/**
 * The samplers' conditioning of n samples of a run, checked against what the run was trained on;
 * undefined for an unconditional run sampled without --class and --guidance (sampling as before).
 */
export function samplerConditions(cfg: RunConfig, n: number, o: SampleConditions): ConditionOptions | undefined {
  const K = cfg.classes?.numClasses;
  if (o.classLabel !== undefined && K === undefined) throw new UsageError(`scm sample: --class ${o.classLabel}: this ${cfg.mode} run is not class-conditional (train it with scm train --class-conditional)`);
  if (typeof o.classLabel === "number" && !(Number.isInteger(o.classLabel) && o.classLabel >= 0 && o.classLabel < K!)) throw new UsageError(`scm sample: --class must be a class id in [0, ${K}) or all, got ${o.classLabel}`);
  if (o.guidance !== undefined && cfg.mode === "diffusion") {
    if (K === undefined) throw new UsageError(`scm sample: --guidance ${o.guidance}: classifier-free guidance needs a class-conditional teacher; this diffusion run is not (train it with --class-conditional)`);
    if (o.classLabel === undefined) throw new UsageError(`scm sample: --guidance ${o.guidance}: classifier-free guidance of a diffusion run needs --class <k|all> (it contrasts the class with the null label)`);
  }
  if (o.guidance !== undefined && cfg.mode !== "diffusion" && !cfg.guidance) throw new UsageError(`scm sample: --guidance ${o.guidance}: this ${cfg.mode} run is not guidance-conditioned (distil one from a class-conditional teacher with scm train --mode scd --guidance min,max)`);
  const guidance = o.guidance ?? cfg.guidance?.scales[0];
  const labels: Tensor | undefined =
    o.classLabel === undefined ? undefined : o.classLabel === "all" ? c.array(Int32Array.from({ length: n }, (_, i) => Math.floor((i * K!) / n)), [n], { dtype: "int32" }) : c.full([n], o.classLabel, { dtype: "int32" });
  if (!labels && guidance === undefined) return undefined;
  return { ...(labels ? { labels, numClasses: K! } : {}), ...(guidance !== undefined ? { guidance } : {}) };
}
