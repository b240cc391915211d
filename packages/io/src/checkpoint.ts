// Checkpoint bundles: a model's parameters, optionally its EMA parameters and optimizer state (each a
// pytree), the RNG key, the step and a JSON config, stored as ONE safetensors file in PyTorch's layout
// (torch-layout.ts: parameters under their module paths, linear weights [out, in], training state under
// `train.`; config, step and RNG key in `__metadata__`), so `torch.nn.Module.load_state_dict` takes the
// parameters as they are. Files of the first layout (`scm-ts/checkpoint@1`: trees under `params.`,
// `ema.`, `optimizer.`, engine shapes, a U32 `rng_key`) are still read, with a one-line notice. A location
// ending in `.safetensors` is that file; any other location is a folder holding `checkpoint.safetensors`
// plus a readable `config.json` copy. Every file is replaced atomically, so a run killed mid-write keeps
// its previous checkpoint. Loading into a template checks every name, shape and dtype against the model.
// Node only (paths and files); every function returns a Promise that rejects with an `IoError`.
import * as path from "node:path";
import { Tensor } from "@scm-ts/core";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write.js";
import { fromHost, toHost, type HostTensor } from "./host-tensor.js";
import { ioError } from "./io-error.js";
import { readSafetensors } from "./safetensors-file.js";
import { safetensorsChunks } from "./safetensors-write.js";
import { flattenNamed, restoreNamed, treeFromNames } from "./tree-names.js";
import { torchName, treePath, type LayoutField } from "./torch-layout.js";

/** A JSON value (what a checkpoint's config may hold). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The trees a checkpoint holds; a template for loading has the same fields. */
export interface CheckpointTrees {
  /** The model parameters (a pytree of tensors). */
  readonly params: unknown;
  /** EMA copies of the parameters, when kept. */
  readonly ema?: unknown;
  /** The optimizer state (moments, counters), when kept. */
  readonly optimizer?: unknown;
}

/** Everything a training run needs to resume. */
export interface Checkpoint extends CheckpointTrees {
  /** The number of optimizer steps taken. */
  readonly step: number;
  /** The run's configuration (model, data, optimizer settings), as JSON. */
  readonly config: JsonValue;
  /** The PRNG key to continue from (a uint32[2] tensor), when kept. */
  readonly rngKey?: Tensor;
  /** Extra string metadata to store (keys starting with "scm." are reserved). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Set by the readers only: a one-line notice when the file was in an older layout and was migrated as it was read. */
  readonly notice?: string;
}

/** The metadata value that marks an scm-ts checkpoint in PyTorch's layout (the one written). */
export const checkpointFormat = "scm-ts/checkpoint@2";
/** The metadata value of the first layout (engine names and shapes), still read. */
export const legacyCheckpointFormat = "scm-ts/checkpoint@1";
/** The checkpoint file inside a checkpoint folder. */
export const checkpointFileName = "checkpoint.safetensors";
/** The readable config copy inside a checkpoint folder. */
export const configFileName = "config.json";
/** The tensor name of the RNG key in files of the first layout (the current one keeps it in metadata `scm.rng_key`). */
export const rngKeyName = "rng_key";

const treeFields = ["params", "ema", "optimizer"] as const;
const reserved = { format: "scm.format", step: "scm.step", config: "scm.config", rngKey: "scm.rng_key" } as const;

