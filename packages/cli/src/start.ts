// Where a training run starts: the frozen teacher of sCD, the weights the student starts from (by
// default the teacher's EMA, as in the paper; `--init <ckpt>` any diffusion run; `--init none` from
// scratch), the architecture those weights imply, and the model space — the map from the data to
// standard deviation σ_d, estimated from the data unless a teacher or init run fixes it or
// `--sigma-data` asks for the raw data. Mismatches between these are usage errors naming both sides.
import * as c from "@scm-ts/core";
import type { NetworkOptions, Tensor } from "@scm-ts/core";
import { identityStandardization, isIdentityStandardization, type Standardization } from "@scm-ts/data";
import type { ModelParams } from "@scm-ts/models";
import { adam } from "@scm-ts/nn";
import { existsSync } from "node:fs";
import { checkpointFile } from "@scm-ts/io/node";
import { positiveInt, UsageError, type Flags } from "./args.js";
import type { DataSource } from "./datasets.js";
import { defaultModelConfig, loadRun, type RunConfig } from "./run.js";

/** The σ_d of the model space after standardisation (the paper's). */
export const defaultSigmaData = 0.5;

/** A diffusion run loaded as a teacher or as initial weights. */
export interface DiffusionRun {
  /** The folder it was read from. */
  readonly dir: string;
  /** Its recorded config. */
  readonly cfg: RunConfig;
  /** Its EMA weights. */
  readonly ema: ModelParams<unknown>;
  /** F(u, t) on the EMA weights, u = x_t/σ_d; a class-conditional run reads `options.classLabels`. */
  readonly F: (u: Tensor, t: Tensor, options?: NetworkOptions) => Tensor;
}

/** Loads a `--mode diffusion` checkpoint for `flag` (--teacher or --init), checking its mode and data shape. */
export async function loadDiffusionRun(dir: string, flag: string, sampleShape: readonly number[]): Promise<DiffusionRun> {
  if (!existsSync(checkpointFile(dir))) throw new UsageError(`${flag} ${dir}: no checkpoint there (train one with scm train --mode diffusion --out ${dir})`);
  const r = await loadRun(dir, adam({ learningRate: 1 }));
  if (r.cfg.mode !== "diffusion") throw new UsageError(`${flag} ${dir}: that is a --mode ${r.cfg.mode} run; ${flag} needs a --mode diffusion run (a teacher)`);
  if (r.cfg.sampleShape.join() !== sampleShape.join()) {
    throw new UsageError(`${flag} ${dir}: that run works on examples of shape [${r.cfg.sampleShape.join(", ")}] but the data has [${sampleShape.join(", ")}]`);
  }
  for (const t of [...c.treeLeaves<Tensor>(r.state.params), ...c.treeLeaves<Tensor>(r.state.opt)]) t.dispose();
  const ema = r.state.ema;
  return { dir, cfg: r.cfg, ema, F: (u, t, options) => r.net.apply(ema, u, t, options) };
}

/** How a run starts. */
export interface RunStart {
  /** The architecture and its config. */
  readonly model: RunConfig["model"];
  /** The architecture's config. */
  readonly modelConfig: Record<string, unknown>;
  /** σ_d of the model space. */
  readonly sigmaData: number;
  /** The map from data to model space. */
  readonly dataTransform: Standardization;
  /** The frozen teacher (sCD). */
  readonly teacher?: DiffusionRun;
  /** The run whose EMA weights the new run starts from. */
  readonly init?: DiffusionRun;
}

const fmt = (v: readonly number[]) => (v.length <= 4 ? v.map((x) => x.toPrecision(3)).join(", ") : `${v.slice(0, 3).map((x) => x.toPrecision(3)).join(", ")}, … (${v.length})`);

// The data must look like the data the teacher (or init run) was trained on: means within 0.1 std and
// standard deviations within 10% per coordinate or channel.
function checkSameData(flag: string, run: DiffusionRun, data: DataSource): void {
  const t = run.cfg.dataTransform;
  if (!t || isIdentityStandardization(t)) return;
  const est = data.standardization(run.cfg.sigmaData);
  const runStd = t.scale.map((s) => run.cfg.sigmaData / s);
  const off = est.shift.findIndex((m, k) => {
    const dm = Math.abs(m - t.shift[k]!);
    // A constant coordinate was kept at scale 1 and must hold the same constant.
    if (est.std[k] === 0) return t.scale[k] !== 1 || dm > 1e-6 * Math.max(1, Math.abs(m));
    return dm > 0.1 * runStd[k]! || Math.abs(est.std[k]! / runStd[k]! - 1) > 0.1;
  });
  if (off >= 0) {
    throw new UsageError(
      `${flag} ${run.dir}: it was trained on data with mean [${fmt(t.shift)}] and std [${fmt(runStd)}], but --data ${data.name} has mean [${fmt(est.shift)}] and std [${fmt(est.std)}]; train it on the same data`,
    );
  }
}

