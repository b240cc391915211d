// Experiment 2 (paper Fig. 5c; docs/guide/math.md, "Discrete-time consistency models"; issue 9 item 2):
// discrete-time consistency distillation ("dsCM": the finite-difference tangent of a DDIM teacher step on an
// EDM grid of N intervals, with the same normalisation, warm-up and adaptive weighting) at N ∈ {4, 16, 64, 256,
// 1024}, against continuous-time sCD — same exact teacher, network, initialisation, batch, iterations and
// seeds. Claim: continuous time beats every N (1-step SW).
import type { Claim } from "./result-file.js";
import type { ExperimentBody, RunOptions } from "./run-context.js";
import { makeEvaluator, evalSeeds, evalSizes } from "./evaluation.js";
import { cmPhase, diffusionPhase, scoreStudent, type Row } from "./exp1-mixture.js";
import { paperCm, ringProblem, toyNetwork } from "./toy-setup.js";
import { pretrain } from "./pretrain-cache.js";
import { trainPhase, type PhaseResult } from "./training.js";

/** Iterations per run. */
export const exp2Budget = { quick: { diffusion: 300, cm: 200 }, full: { diffusion: 1500, cm: 800 } } as const;
/** Grid sizes of the discrete-time runs. */
export const gridSizes = [4, 16, 64, 256, 1024] as const;
/** Training seeds: one per arm would confound the comparison, so every arm shares them. */
export const exp2Seeds = { diffusion: 11, cm: 21 } as const;

/** Experiment 2 as a result body. */
export async function experiment2(o: RunOptions): Promise<ExperimentBody> {
  const problem = ringProblem(), net = toyNetwork();
  const budget = exp2Budget[o.quick ? "quick" : "full"];
  const ev = await makeEvaluator(problem, evalSizes[o.quick ? "quick" : "full"]);
  const pre = await pretrain(net, problem.data, diffusionPhase(budget.diffusion, exp2Seeds.diffusion + o.seed));
  o.log(`diffusion pre-training: ${pre.seconds.toFixed(0)} s`);
  const arms: { name: string; N: number | null; result: PhaseResult; rows: Row[] }[] = [];
  for (const N of [...gridSizes, null]) {
    const base = cmPhase("scd", budget.cm, exp2Seeds.cm + o.seed, problem, o.cmLr);
    const phase = N === null ? base : { ...base, mode: "cm-discrete" as const, intervals: N };
    const result = await trainPhase(net, problem.data, phase, pre.ema);
    const name = N === null ? "continuous (sCD)" : `discrete, N = ${N}`;
    arms.push({ name, N, result, rows: await scoreStudent(ev, net, result.ema, name) });
    o.log(`${name}: ${result.seconds.toFixed(0)} s, 1-step SW ${arms.at(-1)!.rows[0]!.sw.toFixed(4)}`);
  }
  const cont = arms.at(-1)!;
  const bestDiscrete = arms.slice(0, -1).reduce((a, b) => (b.rows[0]!.sw < a.rows[0]!.sw ? b : a));
  const bestDiscrete2 = arms.slice(0, -1).reduce((a, b) => (b.rows[1]!.sw < a.rows[1]!.sw ? b : a));
  const claims: Claim[] = [
    {
      text: "continuous-time sCD beats discrete-time CM at every N (1-step sliced W2)",
      holds: cont.rows[0]!.sw < bestDiscrete.rows[0]!.sw,
      detail: `continuous ${cont.rows[0]!.sw.toFixed(4)}; best discrete ${bestDiscrete.rows[0]!.sw.toFixed(4)} (${bestDiscrete.name})`,
    },
    {
      text: "the same, 2-step sliced W2",
      holds: cont.rows[1]!.sw < bestDiscrete2.rows[1]!.sw,
      detail: `continuous ${cont.rows[1]!.sw.toFixed(4)}; best discrete ${bestDiscrete2.rows[1]!.sw.toFixed(4)} (${bestDiscrete2.name})`,
    },
  ];
  return {
    title: "Experiment 2 — continuous vs discrete time (Fig. 5c)",
    seeds: { "train.diffusion": exp2Seeds.diffusion + o.seed, "train.cm (every arm)": exp2Seeds.cm + o.seed, ...Object.fromEntries(Object.entries(evalSeeds).map(([k, v]) => [`eval.${k}`, v])) },
    settings: { ...budget, cm: { ...paperCm, lr: o.cmLr ?? paperCm.lr }, grid: "EDM ρ = 7, σ ∈ [0.002, 80], t = arctan(σ/σ_d); pairs (t_{i+1}, t_i) drawn from the log-normal proposal split over the grid", teacher: "exact F* of the mixture", evaluation: evalSizes[o.quick ? "quick" : "full"] },
    tables: [
      {
        title: "Distillation from the exact teacher: discrete-time CM at N intervals vs continuous time",
        columns: ["arm", "1-step SW ↓", "2-step SW ↓", "4-step SW ↓", "1-step MMD² ↓", "1-step flow-map RMS error ↓", "final loss", "skipped steps", "wall s"],
        rows: arms.map((a) => [a.name, a.rows[0]!.sw, a.rows[1]!.sw, a.rows[2]!.sw, a.rows[0]!.mmd2, a.rows[0]!.flowError, a.result.lastLoss, a.result.skipped, a.result.seconds]),
        caption: "Every arm: the same pre-trained initialisation, exact teacher, iterations, batch, learning rate, warm-up, normalisation and adaptive weighting; only the tangent differs (finite difference over one grid interval vs the JVP).",
      },
    ],
    claims,
    notes: ["The paper's Fig. 5c is on ImageNet 512×512 with N = 256…4096; here the grid sizes of issue 9 on the 2-D mixture."],
  };
}
