// Side-by-side CPU benchmark of @scm-ts/core (the 'cpu' backend, jitted) against PyTorch (CPU, the
// reference modules of python/scm_ref) on the workloads of issue 20: four conv stacks (fwd, fwd+bwd), the
// MLP 3×512 (fwd, JVP, grad), three U-Nets (fwd, fwd+JVP, fwd+bwd) and whole training steps (diffusion,
// sCT, sCD with Adam) of the MNIST example's small U-Net. Ours runs in this process, PyTorch in one child
// process (torch-process.mjs) that times one call when asked, so the two sides alternate call by call:
// each round times every row once on each side (which side goes first alternates by round), and each
// side measures its own call's wall time, so the pipe between them is not counted. Reported: medians over
// the rounds, and ours ÷ torch as the median over rounds of the per-round ratio (both measured moments
// apart, so the machine's load largely cancels). Between the two sides' calls the driver pauses briefly,
// so neither side's spinning worker threads (OpenMP's, ours) eat into the other's call.
//
// Usage: node bench.mjs [--quick] [--rows ID,ID…]; env BENCH_N (rounds, default 9), BENCH_WARMUP (calls,
// default 2), BENCH_TORCH_THREADS (PyTorch's and, unless SCM_THREADS is set, our threads; default 2).
// The figures are a report: the script never fails because ours is slower.
import os from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startTorch, torchPython } from "./torch-process.mjs";

const USAGE = "usage: node bench.mjs [--quick] [--rows ID[,ID…]] (an ID is a substring of a row id such as conv-32-16-14/fwd, mlp/jvp, unet-mnist-base/fwd+bwd, train-mnist-small/sct)";
const SWITCH_PAUSE_MS = 5;

