// MNIST through `scm train` with its defaults (issue 17's Deliver 5): for each training seed, a
// diffusion teacher and an sCD student from it, flags at their defaults besides --mode, --data,
// --teacher, --out and --seed; then the Fréchet distance (`scm eval --metric fd --n 1000`) of the
// teacher at 35 NFE and of sCD in 1 and 2 steps at several evaluation seeds. FD of 1000 samples moves
// by several units from one evaluation seed to the next (each seed draws other samples and another
// half of the held-out digits), and it moves together for all models, so the claim compares means
// over the same seeds. Writes experiments/results/mnist-cli.json and three sample grids.
//   node experiments/mnist/cli.mjs [OUT] [TRAIN_SEED ...]     (default OUT = runs/exp-mnist-cli, seed 0)
// A stage whose folder already holds a finished run (OUT/seed-S/teacher, OUT/seed-S/scd) is not
// retrained; its time is the sum of its logged step times. Needs `npx turbo run build` first.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const [out = join("runs", "exp-mnist-cli"), ...seedArgs] = process.argv.slice(2);
const trainSeeds = (seedArgs.length ? seedArgs : ["0"]).map(Number);
const evalSeeds = [0, 1, 2, 3, 4];
const bin = join("packages", "cli", "dist", "bin.js");
const dest = join("experiments", "results");
const startedAt = new Date();
const scm = (args) => execFileSync(process.execPath, [bin, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

// A run folder's steps, training seconds (from its event log) and final loss, or null when unfinished.
function finished(dir) {
  if (!existsSync(join(dir, "config.json"))) return null;
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).config;
  const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  if (events.at(-1)?.step !== cfg.steps) return null;
  let seconds = 0, prev = 0;
  for (const e of events) (seconds += (e.stepMs * (e.step - prev)) / 1000), (prev = e.step);
  return { steps: cfg.steps, lr: cfg.lr, batch: cfg.batch, seconds, lastLoss: events.at(-1).loss };
}

function stage(dir, args) {
  if (!finished(dir)) {
    console.error(`training ${dir}`);
    scm(["train", ...args, "--data", "mnist", "--out", dir, "--force"]);
  }
  return finished(dir);
}

const fd = (dir, args, seed) => Number(/fd\s+([0-9.]+)/.exec(scm(["eval", "--ckpt", dir, "--metric", "fd", "--n", "1000", "--seed", String(seed), ...args]))[1]);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const models = [["teacher, 35 NFE", "teacher", ["--nfe", "35"]], ["sCD, 1 step", "scd", ["--steps", "1"]], ["sCD, 2 steps", "scd", ["--steps", "2"]]];

const runs = trainSeeds.map((seed) => {
  const dir = join(out, `seed-${seed}`);
  const teacher = stage(join(dir, "teacher"), ["--mode", "diffusion", "--seed", String(seed)]);
  const scd = stage(join(dir, "scd"), ["--mode", "scd", "--teacher", join(dir, "teacher"), "--seed", String(seed)]);
  const figures = models.map(([name, sub, args]) => {
    console.error(`FD of ${name}, training seed ${seed}`);
    return { name, fds: evalSeeds.map((s) => fd(join(dir, sub), args, s)) };
  });
  return { seed, dir, teacher, scd, figures };
});

mkdirSync(dest, { recursive: true });
const first = runs[0];
const grids = [["teacher", ["--nfe", "35"], "teacher (35 NFE)"], ["scd", ["--steps", "1"], "sCD, 1 step"], ["scd", ["--steps", "2"], "sCD, 2 steps"]].map(([sub, args, title], i) => {
  const file = `mnist-cli-${["teacher", "scd-1", "scd-2"][i]}.png`;
  scm(["sample", "--ckpt", join(first.dir, sub), "--n", "64", ...args, "--out", join(dest, file), "--force"]);
  return { title: `MNIST through scm train's defaults, training seed ${first.seed}: ${title}`, file };
});

const ratio = (r) => mean(r.figures[2].fds) / mean(r.figures[0].fds);
const totalMinutes = (r) => (r.teacher.seconds + r.scd.seconds) / 60;
const git = (args) => execFileSync("git", args, { encoding: "utf8" }).trim();
const cpu = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"))?.split(":").slice(1).join(":").trim() ?? os.cpus()[0]?.model;
const result = {
  id: "mnist-cli",
  title: "MNIST through scm train's defaults: teacher at 35 NFE vs sCD at 1 and 2 steps",
  command: `node experiments/mnist/cli.mjs ${out} ${trainSeeds.join(" ")}`,
  quick: false,
  seeds: Object.fromEntries(trainSeeds.map((s, i) => [`train${i}`, s])),
  settings: {
    data: "mnist (28×28, one channel; the classifier split's 8000 training digits)",
    teacher: { steps: first.teacher.steps, lr: first.teacher.lr, batch: first.teacher.batch },
    scd: { steps: first.scd.steps, lr: first.scd.lr, batch: first.scd.batch },
    flags: "defaults besides --mode, --data, --teacher, --out and --seed",
    evaluation: `scm eval --metric fd --n 1000 at evaluation seeds ${evalSeeds.join(", ")}`,
  },
  machine: { cpu, cores: os.availableParallelism?.() ?? os.cpus().length, node: process.version, backend: "cpu" },
  startedAt: startedAt.toISOString(),
  wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
  commit: `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain", "--untracked-files=no"]) ? " (with uncommitted changes in the tree)" : ""}`,
  tables: [
    {
      title: "Sample quality",
      columns: ["training seed: model", ...evalSeeds.map((s) => `FD, eval seed ${s}`), "mean FD ↓", "÷ teacher"],
      rows: runs.flatMap((r) => r.figures.map((f) => [`${r.seed}: ${f.name}`, ...f.fds, mean(f.fds), mean(f.fds) / mean(r.figures[0].fds)])),
      caption: "Fréchet distance in the 64-d features of the project's MNIST classifier, 1000 samples against 1000 held-out digits per evaluation seed (two disjoint sets of real digits score about 11–12).",
    },
    {
      title: "Training",
      columns: ["training seed", "teacher steps", "teacher s", "sCD steps", "sCD s", "total min"],
      rows: runs.map((r) => [r.seed, r.teacher.steps, r.teacher.seconds, r.scd.steps, r.scd.seconds, totalMinutes(r)]),
      caption: "Seconds summed from each run's logged step times (checkpoints and start-up excluded), on this machine's 2 cores.",
    },
  ],
  claims: [
    {
      text: "2-step sCD's mean FD is within 15% of the teacher's (35 NFE) after ≤ 45 min of training, with scm train's defaults",
      holds: runs.every((r) => ratio(r) <= 1.15 && totalMinutes(r) <= 45),
      detail: runs.map((r) => `seed ${r.seed}: ratio ${ratio(r).toFixed(3)}, ${totalMinutes(r).toFixed(1)} min`).join("; "),
    },
    {
      text: "2-step sCD is within 10% of the teacher's FD (35 NFE), with scm train's defaults",
      holds: runs.every((r) => ratio(r) <= 1.1),
      detail: runs.map((r) => `seed ${r.seed}: ratio ${ratio(r).toFixed(3)}`).join("; "),
    },
  ],
  notes: [
    "The CLI path a user takes: `scm train --mode diffusion --data mnist`, then `scm train --mode scd --teacher …`, every recipe flag at its default (a U-Net of 32 channels × [1, 2, 2], batch 32; sCD on images 500 steps at a peak rate of 1e-4).",
    "The grids are drawn from the first training seed's models (`scm sample --n 64`).",
  ],
  images: grids,
};
const file = join(dest, "mnist-cli.json");
writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
console.log(`wrote ${file}: ${result.claims.map((c) => `${c.holds ? "holds" : "does not hold"} (${c.detail})`).join("; ")}`);