// A 2-D host tensor with its axes swapped (a fresh array of the same storage class).
function transposed(h: HostTensor): HostTensor {
  const [r, c] = h.shape as [number, number];
  const out = new (h.data.constructor as new (n: number) => typeof h.data)(h.data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = h.data[i * c + j]!;
  return { dtype: h.dtype, shape: [c, r], data: out };
}

/** The safetensors file of a checkpoint location (the location itself, or the file in the folder). */
export function checkpointFile(location: string): string {
  return location.endsWith(".safetensors") ? location : path.join(location, checkpointFileName);
}

function checkStep(step: number): string | null {
  return Number.isSafeInteger(step) && step >= 0 ? null : `step ${step} is not a non-negative integer`;
}

/** Writes a checkpoint to `location` (a `.safetensors` file or a folder), atomically. */
export async function writeCheckpoint(location: string, checkpoint: Checkpoint, options: AtomicWriteOptions = {}): Promise<void> {
  const file = checkpointFile(location);
  const fail = (detail: string): never => {
    throw ioError("invalid-argument", file, `cannot write the checkpoint: ${detail}`);
  };
  const stepProblem = checkStep(checkpoint.step);
  if (stepProblem) return fail(stepProblem);
  let configText: string;
  try {
    configText = JSON.stringify(checkpoint.config, (_k, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`the config holds the number ${v}, which JSON cannot store`);
      return v;
    });
  } catch (e) {
    return fail(`${(e as Error).message}; pass a JSON config`);
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(checkpoint.metadata ?? {})) {
    if (k.startsWith("scm.")) return fail(`metadata key "${k}" is reserved (keys starting with "scm." are the checkpoint's own)`);
    metadata[k] = v;
  }
  metadata[reserved.format] = checkpointFormat;
  metadata[reserved.step] = String(checkpoint.step);
  metadata[reserved.config] = configText;
  const host: [string, HostTensor][] = [];
  const taken = new Map<string, string>();
  try {
    for (const field of treeFields) {
      for (const [name, leaf] of flattenNamed(checkpoint[field], field)) {
        const h: HostTensor = leaf instanceof Tensor ? await toHost(leaf) : { dtype: "float64", shape: [], data: Float64Array.of(leaf) };
        const path = name === field ? "" : name.slice(field.length + 1);
        const stored = torchName(field, path, h.shape.length);
        const back = treePath(stored.name, h.shape.length);
        if (!back || back.field !== field || back.path !== path || taken.has(stored.name)) {
          throw new Error(`"${name}" cannot be stored in PyTorch's layout (it would be "${stored.name}", which reads back as ${back ? `"${back.field}${back.path ? `.${back.path}` : ""}"` : "nothing"}${taken.has(stored.name) ? ` and is also "${taken.get(stored.name)!}"` : ""}); rename the tree key`);
        }
        taken.set(stored.name, name);
        host.push([stored.name, stored.transpose ? transposed(h) : h]);
      }
    }
  } catch (e) {
    return fail((e as Error).message);
  }
  if (checkpoint.rngKey !== undefined) {
    const key = await toHost(checkpoint.rngKey);
    // PyTorch ≥ 1.13 has no uint32 tensors, so the key's words live in metadata as JSON.
    metadata[reserved.rngKey] = JSON.stringify({ dtype: key.dtype, shape: key.shape, data: [...key.data].map(Number) });
  }
  await writeFileAtomic(file, safetensorsChunks(host, metadata, file).chunks, options);
  if (file === location) return;
  const readable = `${JSON.stringify({ format: checkpointFormat, step: checkpoint.step, config: checkpoint.config }, null, 2)}\n`;
  await writeFileAtomic(path.join(location, configFileName), [new TextEncoder().encode(readable)], options);
}

/** The step, config, metadata and stored tensors of a checkpoint file, validated. */
interface OpenedCheckpoint {
  readonly file: string;
  readonly step: number;
  readonly config: JsonValue;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, HostTensor>;
  readonly rngKey?: HostTensor;
  readonly notice?: string;
  /** The tensors under their stored names and shapes (current layout only), for messages in the file's terms. */
  readonly stored?: ReadonlyMap<string, HostTensor>;
}

// The differences between a template's trees and a file of the current layout, in the file's names and
// shapes (what a PyTorch user sees): missing, extra and mis-shaped tensors, one line each.
function storedProblems(template: CheckpointTrees, stored: ReadonlyMap<string, HostTensor>): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  const fields = treeFields.filter((f) => template[f] !== undefined);
  for (const field of fields) {
    for (const [name, leaf] of flattenNamed(template[field], field)) {
      const want = leaf instanceof Tensor ? { dtype: leaf.dtype, shape: [...leaf.shape] } : { dtype: "float64", shape: [] as number[] };
      const s = torchName(field, name === field ? "" : name.slice(field.length + 1), want.shape.length);
      const shape = s.transpose ? [...want.shape].reverse() : want.shape;
      const h = stored.get(s.name);
      used.add(s.name);
      const show = (d: string, sh: readonly number[]) => `${d}[${sh.join(", ")}]`;
      if (h === undefined) problems.push(`"${s.name}" (${show(want.dtype, shape)}) is missing from the file`);
      else if (h.dtype !== want.dtype || h.shape.length !== shape.length || h.shape.some((d, i) => d !== shape[i])) {
        problems.push(`"${s.name}" is ${show(h.dtype, h.shape)} in the file but the model expects ${show(want.dtype, shape)}`);
      }
    }
  }
  for (const [name, h] of stored) {
    const p = treePath(name, h.shape.length);
    if (!used.has(name) && p && fields.includes(p.field)) problems.push(`"${name}" is in the file but not in the model`);
  }
  return problems;
}

// The stored tensors of the current layout under the engine's names (`params.net.fcIn.weight`) and shapes.
function engineNamed(stored: ReadonlyMap<string, HostTensor>): { tensors: Map<string, HostTensor> } | { problem: string } {
  const tensors = new Map<string, HostTensor>();
  for (const [name, h] of stored) {
    const p = treePath(name, h.shape.length);
    if (!p) return { problem: `tensor "${name}" is under "train." but is neither "train.ema.*" nor "train.optimizer.*"; the checkpoint is corrupt or from a newer scm-ts` };
    tensors.set(p.path === "" ? (p.field as LayoutField) : `${p.field}.${p.path}`, p.transpose ? transposed(h) : h);
  }
  return { tensors };
}

