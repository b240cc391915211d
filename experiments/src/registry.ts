// The experiments by id, in the order of the results page (issue 9's numbering; MNIST, item 4, is
// not here yet; experiment 7 checks issue 17's acceptance through the CLI).
import { experiment1 } from "./exp1-mixture.js";
import { experiment1Probe } from "./exp1-probe.js";
import { experiment2 } from "./exp2-discrete.js";
import { experiment3 } from "./exp3-ablations.js";
import { experiment5 } from "./exp5-cost.js";
import { experiment6 } from "./exp6-benchmarks.js";
import { experiment7 } from "./exp7-cli-quality.js";
import type { ExperimentBody, RunOptions } from "./run-context.js";

/** Experiment bodies by id. */
export const experiments: Record<string, (o: RunOptions) => Promise<ExperimentBody>> = {
  "exp1-mixture": experiment1,
  "exp1-probe": experiment1Probe,
  "exp2-discrete": experiment2,
  "exp3-ablations": experiment3,
  "exp5-cost": experiment5,
  "exp6-benchmarks": experiment6,
  "exp7-cli-quality": experiment7,
};
