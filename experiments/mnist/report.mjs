// Experiment 4 (MNIST) result file: reads the results.json the two examples wrote under OUT (scd/ and sct/)
// and writes experiments/results/mnist.json in the experiments' result-file shape (command, seeds,
// settings, machine, wall time, commit, tables, claims, notes), a markdown fragment mnist.md for the
// results page, and copies the two sample panels next to them. Checks the claim "2-step sCD within 10%
// of the teacher's FD".
//   node experiments/mnist/report.mjs OUT WALL_SECONDS "COMMAND" [TEACHER_DIR [EXTRA_SCD_OUT ...]]
// EXTRA_SCD_OUT: folders of further sCD example runs from the same teacher (other budgets), reported in a
// second table. OUT/notes.md, when present, adds the operator's notes ("- " lines: what was run, what
// the grids show).
// When the teacher was trained by an earlier run (MNIST_TEACHER), its steps, settings and training time
// come from its checkpoint's config.json and events.jsonl.
import { execSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const [out, wall, command, teacherDir, ...extraScd] = process.argv.slice(2);
if (!out) throw new Error("usage: node experiments/mnist/report.mjs OUT WALL_SECONDS COMMAND");
const scd = JSON.parse(readFileSync(join(out, "scd", "results.json"), "utf8"));
const sct = JSON.parse(readFileSync(join(out, "sct", "results.json"), "utf8"));
const dest = "experiments/results";
mkdirSync(dest, { recursive: true });

const cpu = (() => {
  try {
    return readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"))?.split(":").slice(1).join(":").trim() ?? os.cpus()[0]?.model;
  } catch {
    return os.cpus()[0]?.model ?? "unknown CPU";
  }
})();
const git = (args) => execSync(`git ${args}`, { encoding: "utf8" }).trim();
// run.sh records when the run started and at which commit (OUT/run-info.json); else: now.
const info = (() => {
  try {
    return JSON.parse(readFileSync(join(out, "run-info.json"), "utf8"));
  } catch {
    return {};
  }
})();
const commit = info.commit ?? `${git("rev-parse --short HEAD")}${git("status --porcelain --untracked-files=no") ? " (with uncommitted changes in the tree)" : ""}`;

const byMethod = new Map([...scd.rows, ...sct.rows].map((r) => [r.method, r]));
const order = ["teacher, 35 NFE", "sCD, 1 step", "sCD, 2 steps", "sCT, 1 step", "sCT, 2 steps", "data (training digits)"];
const rows = order.filter((m) => byMethod.has(m)).map((m) => {
  const r = byMethod.get(m);
  return [r.method, r.nfe || "—", r.fd, r.precision, r.recall, r.sampleSeconds];
});
const teacher = byMethod.get("teacher, 35 NFE"), scd2 = byMethod.get("sCD, 2 steps");
const ratio = scd2.fd / teacher.fd;
const s = scd.settings, n = s.n, size = scd.data.size;
// The teacher stage: from this run, or from the reused checkpoint's config and event log.
const teacherStage = (() => {
  if (scd.stages.teacher) return { ...scd.stages.teacher, lr: s["teacher-lr"], ema: s["teacher-ema"], reused: false };
  const dir = teacherDir ?? s.teacher;
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).config;
  const events = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  let seconds = 0, prev = 0;
  for (const e of events) (seconds += (e.stepMs * (e.step - prev)) / 1000), (prev = e.step);
  return { steps: cfg.steps, seconds, lastLoss: events.at(-1).loss, skipped: events.at(-1).skipped, lr: cfg.lr, ema: cfg.ema?.beta ?? cfg.emaBeta, reused: true };
})();
const stageRows = [
  ["teacher (diffusion)", teacherStage.steps, teacherStage.seconds, teacherStage.lastLoss],
  ["sCD (from the teacher)", scd.stages.scd?.steps ?? null, scd.stages.scd?.seconds ?? null, scd.stages.scd?.lastLoss ?? null],
  ["sCT (from the teacher)", sct.stages.sct.steps, sct.stages.sct.seconds, sct.stages.sct.lastLoss],
];
const extraRows = extraScd.flatMap((dir) => {
  const r = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
  return r.rows.map((x) => [`${r.settings.steps} sCD steps (${(r.stages.scd?.seconds ?? NaN).toFixed(0)} s): ${x.method}`, x.nfe || "—", x.fd, x.precision, x.recall, x.sampleSeconds]);
});
const extraNotes = (() => {
  try {
    return readFileSync(join(out, "notes.md"), "utf8").split("\n").filter((l) => l.startsWith("- ")).map((l) => l.slice(2));
  } catch {
    return [];
  }
})();
const result = {
  id: "mnist",
  title: "MNIST: TrigFlow teacher at 35 NFE vs sCD and sCT at 1 and 2 steps",
  command: command ?? `experiments/mnist/run.sh ${out}`,
  quick: false,
  seeds: { seed: s.seed },
  settings: {
    resolution: `${size}×${size} (28×28 average-pooled; samples upsampled to 28×28 for the features)`, model: `U-Net "${s.model}" (examples/mnist/src/model.ts)`,
    batch: s.batch, teacherSteps: teacherStage.steps, teacherLr: teacherStage.lr, teacherEma: teacherStage.ema, cmSteps: s.steps, cmLr: s.lr, cmEma: s.ema, warmup: s.warmup,
    time: { pMean: s["p-mean"], pStd: s["p-std"] }, teacherSampler: `DPM-Solver-2, EDM ρ = 7 grid, ${s.nfe} NFE`, samplesPerMethod: n,
    reference: `${scd.data.heldOutCount} held-out digits of the feature classifier's split (seed ${scd.data.split.seed}); models train on the other ${scd.data.trainCount}`,
  },
  machine: { cpu, cores: os.availableParallelism?.() ?? os.cpus().length, node: process.version, backend: "cpu" },
  startedAt: info.startedAt ?? new Date(Date.now() - Number(wall) * 1000).toISOString(),
  wallSeconds: Number(wall),
  commit,
  tables: [
    {
      title: "Sample quality",
      columns: ["method", "NFE", "FD ↓", "precision ↑", "recall ↑", "sampling s"],
      rows,
      caption: `Fréchet distance and k-NN precision/recall (k = 3) in the 64-d features of the project's MNIST classifier, ${n} samples per method against the ${scd.data.heldOutCount} held-out digits (both through the same ${size}×${size} pooling and 28×28 upsampling). "data" scores ${n} training digits: the floor at this sample size.`,
    },
    ...(extraRows.length
      ? [{
          title: "sCD with other budgets (same teacher, settings and seed)", columns: ["run (sCD training time): method", "NFE", "FD ↓", "precision ↑", "recall ↑", "sampling s"], rows: extraRows,
          caption: `The sCD example rerun from the same teacher checkpoint with only --steps changed (${extraScd.join(", ")}); same ${n} samples per method against the held-out digits.`,
        }]
      : []),
    {
      title: "Training", columns: ["stage", "steps", "seconds", "final loss"], rows: stageRows,
      caption: `Wall time on a 2-core CPU shared with other jobs (noisy).${teacherStage.reused ? " The teacher was trained by an earlier invocation (same settings and seed); its time is the sum of its logged step times." : ""}`,
    },
  ],
  claims: [
    {
      text: "2-step sCD is within 10% of the teacher's FD (35 NFE)",
      holds: ratio <= 1.1,
      detail: `FD: sCD 2 steps ${scd2.fd.toFixed(2)}, teacher ${teacher.fd.toFixed(2)} (ratio ${ratio.toFixed(3)})`,
    },
  ],
  notes: [
    "Small scale: a small U-Net trained for minutes on a shared 2-core CPU, far from the paper's budgets; the figures show what the code does at this scale, not the paper's numbers.",
    "No setting was tuned on the held-out digits: the settings were fixed before the run.",
    ...extraNotes,
  ],
  images: [
    { title: "MNIST: teacher (35 NFE), sCD 1 and 2 steps, data", file: "mnist-scd.png" },
    { title: "MNIST: sCT 1 and 2 steps, data", file: "mnist-sct.png" },
  ],
};
const file = join(dest, "mnist.json");
writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
copyFileSync(join(out, "scd", "samples.png"), join(dest, "mnist-scd.png"));
copyFileSync(join(out, "sct", "samples.png"), join(dest, "mnist-sct.png"));

const fmt = (v) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(v >= 10 ? 2 : 3)) : String(v ?? "—"));
const md = [
  `### ${result.title}`,
  "",
  `\`${result.command}\` — seed ${s.seed}, ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, cpu backend, commit ${commit}, ${(Number(wall) / 60).toFixed(1)} min wall.`,
  "",
  ...result.tables.flatMap((t) => [`**${t.title}.** ${t.caption}`, "", `| ${t.columns.join(" | ")} |`, `|${t.columns.map((_, i) => (i ? "---:" : "---")).join("|")}|`, ...t.rows.map((r) => `| ${r.map(fmt).join(" | ")} |`), ""]),
  `**Claim.** ${result.claims[0].text}: **${result.claims[0].holds ? "holds" : "does not hold"}** at this scale — ${result.claims[0].detail}.`,
  "",
  "![teacher, sCD 1 and 2 steps, data](mnist-scd.png)",
  "",
  "![sCT 1 and 2 steps, data](mnist-sct.png)",
  "",
  ...result.notes.map((x) => `- ${x}`),
  "",
].join("\n");
writeFileSync(join(dest, "mnist.md"), md);
console.log(`wrote ${file}, ${join(dest, "mnist.md")} and the sample panels`);
