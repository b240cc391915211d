#!/usr/bin/env node
// The `scm` command: dispatches to demo, train, sample, eval and bench; --help everywhere; a usage
// error prints one line and exits 2, any other failure prints one line and exits 1, success exits 0;
// a training run stopped by Ctrl-C or SIGTERM (after its checkpoint) exits 130 or 143.
import { helpText, parseFlags, UsageError, type FlagSpecs } from "./args.js";
import { benchFlags, runBench } from "./commands/bench.js";
import { demoFlags, runDemo } from "./commands/demo.js";
import { evalFlags, runEval } from "./commands/eval.js";
import { runSample, sampleFlags } from "./commands/sample.js";
import { runTrain, trainFlags } from "./commands/train.js";
import { Interrupted } from "./signals.js";

const commands: Record<string, { summary: string; flags: FlagSpecs; run: (f: Record<string, unknown>) => Promise<number> }> = {
  demo: { summary: "train a teacher, sCD and sCT on a 2-D toy; print metrics; write plots and checkpoints", flags: demoFlags, run: async (f) => (await runDemo(f as never), 0) },
  train: {
    summary: "train a diffusion teacher, sCT, sCD or the discrete-time CM",
    flags: trainFlags,
    run: async (f) => {
      const r = await runTrain(f as never);
      console.log(`trained ${r.cfg.mode} for ${r.stepsRun} steps${r.stepsRun !== r.cfg.steps ? ` (to step ${r.cfg.steps})` : ""} in ${r.seconds.toFixed(1)} s; final loss ${r.lastLoss.toFixed(4)}${r.skipped ? `; ${r.skipped} non-finite steps skipped` : ""}; checkpoint in ${r.dir}`);
      return 0;
    },
  },
  sample: { summary: "draw samples from a checkpoint", flags: sampleFlags, run: async (f) => (await runSample(f as never), 0) },
  eval: { summary: "compare samples of a checkpoint with data", flags: evalFlags, run: async (f) => (await runEval(f as never), 0) },
  bench: { summary: "print the benchmark tables", flags: benchFlags, run: async (f) => runBench(f as never) },
};

function usage(): string {
  return ["scm — continuous-time consistency models (sCM) in TypeScript", "", "Commands:", ...Object.entries(commands).map(([k, v]) => `  ${k.padEnd(8)} ${v.summary}`), "", "Run scm <command> --help for its flags."].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) throw new UsageError(`scm: unknown command '${name}'; commands: ${Object.keys(commands).join(", ")}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(helpText(name, cmd.summary, cmd.flags));
    return 0;
  }
  // train fills its own defaults: on --resume the checkpoint's settings come first, and only flags given can contradict them.
  return cmd.run(parseFlags(name, rest, cmd.flags, name !== "train"));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof Interrupted) {
      console.error(e.message);
      process.exit(e.exitCode);
    }
    console.error(e instanceof Error ? (e instanceof UsageError ? e.message : `scm: ${e.message}`) : `scm: ${String(e)}`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