function parseRngKey(text: string): HostTensor | null {
  try {
    const k = JSON.parse(text) as { dtype?: unknown; shape?: unknown; data?: unknown };
    if (k.dtype !== "uint32" || !Array.isArray(k.shape) || !Array.isArray(k.data)) return null;
    const data = Uint32Array.from(k.data as number[]);
    const shape = k.shape as number[];
    if (shape.reduce((a, b) => a * b, 1) !== data.length || !(k.data as unknown[]).every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32)) return null;
    return { dtype: "uint32", shape, data };
  } catch {
    return null;
  }
}

async function openCheckpoint(location: string): Promise<OpenedCheckpoint> {
  const file = checkpointFile(location);
  const { tensors, metadata } = await readSafetensors(file);
  const bad = (detail: string): never => {
    throw ioError("format", file, detail);
  };
  const format = metadata[reserved.format];
  if (format !== checkpointFormat && format !== legacyCheckpointFormat) {
    return bad(`not an scm-ts checkpoint (metadata "${reserved.format}" is ${JSON.stringify(format)}, expected "${checkpointFormat}"); load plain safetensors files with loadTensors`);
  }
  const step = Number(metadata[reserved.step]);
  if (checkStep(step)) return bad(`metadata "${reserved.step}" is ${JSON.stringify(metadata[reserved.step])}, not a step count; the checkpoint is corrupt`);
  let config: JsonValue;
  try {
    config = JSON.parse(metadata[reserved.config] ?? "") as JsonValue;
  } catch {
    return bad(`metadata "${reserved.config}" is not valid JSON; the checkpoint is corrupt`);
  }
  const extra = Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.startsWith("scm.")));
  if (format === legacyCheckpointFormat) {
    const rest = new Map(tensors);
    const key = rest.get(rngKeyName);
    rest.delete(rngKeyName);
    const notice = `${file}: a checkpoint in the first scm-ts layout (${legacyCheckpointFormat}), read by migration; the next write stores PyTorch's layout (${checkpointFormat})`;
    return { file, step, config, metadata: extra, tensors: rest, ...(key ? { rngKey: key } : {}), notice };
  }
  const named = engineNamed(tensors);
  if ("problem" in named) return bad(named.problem);
  const keyText = metadata[reserved.rngKey];
  const key = keyText === undefined ? undefined : parseRngKey(keyText);
  if (key === null) return bad(`metadata "${reserved.rngKey}" is not a uint32 key ({"dtype":"uint32","shape":[…],"data":[…]}); the checkpoint is corrupt`);
  return { file, step, config, metadata: extra, tensors: named.tensors, ...(key ? { rngKey: key } : {}), stored: tensors };
}

function withCommon(opened: OpenedCheckpoint): Pick<Checkpoint, "step" | "config" | "metadata" | "rngKey" | "notice"> {
  const key = opened.rngKey;
  return { step: opened.step, config: opened.config, metadata: opened.metadata, ...(key ? { rngKey: fromHost(key) } : {}), ...(opened.notice ? { notice: opened.notice } : {}) };
}

/** Reads a checkpoint, rebuilding its trees from the tensor names alone (see `treeFromNames`). */
export async function readCheckpoint(location: string): Promise<Checkpoint> {
  const opened = await openCheckpoint(location);
  const trees: Record<string, unknown> = {};
  for (const field of treeFields) {
    const tree = treeFromNames(field, opened.tensors);
    if (tree !== undefined) trees[field] = tree;
  }
  return { ...withCommon(opened), ...trees, params: trees.params };
}

/**
 * Reads a checkpoint into the structure of `template` (the model's current trees): every tensor of each
 * tree the template has must be stored with the same shape and dtype, and no extra tensor may be stored
 * under it; otherwise one `IoError` ("mismatch") lists the differences (a checkpoint from another model), each naming the
 * tensor and both shapes as the file stores them.
 */
export async function readCheckpointInto<T extends CheckpointTrees>(location: string, template: T): Promise<Checkpoint & T> {
  const opened = await openCheckpoint(location);
  const problems: string[] = opened.stored ? storedProblems(template, opened.stored) : [];
  const trees: Record<string, unknown> = {};
  for (const field of treeFields) {
    if (template[field] === undefined || problems.length > 0) continue;
    const restored = restoreNamed(template[field], field, opened.tensors);
    if ("problems" in restored) problems.push(...restored.problems);
    else trees[field] = restored.tree;
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 6).join("; ") + (problems.length > 6 ? `; and ${problems.length - 6} more` : "");
    throw ioError("mismatch", opened.file, `the checkpoint does not fit the model: ${shown}; load a checkpoint written by the same model configuration`);
  }
  return { ...template, ...withCommon(opened), ...trees } as Checkpoint & T;
}
