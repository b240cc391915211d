// Experiment 3 (paper Fig. 5a–b and Fig. 4; issue 9 item 3; docs/guide/math.md,
// "Warm-up, normalisation and clipping of the tangent" and "Time conditioning"): switch off one of
// sCM's stabilisers at a time — tangent normalisation (none, or clipping to [−1, 1] instead),
// adaptive weighting, tangent warm-up — and swap the positional time embedding for EDM's Fourier
// features with scale 16, for sCT (from data) and sCD (from the exact teacher). Reports divergence
// (non-finite steps, loss curve) and quality (1- and 2-step SW).
import type { TangentNormalization } from "@scm-ts/consistency";
import type { Claim, Cell } from "./result-file.js";
import type { ExperimentBody, RunOptions } from "./run-context.js";
import { makeEvaluator, evalSeeds, evalSizes } from "./evaluation.js";
import { cmPhase, diffusionPhase, scoreStudent } from "./exp1-mixture.js";
import { timeEmbeddingMlp } from "./time-embedding-mlp.js";
import { paperCm, ringProblem, toyNetwork, type AnyNetwork, type AnyParams } from "./toy-setup.js";
import { pretrain } from "./pretrain-cache.js";
import { trainPhase, type Phase } from "./training.js";

/** Iterations per run. */
export const exp3Budget = { quick: { diffusion: 300, cm: 200 }, full: { diffusion: 1500, cm: 400 } } as const;
/** Training seeds, shared by every arm. */
export const exp3Seeds = { diffusion: 11, cm: 31 } as const;

/** One ablation arm: a change to the phase, or a different network. */
interface Arm {
  readonly name: string;
  readonly change: (p: Phase) => Phase;
  readonly network?: "positional" | "fourier16";
}

const none: TangentNormalization = { kind: "none" };
const clip: TangentNormalization = { kind: "clip" };

/** The arms, the paper's full recipe first. */
export const arms: readonly Arm[] = [
  { name: "paper (normalisation c = 0.1, adaptive weighting, warm-up, positional)", change: (p) => p },
  { name: "no tangent normalisation", change: (p) => ({ ...p, normalization: none }) },
  { name: "clipping to [−1, 1] instead of normalisation", change: (p) => ({ ...p, normalization: clip }) },
  { name: "no adaptive weighting", change: (p) => ({ ...p, adaptiveWeighting: false }) },
  { name: "no tangent warm-up (r = 1 from the start)", change: (p) => ({ ...p, warmup: 0 }) },
  { name: "copy of the MLP, positional embedding (control for the next row)", change: (p) => p, network: "positional" },
  { name: "copy of the MLP, Fourier-16 embedding", change: (p) => p, network: "fourier16" },
];

