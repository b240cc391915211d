// The MNIST sCT example: continuous-time consistency training (Lu & Song 2024, Algorithm 1 without a
// teacher: the tangent uses the one-sample estimate cos t·z − sin t·x0 of the PF-ODE velocity) of a
// U-Net on MNIST, from scratch or — the paper's protocol, `--init` — from a diffusion teacher's EMA
// weights (the sCD example writes one to <out>/teacher). Then 1- and 2-step samples: PNG grids, and the
// Fréchet distance and precision/recall against held-out digits in the project's classifier features.
//
//   npm run sct -w @scm-ts/example-mnist -- --steps 1000 --out runs/mnist-sct
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import * as c from "@scm-ts/core";
import { useNativeCpu } from "@scm-ts/native-cpu";
import { commonFlags, evaluateAndReport, type ExampleResult } from "./common.js";
import { parseExampleFlags, runMain, UsageError, type FlagSpec } from "./flags.js";
import { loadMnistSplit } from "./mnist-data.js";
import { buildNet, unetConfig, type PresetName } from "./model.js";
import { consistencyMethods } from "./samplers.js";
import { emaSetting, loadEma, trainStage, type LrSchedule } from "./stage.js";

/** Flags of the sCT example. */
export const sctFlags = {
  steps: { kind: "number", default: 2000, integer: true, min: 1, help: "sCT training steps" },
  lr: { kind: "number", default: 1e-3, min: 0, help: "the (peak) Adam learning rate" },
  warmup: { kind: "number", default: -1, integer: true, help: "tangent warm-up steps H (-1: 15% of --steps)" },
  init: { kind: "string", default: "", help: "start from this diffusion checkpoint's EMA weights (folder), e.g. runs/mnist-scd/teacher; empty: from scratch" },
  out: { kind: "string", default: join("runs", "mnist-sct"), help: "output folder" },
  ...commonFlags,
} as const satisfies Record<string, FlagSpec>;

const summary = "MNIST sCT: train a consistency model with sCT on a U-Net, sample in 1 and 2 steps, score FD and precision/recall";

/** Runs the example; undefined after --help. */
export async function main(argv: readonly string[], log: (line: string) => void = console.log): Promise<ExampleResult | undefined> {
  const f = parseExampleFlags(argv, sctFlags, "node dist/sct.js", summary, log);
  if (!f) return undefined;
  const ema = emaSetting(f.ema, f["ema-std"]);
  // Node runs the convolutions and products on the native oneDNN path where it was built; the line says which.
  log(useNativeCpu());
  const t0 = performance.now();
  const data = await loadMnistSplit(f.size);
  const init = f.init ? await loadEma(f.init, f.size) : undefined;
  if (init && init.config.mode !== "diffusion") throw new UsageError(`--init ${f.init}: a ${String(init.config.mode)} checkpoint; sCT starts from a diffusion teacher`);
  const net = init?.net ?? buildNet(unetConfig(f.model as PresetName, f.size));
  log(`MNIST sCT at ${f.size}×${f.size}: ${data.trainCount} training digits, ${data.heldOutCount} held out; U-Net ${init ? `from ${f.init}` : `"${f.model}" from scratch`}`);
  const warmup = f.warmup < 0 ? Math.round(0.15 * f.steps) : f.warmup;
  const sct = await trainStage({
    name: "sct", mode: "sct", net, init: init?.ema ?? net.init(c.random.key(f.seed)), data, steps: f.steps, batch: f.batch, lr: f.lr, lrSchedule: f["lr-schedule"] as LrSchedule, warmup, ema,
    time: { pMean: f["p-mean"], pStd: f["p-std"] }, seed: f.seed, dir: join(f.out, "sct"), checkpointEvery: f["checkpoint-every"], extra: { init: f.init }, log,
  });
  const methods = consistencyMethods("sCT", "sct", net, sct.ema, f.size, data.sigmaData);
  const stages = { sct: { seconds: sct.seconds, steps: f.steps, lastLoss: sct.lastLoss, skipped: sct.skipped } };
  return evaluateAndReport("mnist-sct", f.out, data, methods, f.n, f.seed, stages, { ...f, warmup }, t0, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) runMain(() => main(process.argv.slice(2)));
