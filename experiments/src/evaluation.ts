// How samples are scored against the true mixture, with seeds kept apart from every training seed:
// sliced Wasserstein-2 (256 projections) against a large fresh reference draw, unbiased MMD² with the
// median-heuristic RBF kernel on the first few thousand points, and, for one-step maps, the RMS error
// ‖x̂(z) − Φ_{t_max→0}(z)‖ against the exact PF-ODE flow map of the oracle (float64 Dormand–Prince).
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { mmd, slicedWasserstein } from "@scm-ts/metrics";
import { samplePrior, sampleConsistency, sampleTeacher } from "@scm-ts/samplers";
import { tMax, type PfOdeMethod } from "@scm-ts/trigflow";
import { sigmaData, type ToyProblem } from "./toy-setup.js";

/** Evaluation seeds: none of them is used by any training phase (those use seeds ≥ 11). */
export const evalSeeds = { reference: 5, projections: 6, floor: 7, noise: 8, renoise: 9 } as const;

/** The seeds of evaluation seed set ("draw") d: d = 0 is `evalSeeds`; draw d ≥ 1 adds 1000·d to each (apart from every training and probe seed). */
export function evalSeedsOf(draw: number): Record<keyof typeof evalSeeds, number> {
  if (!(Number.isInteger(draw) && draw >= 0)) throw new RangeError(`evalSeedsOf: the draw must be an integer ≥ 0, got ${draw}`);
  return Object.fromEntries(Object.entries(evalSeeds).map(([k, v]) => [k, v + 1000 * draw])) as Record<keyof typeof evalSeeds, number>;
}

/** Sizes of an evaluation. */
export interface EvalSize {
  /** Samples per method. */
  readonly n: number;
  /** Reference draws of the true mixture. */
  readonly reference: number;
  /** Points per set for MMD² (O(n²) on the host). */
  readonly mmdPoints: number;
  /** Noise points for the flow-map error (each one ODE solve in float64). */
  readonly flowPoints: number;
}

/** The quick and full evaluation sizes. */
export const evalSizes: Record<"quick" | "full", EvalSize> = {
  quick: { n: 4000, reference: 16_000, mmdPoints: 1500, flowPoints: 400 },
  full: { n: 10_000, reference: 40_000, mmdPoints: 3000, flowPoints: 1000 },
};

/** Scores of one sample set. */
export interface Scores {
  readonly sw: number;
  readonly mmd2: number;
}

/** An evaluator bound to one problem and size: fixed reference, fixed starting noise. */
export interface Evaluator {
  readonly size: EvalSize;
  /** The seeds of this evaluator's draw. */
  readonly seeds: Record<keyof typeof evalSeeds, number>;
  /** SW and MMD² of samples [n, 2]. */
  score(x: Tensor): Promise<Scores>;
  /** The fixed starting noise z [n, 2] (shared by every sampler, so differences are the methods'). */
  readonly noise: Tensor;
  /** Samples from a consistency network along `times`. */
  consistencySamples(F: RawNetwork, times: readonly number[]): Tensor;
  /** Samples from the teacher PF-ODE on the EDM grid at `nfe` (DPM-Solver-2 by default, the paper's). */
  teacherSamples(F: RawNetwork, nfe: number, method?: PfOdeMethod): Tensor;
  /** RMS ‖x̂ − Φ(z)‖ over the first flowPoints rows of a map of the fixed noise. */
  flowMapError(x: Tensor): Promise<number>;
}

/** Builds the evaluator of seed set `draw` (default 0, the published one); computes the exact flow map of the noise once. */
export async function makeEvaluator(problem: ToyProblem, size: EvalSize, draw = 0): Promise<Evaluator> {
  const seeds = evalSeedsOf(draw);
  const reference = problem.data.sample(c.random.key(seeds.reference), size.reference);
  const refHost = await reference.data();
  const mmdRef = c.array(refHost.slice(0, size.mmdPoints * 2), [size.mmdPoints, 2]);
  const noise = samplePrior(c.random.key(seeds.noise), [size.n, 2], sigmaData);
  const zHost = Float64Array.from((await noise.data()).slice(0, size.flowPoints * 2));
  const exact = problem.oracle.flowMapBatch(zHost, tMax(sigmaData), 0);
  const options = { key: c.random.key(seeds.renoise), shape: [size.n, 2], sigmaData, noise };
  return {
    size,
    seeds,
    noise,
    async score(x) {
      const sw = await slicedWasserstein(x, reference, { key: c.random.key(seeds.projections), projections: 256 });
      const head = c.array((await x.data()).slice(0, size.mmdPoints * 2), [size.mmdPoints, 2]);
      const m = (await mmd(head, mmdRef)).mmd2;
      head.dispose();
      return { sw, mmd2: m };
    },
    consistencySamples: (F, times) => sampleConsistency(F, times, options),
    teacherSamples: (F, nfe, method = "dpm-solver-2") => sampleTeacher(F, { ...options, nfe, method }),
    async flowMapError(x) {
      const v = await x.data();
      let s = 0;
      for (let i = 0; i < size.flowPoints * 2; i++) s += (v[i]! - exact[i]!) ** 2;
      return Math.sqrt(s / size.flowPoints);
    },
  };
}

/** The SW and MMD² of a fresh draw of the data itself: the metric's noise floor at this n. */
export async function floorScores(problem: ToyProblem, ev: Evaluator): Promise<Scores> {
  return ev.score(problem.data.sample(c.random.key(ev.seeds.floor), ev.size.n));
}
