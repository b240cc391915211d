// Experiment 5 (paper Sec. 5.2 compute statements; issue 9 item 5): (a) the cost of an sCT and an sCD
// step relative to a diffusion step on the experiments' network and batch (paper: about 2×; target
// ≤ 1.5×); (b) a learned diffusion teacher is trained on the mixture, then sCD distils it (starting
// from its EMA, as the paper does) while a probe scores 2-step samples every few iterations; the
// iterations sCD needs to reach the teacher's 35-NFE quality, times the step-cost ratio, as a fraction
// of the teacher's training compute (paper: under 20%).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { twoStepTimes } from "@scm-ts/samplers";
import type { Cell, Claim } from "./result-file.js";
import type { ExperimentBody, RunOptions } from "./run-context.js";
import { makeEvaluator, evalSeeds, evalSizes } from "./evaluation.js";
import { cmPhase, diffusionPhase } from "./exp1-mixture.js";
import { timeSteps } from "./step-timing.js";
import { paperCm, rawNetwork, ringProblem, sigmaData, toyNetwork, type AnyParams } from "./toy-setup.js";
import { trainPhase } from "./training.js";

/** Budgets: teacher iterations, sCD iterations, probe interval, timing rounds. */
export const exp5Budget = { quick: { teacher: 400, scd: 300, probeEvery: 50, teacherProbes: 4, rounds: 5 }, full: { teacher: 3000, scd: 1500, probeEvery: 100, teacherProbes: 6, rounds: 15 } } as const;
/** Training seeds. */
export const exp5Seeds = { teacher: 41, scd: 42, timing: 43 } as const;

/** Experiment 5 as a result body. */
export async function experiment5(o: RunOptions): Promise<ExperimentBody> {
  const problem = ringProblem(), net = toyNetwork();
  const b = exp5Budget[o.quick ? "quick" : "full"];
  const x0 = problem.data.sample(c.random.key(exp5Seeds.timing), paperCm.batch);
  const timing = timeSteps(net, rawNetwork(net, net.init(c.random.key(exp5Seeds.timing))), x0, b.rounds);
  o.log(timing.map((t) => `${t.mode} ${t.medianMs.toFixed(1)} ms (${t.ratio.toFixed(2)}×)`).join(", "));
  const scdRatio = timing.find((t) => t.mode === "scd")!.ratio;

  // (b) The probes use the quick evaluation size: they only locate the crossing.
  const ev = await makeEvaluator(problem, evalSizes.quick);
  const apply = c.jit((q: AnyParams, u: Tensor, t: Tensor) => net.apply(q, u, t));
  const teacherCurve: Cell[][] = [];
  const teacherProbe = async (ema: AnyParams, step: number) => {
    const x = ev.teacherSamples((u, t) => apply(ema, u, t), 35);
    teacherCurve.push([step, (await ev.score(x)).sw]);
    x.dispose();
  };
  const teacher = await trainPhase(net, problem.data, diffusionPhase(b.teacher, exp5Seeds.teacher + o.seed), undefined, { every: Math.round(b.teacher / b.teacherProbes), fn: teacherProbe });
  const teacherSw = teacherCurve.at(-1)![1] as number;
  o.log(`teacher: ${teacher.seconds.toFixed(0)} s, 35-NFE SW ${teacherSw.toFixed(4)}`);
  const teacherNet = (u: Tensor, t: Tensor) => net.apply(teacher.ema, u, t);
  const scdCurve: Cell[][] = [];
  let reached: number | null = null;
  const scdProbe = async (ema: AnyParams, step: number) => {
    const x = ev.consistencySamples((u, t) => apply(ema, u, t), twoStepTimes(sigmaData));
    const sw = (await ev.score(x)).sw;
    x.dispose();
    scdCurve.push([step, sw, sw / teacherSw]);
    if (reached === null && sw <= teacherSw) reached = step;
  };
  const scdPhase = { ...cmPhase("scd", b.scd, exp5Seeds.scd + o.seed, problem, o.cmLr), teacher: teacherNet };
  const scd = await trainPhase(net, problem.data, scdPhase, teacher.ema, { every: b.probeEvery, fn: scdProbe });
  o.log(`sCD: ${scd.seconds.toFixed(0)} s, reached the teacher at ${reached ?? "never"}`);
  const bestScd = scdCurve.reduce((a, r) => ((r[1] as number) < (a[1] as number) ? r : a));
  const fraction = reached === null ? null : (reached * scdRatio) / b.teacher;
  const sctRatio = timing.find((t) => t.mode === "sct")!.ratio;
  const claims: Claim[] = [
    { text: "an sCT step costs ≤ 1.5× a diffusion step (paper: about 2×)", holds: sctRatio <= 1.5, detail: `${sctRatio.toFixed(2)}× (median of ${b.rounds} interleaved rounds)` },
    { text: "an sCD step costs ≤ 1.5× a diffusion step (its teacher forward included)", holds: scdRatio <= 1.5, detail: `${scdRatio.toFixed(2)}×` },
    {
      text: "2-step sCD reaches the teacher's 35-NFE quality with under 20% of the teacher's training compute",
      holds: fraction !== null && fraction < 0.2,
      detail: reached === null
        ? `not reached within ${b.scd} sCD iterations (${((b.scd * scdRatio) / b.teacher * 100).toFixed(0)}% of the teacher's compute); best 2-step SW ${(bestScd[1] as number).toFixed(4)} at iteration ${bestScd[0]} vs the teacher's ${teacherSw.toFixed(4)}`
        : `reached at iteration ${reached}: ${reached} × ${scdRatio.toFixed(2)} / ${b.teacher} = ${(fraction! * 100).toFixed(1)}% of the teacher's compute`,
    },
  ];
  return {
    title: "Experiment 5 — cost",
    seeds: { "train.teacher": exp5Seeds.teacher + o.seed, "train.scd": exp5Seeds.scd + o.seed, "timing data": exp5Seeds.timing, ...Object.fromEntries(Object.entries(evalSeeds).map(([k, v]) => [`eval.${k}`, v])) },
    settings: { ...b, network: "mlp width 128, 3 blocks", batch: paperCm.batch, cm: { ...paperCm, lr: o.cmLr ?? paperCm.lr }, probeEvaluation: evalSizes.quick },
    tables: [
      { title: "Training-step cost on the experiments' network (MLP 128×3, batch 256, jitted step with Adam, EMA and clipping)", columns: ["step", "median ms", "best ms", "÷ diffusion step (median per round)"], rows: timing.map((t) => [t.mode, t.medianMs, t.bestMs, t.ratio]) },
      { title: "The learned teacher's 35-NFE SW during its training", columns: ["teacher iteration", "35-NFE SW ↓"], rows: teacherCurve },
      { title: "sCD from the learned teacher: 2-step SW during distillation", columns: ["sCD iteration", "2-step SW ↓", "÷ teacher's final 35-NFE SW"], rows: scdCurve, caption: `Teacher: ${b.teacher} iterations; teacher-level = 2-step SW ≤ the teacher's final 35-NFE SW (${teacherSw.toFixed(4)}).` },
    ],
    claims,
    notes: [
      "Compute is counted in training-step time: teacher compute = teacher iterations × 1 diffusion step; sCD compute = iterations × the measured sCD/diffusion step ratio (which includes the teacher's forward pass).",
      "The probes score 4000 samples against 16k reference draws (the quick evaluation size), so the crossing point is located to within the probe interval and the metric's noise.",
    ],
  };
}