/** Resolves the teacher, the initial weights, the architecture and the model space of a run. */
export async function resolveStart(f: Flags, mode: RunConfig["mode"], data: DataSource, log: (line: string) => void): Promise<RunStart> {
  if (mode === "scd" && !f.teacher) throw new UsageError("scm train: --mode scd needs --teacher <checkpoint folder of a diffusion run>");
  if (f.teacher && mode !== "scd" && mode !== "sct" && mode !== "cm-discrete") throw new UsageError(`scm train: --teacher is for --mode scd (or sct, to start from its weights); --mode ${mode} takes none`);
  const teacher = f.teacher ? await loadDiffusionRun(f.teacher as string, "--teacher", data.sampleShape) : undefined;
  const initSpec = (f.init as string | undefined) ?? (teacher ? "teacher" : "none");
  let init: DiffusionRun | undefined;
  if (initSpec === "teacher") {
    if (!teacher) throw new UsageError("scm train: --init teacher needs --teacher <diffusion run>");
    init = teacher;
  } else if (initSpec !== "none") init = await loadDiffusionRun(initSpec, "--init", data.sampleShape);
  if (teacher && init && teacher !== init && JSON.stringify([teacher.cfg.sigmaData, teacher.cfg.dataTransform]) !== JSON.stringify([init.cfg.sigmaData, init.cfg.dataTransform])) {
    throw new UsageError(`scm train: --teacher ${teacher.dir} and --init ${init.dir} were trained in different model spaces (σ_d ${teacher.cfg.sigmaData} vs ${init.cfg.sigmaData}, or another data standardisation); use runs on the same data`);
  }
  const sigmaFlag = f["sigma-data"] as number | undefined;
  if (sigmaFlag !== undefined && !(sigmaFlag > 0)) throw new UsageError(`scm train: --sigma-data must be positive, got ${sigmaFlag}`);
  const source = teacher ?? init;
  let sigmaData: number, dataTransform: Standardization;
  if (source) {
    ({ sigmaData } = source.cfg);
    dataTransform = source.cfg.dataTransform ?? identityStandardization(data.sampleShape);
    if (sigmaFlag !== undefined && sigmaFlag !== sigmaData) throw new UsageError(`scm train: --sigma-data ${sigmaFlag} but ${source.dir} was trained with σ_d = ${sigmaData}; the student must use its teacher's`);
    checkSameData(source === teacher ? "--teacher" : "--init", source, data);
  } else if (sigmaFlag !== undefined) {
    sigmaData = sigmaFlag;
    dataTransform = identityStandardization(data.sampleShape);
    log(`data: trained as given with σ_d = ${sigmaData} (--sigma-data; no standardisation)`);
  } else {
    sigmaData = defaultSigmaData;
    let est;
    try {
      est = data.standardization(sigmaData);
    } catch (e) {
      throw new UsageError(`--data ${data.name}: ${(e as Error).message}`);
    }
    dataTransform = { shift: est.shift, scale: est.scale };
    const per = data.sampleShape.length === 1 ? "coordinate" : "channel";
    log(`data: mean [${fmt(est.shift)}], std [${fmt(est.std)}] per ${per}; standardised to σ_d = ${sigmaData} (recorded in the checkpoint; samples are mapped back)`);
    if (est.constant.length) log(`data: ${per} ${est.constant.join(", ")} ${est.constant.length === 1 ? "is" : "are"} constant; kept at scale 1 (the model learns the constant)`);
  }
  const asked = f.model as RunConfig["model"] | undefined;
  if (init && (f.width !== undefined || f.depth !== undefined)) throw new UsageError(`scm train: --width/--depth cannot change the architecture of --init ${init.dir}; a run started from its weights keeps its size`);
  if (init) {
    if (asked && asked !== init.cfg.model) throw new UsageError(`scm train: --model ${asked}, but --init ${init.dir} is a ${init.cfg.model}; a run started from its weights keeps its architecture`);
    log(`${mode}: starting from the EMA weights of ${init.dir} (a ${init.cfg.model})${mode === "sct" && init === teacher ? "; sCT uses them only as the start, not as a target" : ""}`);
    return { model: init.cfg.model, modelConfig: init.cfg.modelConfig, sigmaData, dataTransform, ...(teacher && mode !== "sct" ? { teacher } : {}), init };
  }
  const model = asked ?? (data.sampleShape.length === 1 ? "mlp" : "unet");
  if (mode === "sct" || mode === "scd") log(`${mode}: starting from random weights (--init none)`);
  return { model, modelConfig: defaultModelConfig(model, data.sampleShape, { ...(f.width !== undefined ? { width: positiveInt("train", "width", f.width) } : {}), ...(f.depth !== undefined ? { depth: positiveInt("train", "depth", f.depth) } : {}) }), sigmaData, dataTransform, ...(teacher && mode !== "sct" ? { teacher } : {}) };
}
