// What a checkpoint must hold before a command uses it: a run config whose fields have the types and
// ranges the CLI wrote (so a damaged or hand-edited config gives one line naming the field, not a raw
// JavaScript error from deep inside the model code), and weights that are all finite (a run that
// diverged must not be sampled from, resumed or used as a teacher without the user asking to).
import type { Tensor } from "@scm-ts/core";
import * as c from "@scm-ts/core";
import { pfOdeMethods } from "@scm-ts/trigflow";
import { UsageError } from "./args.js";
import type { RunConfig } from "./run.js";

/** The objectives a run config may name. */
export const runModes = ["diffusion", "sct", "scd", "cm-discrete"] as const;

/** The architectures a run config may name. */
export const runModels = ["mlp", "unet", "dit"] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const posInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

/** Checks the fields of a checkpoint's run config that the commands rely on; a usage error names the first bad one. */
export function checkRunConfig(where: string, cfg: unknown): RunConfig {
  const bad = (field: string, want: string, got: unknown) =>
    new UsageError(`${where}: the checkpoint's config has ${field} = ${JSON.stringify(got) ?? "nothing"}, but it must be ${want}; the file is damaged or was not written by scm train`);
  if (!isObject(cfg)) throw bad("config", "an object", cfg);
  if (!runModes.includes(cfg.mode as never)) throw bad("mode", `one of ${runModes.join(", ")}`, cfg.mode);
  if (!runModels.includes(cfg.model as never)) throw bad("model", `one of ${runModels.join(", ")}`, cfg.model);
  if (!isObject(cfg.modelConfig)) throw bad("modelConfig", "the architecture's settings (an object)", cfg.modelConfig);
  if (typeof cfg.data !== "string") throw bad("data", "the name of the training data", cfg.data);
  if (!Array.isArray(cfg.sampleShape) || cfg.sampleShape.length === 0 || !cfg.sampleShape.every(posInt)) throw bad("sampleShape", "a list of positive integers", cfg.sampleShape);
  if (!finite(cfg.sigmaData) || cfg.sigmaData <= 0) throw bad("sigmaData", "a positive number", cfg.sigmaData);
  if (!isObject(cfg.time) || !finite(cfg.time.pMean) || !finite(cfg.time.pStd) || cfg.time.pStd <= 0) throw bad("time", "{ pMean: a number, pStd: a positive number }", cfg.time);
  for (const k of ["steps", "batch"] as const) if (!posInt(cfg[k])) throw bad(k, "a positive integer", cfg[k]);
  if (!finite(cfg.lr) || cfg.lr <= 0) throw bad("lr", "a positive number", cfg.lr);
  if (typeof cfg.seed !== "number" || !Number.isSafeInteger(cfg.seed) || cfg.seed < 0) throw bad("seed", "a whole number ≥ 0", cfg.seed);
  if (cfg.warmup !== undefined && !(typeof cfg.warmup === "number" && Number.isSafeInteger(cfg.warmup) && cfg.warmup >= 0)) throw bad("warmup", "a whole number ≥ 0", cfg.warmup);
  if (cfg.sampleMethod !== undefined && !pfOdeMethods.includes(cfg.sampleMethod as never)) throw bad("sampleMethod", `one of ${pfOdeMethods.join(", ")}`, cfg.sampleMethod);
  const t = cfg.dataTransform;
  if (t !== undefined && !(isObject(t) && Array.isArray(t.shift) && Array.isArray(t.scale) && [...t.shift, ...t.scale].every(finite))) throw bad("dataTransform", "{ shift: numbers, scale: numbers }", t);
  return cfg as unknown as RunConfig;
}

/** A count of non-finite entries. */
export interface NonFiniteCount {
  /** Entries that are NaN or ±∞. */
  readonly bad: number;
  /** All float entries looked at. */
  readonly total: number;
}

/** How many float entries of a pytree of tensors are NaN or ±∞, of how many. */
export async function countNonFinite(tree: unknown): Promise<NonFiniteCount> {
  let bad = 0, total = 0;
  for (const t of c.treeLeaves<Tensor>(tree)) {
    if (!t.dtype.startsWith("float") && !t.dtype.startsWith("bfloat")) continue;
    const v = await t.data();
    total += v.length;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) bad++;
  }
  return { bad, total };
}

/** Refuses (exit 2) weights with non-finite entries, naming how many and the flag that loads them anyway. */
export async function checkFiniteWeights(where: string, weights: { readonly params: unknown; readonly ema: unknown }, allowFlag: string | undefined): Promise<void> {
  const { bad, total } = await countNonFinite(weights);
  if (bad === 0) return;
  const hint = allowFlag ? `; pass ${allowFlag} to load it anyway and inspect it` : "";
  throw new UsageError(`${where}: the checkpoint's weights hold ${bad} non-finite values (NaN or ±∞) of ${total}; the run diverged and cannot be used (retrain, e.g. with a lower --lr)${hint}`);
}