function parseArgs(argv) {
  const o = { quick: false, rows: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") o.quick = true;
    else if (a === "--rows" || a.startsWith("--rows=")) {
      const v = a === "--rows" ? argv[++i] : a.slice("--rows=".length);
      if (!v) throw new Error(`--rows needs a comma list of row ids; ${USAGE}`);
      o.rows.push(...v.split(",").filter(Boolean));
    } else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}; ${USAGE}`);
  }
  return o;
}

// the median of a list (the upper one of an even list)
const median = (a) => [...a].sort((u, v) => u - v)[Math.floor(a.length / 2)];
const perRound = (a, b) => median(a.map((v, i) => v / b[i]));
const ms = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const times = (v) => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(2)}×`);

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const N = Math.max(1, Number(process.env.BENCH_N ?? (args.quick ? 3 : 9)) | 0);
  const WARMUP = Math.max(1, Number(process.env.BENCH_WARMUP ?? (args.quick ? 1 : 2)) | 0);
  const threads = Math.max(1, Number(process.env.BENCH_TORCH_THREADS ?? 2) | 0);
  // the same thread count on both sides unless asked otherwise; read when the CPU backend starts
  process.env.SCM_THREADS ??= String(threads);
  const c = await import("@scm-ts/core");
  const { workloads, writeWorkload } = await import("./workloads.mjs");
  await c.setBackend("cpu");
  // the CPU backend's convolutions and products on oneDNN when the addon is built (SCM_CPU_NATIVE=0: the wasm kernels)
  const { useNativeCpu } = await import("@scm-ts/native-cpu");
  console.log(`ours: ${useNativeCpu()}`);

  const wanted = (id) => args.rows.length === 0 || args.rows.some((r) => id.includes(r));
  const all = workloads()
    .map((w) => ({ ...w, rows: Object.entries(w.rows).filter(([name]) => wanted(`${w.id}/${name}`)) }))
    .filter((w) => w.rows.length > 0);
  if (all.length === 0) {
    console.error(`--rows ${args.rows.join(",")} matches no row; ${USAGE}`);
    process.exit(2);
  }

  const python = torchPython();
  let torch = null, info = null, why = null, dir = null;
  if (!python) why = "no python3 that imports torch and numpy (set SCM_PYTHON, or apt-get install -y python3-torch python3-numpy); timing ours alone";
  else {
    dir = mkdtempSync(join(os.tmpdir(), "scm-bench-torch-"));
    const specs = [];
    for (const w of all) specs.push(await writeWorkload(w, dir));
    torch = startTorch(python, threads);
    info = await torch.request({ op: "setup", workloads: specs });
  }
  const torchOk = (w) => torch && info.workloads[w.id] && !info.workloads[w.id].error;
  const runTorch = async (w, name) => {
    const reply = await torch.request({ op: "run", workload: w.id, row: name });
    if (reply.error) throw new Error(`the PyTorch side failed on ${w.id}/${name}: ${reply.error}`);
    return reply.ms;
  };
  const runOurs = (fn) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };

  const t0 = performance.now();
  const res = new Map(all.flatMap((w) => w.rows.map(([name]) => [`${w.id}/${name}`, { ours: [], torch: [] }])));
  for (const w of all) {
    for (const [name, fn] of w.rows) {
      for (let i = 0; i < WARMUP; i++) {
        fn();
        if (torchOk(w)) await runTorch(w, name);
      }
    }
  }
  for (let r = 0; r < N; r++) {
    for (const w of all) {
      for (const [name, fn] of w.rows) {
        const rec = res.get(`${w.id}/${name}`);
        const sides = [async () => rec.ours.push(runOurs(fn)), async () => torchOk(w) && rec.torch.push(await runTorch(w, name))];
        for (const side of r % 2 === 0 ? sides : sides.reverse()) {
          await side();
          await sleep(SWITCH_PAUSE_MS);
        }
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  torch?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });

  const cpus = os.cpus();
  console.log("## @scm-ts/core (cpu backend, jitted) against PyTorch (CPU)\n");
  console.log(`- machine: ${cpus[0]?.model ?? "unknown"} × ${cpus.length} (nproc), node ${process.version}; load average at the end ${os.loadavg().map((v) => v.toFixed(2)).join(", ")}`);
  console.log(`- ours: ${c.getBackend().name} backend, SCM_THREADS=${process.env.SCM_THREADS}; PyTorch: ${info ? `${info.torch}, ${info.threads} threads (${python})` : "not run"}`);
  const reference = info?.blas.some((l) => l.includes("/blas/libblas"));
  if (info) console.log(`- PyTorch's BLAS: ${info.blas.join(", ") || "none found"}${reference ? " — the reference BLAS: PyTorch's matrix products run far below their speed with OpenBLAS (apt-get install libopenblas0-pthread, or LD_LIBRARY_PATH=<its openblas-pthread folder>)" : ""}; its convolutions use oneDNN`);
  console.log(`- median (and best) of ${N} interleaved rounds after ${WARMUP} warm-up call(s) per row and side; ours ÷ torch is the median of the per-round ratios;`);
  console.log(`  "÷ fwd" is each side's time over its own first row of the workload (median per round); check: max |F_torch − F_ours| / max |F_ours| of the forward output\n`);
  if (why) console.log(`PyTorch not compared: ${why}\n`);
  console.log("| workload | row | ours ms | torch ms | ours ÷ torch | ours best ms | torch best ms | ours ÷ fwd | torch ÷ fwd | check |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const w of all) {
    const t = info?.workloads[w.id];
    const first = res.get(`${w.id}/${w.rows[0][0]}`);
    for (const [i, [name]] of w.rows.entries()) {
      const rec = res.get(`${w.id}/${name}`);
      const hasT = rec.torch.length > 0;
      const check = i > 0 || !t ? "" : t.error ? `torch failed: ${t.error}` : t.check === null ? "—" : t.check.toExponential(1);
      const own = (a, f) => (i === 0 || a.length === 0 ? "" : times(perRound(a, f)));
      console.log(`| ${i === 0 ? w.label : ""} | ${name} | ${ms(median(rec.ours))} | ${hasT ? ms(median(rec.torch)) : "—"} | ${hasT ? times(perRound(rec.ours, rec.torch)) : "—"} | ${ms(Math.min(...rec.ours))} | ${hasT ? ms(Math.min(...rec.torch)) : "—"} | ${own(rec.ours, first.ours)} | ${own(rec.torch, first.torch)} | ${check} |`);
    }
  }
  console.log(`\n${seconds.toFixed(0)} s of warm-up and rounds`);
}

await main();
process.exit(0);
