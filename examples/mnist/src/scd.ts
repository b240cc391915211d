// The MNIST sCD example, teacher → student: train a TrigFlow diffusion teacher on a U-Net (or load
// one with --teacher), then distil it with sCD (Lu & Song 2024: the tangent uses the frozen teacher's
// PF-ODE velocity), the student starting from the teacher's EMA weights as in the paper. Then the
// teacher's PF-ODE at 35 NFE (DPM-Solver-2) and the student in 1 and 2 steps: PNG grids, and the
// Fréchet distance and precision/recall against held-out digits in the project's classifier features.
//
//   npm run scd -w @scm-ts/example-mnist -- --teacher-steps 1000 --steps 300 --out runs/mnist-scd
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import * as c from "@scm-ts/core";
import { useNativeCpu } from "@scm-ts/native-cpu";
import { commonFlags, evaluateAndReport, type ExampleResult } from "./common.js";
import { parseExampleFlags, runMain, UsageError, type FlagSpec } from "./flags.js";
import { loadMnistSplit } from "./mnist-data.js";
import { buildNet, unetConfig, type PresetName } from "./model.js";
import { consistencyMethods, teacherMethod } from "./samplers.js";
import { emaSetting, loadEma, trainStage, type LrSchedule, type StageResult } from "./stage.js";

/** Flags of the sCD example. */
export const scdFlags = {
  "teacher-steps": { kind: "number", default: 4000, integer: true, min: 1, help: "diffusion teacher training steps (ignored with --teacher)" },
  "teacher-lr": { kind: "number", default: 2e-3, min: 0, help: "the teacher's (peak) Adam learning rate" },
  "teacher-ema": { kind: "number", default: 0, min: 0, help: "a fixed EMA decay per step of the teacher (0: the power EMA of --ema-std)" },
  teacher: { kind: "string", default: "", help: "use this diffusion checkpoint (folder) as the teacher instead of training one" },
  student: { kind: "string", default: "", help: "skip distillation: score this sCD checkpoint (folder) against the teacher" },
  steps: { kind: "number", default: 500, integer: true, min: 1, help: "sCD distillation steps" },
  lr: { kind: "number", default: 1e-4, min: 0, help: "the student's (peak) Adam learning rate" },
  warmup: { kind: "number", default: -1, integer: true, help: "tangent warm-up steps H (-1: 15% of --steps)" },
  nfe: { kind: "number", default: 35, integer: true, min: 1, help: "the teacher's PF-ODE evaluations (DPM-Solver-2: odd)" },
  out: { kind: "string", default: join("runs", "mnist-scd"), help: "output folder (teacher/ and scd/ checkpoints inside)" },
  ...commonFlags,
} as const satisfies Record<string, FlagSpec>;

const summary = "MNIST sCD: train (or load) a TrigFlow diffusion teacher, distil it with sCD, compare the teacher at 35 NFE with the student in 1 and 2 steps";

/** Runs the example; undefined after --help. */
export async function main(argv: readonly string[], log: (line: string) => void = console.log): Promise<ExampleResult | undefined> {
  const f = parseExampleFlags(argv, scdFlags, "node dist/scd.js", summary, log);
  if (!f) return undefined;
  const ema = emaSetting(f.ema, f["ema-std"]), teacherEma = emaSetting(f["teacher-ema"], f["ema-std"]);
  // Node runs the convolutions and products on the native oneDNN path where it was built; the line says which.
  log(useNativeCpu());
  const t0 = performance.now();
  // A given teacher is checked before the data load, so a wrong folder fails at once.
  const given = f.teacher ? await loadEma(f.teacher, f.size) : undefined;
  const data = await loadMnistSplit(f.size);
  log(`MNIST sCD at ${f.size}×${f.size}: ${data.trainCount} training digits, ${data.heldOutCount} held out`);
  const time = { pMean: f["p-mean"], pStd: f["p-std"] };
  const lrSchedule = f["lr-schedule"] as LrSchedule;
  const common = { data, batch: f.batch, lrSchedule, ema, time, seed: f.seed, checkpointEvery: f["checkpoint-every"], log };
  const stages: Record<string, { seconds: number; steps: number; lastLoss: number; skipped: number }> = {};
  const teacherDir = f.teacher || join(f.out, "teacher");
  if (!f.teacher) {
    const net = buildNet(unetConfig(f.model as PresetName, f.size));
    const r: StageResult = await trainStage({ ...common, name: "teacher", mode: "diffusion", net, init: net.init(c.random.key(f.seed)), steps: f["teacher-steps"], lr: f["teacher-lr"], ema: teacherEma, warmup: 0, dir: teacherDir });
    stages.teacher = { seconds: r.seconds, steps: f["teacher-steps"], lastLoss: r.lastLoss, skipped: r.skipped };
  }
  const teacher = given ?? (await loadEma(teacherDir, f.size));
  if (teacher.config.mode !== "diffusion") throw new UsageError(`--teacher ${teacherDir}: a ${String(teacher.config.mode)} checkpoint; sCD needs a diffusion teacher`);
  const warmup = f.warmup < 0 ? Math.round(0.15 * f.steps) : f.warmup;
  let student;
  if (f.student) {
    student = await loadEma(f.student, f.size);
    if (student.config.mode !== "scd") throw new UsageError(`--student ${f.student}: a ${String(student.config.mode)} checkpoint, not an sCD one`);
    log(`[scd] scoring ${f.student} (step ${String(student.config.steps)}) instead of distilling`);
  } else {
    const scd = await trainStage({
      ...common, name: "scd", mode: "scd", net: teacher.net, init: teacher.ema, teacher: (u, t) => teacher.net.apply(teacher.ema, u, t), steps: f.steps, lr: f.lr, warmup,
      dir: join(f.out, "scd"), extra: { teacher: teacherDir },
    });
    stages.scd = { seconds: scd.seconds, steps: f.steps, lastLoss: scd.lastLoss, skipped: scd.skipped };
    student = { net: teacher.net, ema: scd.ema };
  }
  const methods = [teacherMethod(teacher.net, teacher.ema, f.size, data.sigmaData, f.nfe), ...consistencyMethods("sCD", "scd", student.net, student.ema, f.size, data.sigmaData)];
  return evaluateAndReport("mnist-scd", f.out, data, methods, f.n, f.seed, stages, { ...f, warmup, teacher: teacherDir }, t0, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) runMain(() => main(process.argv.slice(2)));