/** Experiment 3 as a result body. */
export async function experiment3(o: RunOptions): Promise<ExperimentBody> {
  const problem = ringProblem();
  const budget = exp3Budget[o.quick ? "quick" : "full"];
  const modes = o.quick ? (["sct"] as const) : (["sct", "scd"] as const);
  const ev = await makeEvaluator(problem, evalSizes[o.quick ? "quick" : "full"]);
  const nets: Record<string, AnyNetwork> = { default: toyNetwork(), positional: timeEmbeddingMlp({ width: 128, depth: 3, embedding: "positional" }) as unknown as AnyNetwork, fourier16: timeEmbeddingMlp({ width: 128, depth: 3, embedding: "fourier16" }) as unknown as AnyNetwork };
  const init: Record<string, AnyParams> = {};
  const preRows: Cell[][] = [];
  for (const [key, net] of Object.entries(nets)) {
    const pre = await pretrain(net, problem.data, diffusionPhase(budget.diffusion, exp3Seeds.diffusion + o.seed));
    init[key] = pre.ema;
    const x = ev.teacherSamples((u, t) => net.apply(pre.ema, u, t), 35);
    const s = await ev.score(x);
    x.dispose();
    preRows.push([key === "default" ? "models' MLP (positional)" : `copy, ${key}`, s.sw, pre.lastLoss, pre.skipped, pre.diverged ? "yes" : "no", pre.lossCurve.map((v) => v.toFixed(3)).join(" ")]);
    o.log(`diffusion pre-training ${key}: ${pre.seconds.toFixed(0)} s, 35-NFE SW ${s.sw.toFixed(4)}`);
  }
  const rows: Cell[][] = [];
  const sw: Record<string, number> = {};
  for (const mode of modes) {
    for (const arm of arms) {
      const key = arm.network ?? "default";
      const phase = arm.change(cmPhase(mode, budget.cm, exp3Seeds.cm + o.seed, problem, o.cmLr));
      const r = await trainPhase(nets[key]!, problem.data, phase, init[key]);
      const s = r.diverged ? null : await scoreStudent(ev, nets[key]!, r.ema, mode);
      sw[`${mode}|${arm.name}`] = s ? s[0]!.sw : Infinity;
      rows.push([mode === "sct" ? "sCT" : "sCD", arm.name, r.diverged ? "yes" : "no", r.skipped, r.lastLoss, s ? s[0]!.sw : null, s ? s[1]!.sw : null, s ? s[0]!.flowError : null, r.lossCurve.map((v) => v.toFixed(3)).join(" ")]);
      o.log(`${mode} / ${arm.name}: ${r.seconds.toFixed(0)} s, diverged ${r.diverged}, 1-step SW ${s ? s[0]!.sw.toFixed(4) : "—"}`);
    }
  }
  const claims: Claim[] = modes.flatMap((mode) => {
    const paper = sw[`${mode}|${arms[0]!.name}`]!;
    const worse = (i: number) => sw[`${mode}|${arms[i]!.name}`]! > paper;
    const m = mode === "sct" ? "sCT" : "sCD";
    const fmt = (i: number) => { const v = sw[`${mode}|${arms[i]!.name}`]!; return Number.isFinite(v) ? v.toFixed(4) : "diverged"; };
    return [
      { text: `${m}: removing tangent normalisation hurts (Fig. 5a)`, holds: worse(1), detail: `1-step SW ${fmt(1)} without vs ${paper.toFixed(4)} with` },
      { text: `${m}: adaptive weighting helps (Fig. 5b)`, holds: worse(3), detail: `1-step SW ${fmt(3)} without vs ${paper.toFixed(4)} with` },
      { text: `${m}: positional embedding beats Fourier-16 (Fig. 4)`, holds: sw[`${mode}|${arms[6]!.name}`]! > sw[`${mode}|${arms[5]!.name}`]!, detail: `1-step SW Fourier-16 ${fmt(6)} vs positional ${fmt(5)}` },
    ];
  });
  return {
    title: "Experiment 3 — ablations (Fig. 5a–b, Fig. 4)",
    seeds: { "train.diffusion": exp3Seeds.diffusion + o.seed, "train.cm (every arm)": exp3Seeds.cm + o.seed, ...Object.fromEntries(Object.entries(evalSeeds).map(([k, v]) => [`eval.${k}`, v])) },
    settings: { ...budget, modes, cm: { ...paperCm, lr: o.cmLr ?? paperCm.lr }, evaluation: evalSizes[o.quick ? "quick" : "full"] },
    tables: [
      { title: "Diffusion pre-training of each network (the CMs' initialisation)", columns: ["network", "35-NFE SW ↓", "final loss", "skipped steps", "diverged", "loss curve"], rows: preRows },
      {
        title: "One stabiliser off at a time",
        columns: ["method", "arm", "diverged", "skipped (non-finite) steps", "final loss", "1-step SW ↓", "2-step SW ↓", "1-step flow-map RMS error ↓", "loss curve (mean per tenth)"],
        rows,
        caption: "Diverged = a non-finite EMA or final loss, or over 10% of the steps skipped by the NaN guard. The loss is the adaptive-weighted loss where the weighting is on (it can be negative) and the plain mean squared error where it is off, so losses of different arms are not comparable.",
      },
    ],
    claims,
    notes: ["Every arm of a method starts from the same pre-trained weights (per network) and shares its training seed, so differences are the ablation's, up to the training noise of one seed."],
  };
}
