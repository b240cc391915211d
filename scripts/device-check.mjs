// The work of scripts/device-check.sh (which says how to use it). `bundle` writes .device/: Node
// (xz), and one tar.xz of the node_modules the checks import (the dependency closure of the
// workspace packages they run, with Dawn's linux-x64 binary only) and the packages' dist/ folders,
// plus the commit. `run` runs the checks in order of importance within a time budget, each step
// with its own limit and its output logged, then writes the page: docs/benchmarks.md on a GPU (the
// card named from nvidia-smi or the adapter), or --out FILE; a CPU adapter (llvmpipe, SwiftShader,
// lavapipe) never writes docs/benchmarks.md. The page gives every figure with its source step and
// the targets of issue 4: matmul 4096³ ≥ 40% of the card's float32 (non-tensor-core) peak, and
// forward+JVP ≤ 2.05× forward for the MLP, the conv net and the U-Net.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dev = join(root, ".device");
const [command, ...argv] = process.argv.slice(2);

// ---- bundle ---------------------------------------------------------------------------------

/** The node_modules directories (relative to root) that `names` need, found as Node resolves them. */
function closure(names, from) {
  const seen = new Set();
  const visit = (name, dir) => {
    for (let d = dir; ; d = dirname(d)) {
      const p = join(d, "node_modules", name);
      if (existsSync(join(p, "package.json"))) {
        const real = realpathSync(p);
        const rel = relative(root, p);
        if (seen.has(rel)) return;
        seen.add(rel);
        if (!real.startsWith(join(root, "node_modules"))) return; // a workspace link: its deps are walked from the package itself
        const pkg = JSON.parse(readFileSync(join(p, "package.json"), "utf8"));
        for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) visit(dep, p);
        return;
      }
      if (d === root || d === dirname(d)) return; // not installed (an optional dependency of another platform)
    }
  };
  for (const n of names) visit(n, from);
  return [...seen];
}

function bundle() {
  mkdirSync(dev, { recursive: true });
  const packages = ["core", "testing", "trigflow", "nn", "models", "webgpu"];
  const names = new Set(["vitest", "fast-check"]);
  for (const p of packages) {
    const pkg = JSON.parse(readFileSync(join(root, "packages", p, "package.json"), "utf8"));
    for (const d of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) names.add(d);
  }
  const dirs = closure([...names], root);
  const dists = packages.map((p) => `packages/${p}/dist`).filter((d) => existsSync(join(root, d)));
  if (dists.length !== packages.length) throw new Error(`missing dist/ folders: build first (npx tsc -b packages/webgpu packages/models)`);
  const other = ["darwin-universal", "linux-arm64", "win32-arm64", "win32-x64"].map((a) => `--exclude=node_modules/webgpu/dist/${a}`);
  const tar = spawnSync("tar", ["-cJf", join(dev, "modules.tar.xz"), ...other, "-C", root, ...dirs, ...dists], { stdio: "inherit", env: { ...process.env, XZ_OPT: "-T0 -6" } });
  if (tar.status !== 0) throw new Error("tar failed");
  const node = realpathSync(process.execPath);
  const xz = spawnSync("sh", ["-c", `xz -T0 -6 -c "${node}" > "${join(dev, "node.xz")}"`], { stdio: "inherit" });
  if (xz.status !== 0) throw new Error("xz of the node binary failed");
  const git = spawnSync("git", ["-C", root, "log", "-1", "--format=%h %s"], { encoding: "utf8" });
  const dirty = spawnSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).stdout.trim() ? " (with uncommitted changes)" : "";
  writeFileSync(join(dev, "commit.txt"), `${git.stdout.trim()}${dirty}\n`);
  console.log(`bundled ${dirs.length} node_modules entries, ${dists.length} dist folders and node ${process.version} into .device/`);
}

// ---- run ------------------------------------------------------------------------------------

const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const software = argv.includes("--software");
const budgetS = Number(process.env.DEVICE_CHECK_BUDGET_S ?? 450);
const t0 = Date.now();
const left = () => budgetS - (Date.now() - t0) / 1000;
const logs = join(dev, "logs");
const steps = [];

/** Runs one step (a command in a package directory) with a time limit; logs and echoes its output. */
function step(id, title, cmd, args, { cwd = root, env = {}, limitS }) {
  const limit = Math.min(limitS, Math.floor(left()));
  if (limit < 20) {
    steps.push({ id, title, status: "not run (time budget spent)", out: "", seconds: 0 });
    console.log(`\n=== ${title}: not run, ${left().toFixed(0)} s of the budget left`);
    return Promise.resolve(steps.at(-1));
  }
  console.log(`\n=== ${title} (limit ${limit} s)`);
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    // A child's stderr is a socket here, which the runtime cannot filter in the child: drop Dawn's
    // two adapter warnings while relaying (one filter per stream, so partial lines stay apart).
    let out = "";
    const sinks = [child.stdout, child.stderr].map((stream) => {
      const sink = { write: (chunk) => ((out += chunk), process.stdout.write(chunk)) };
      const undo = filterDawnWarningsFrom(sink);
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => sink.write(chunk));
      return undo;
    });
    const timer = setTimeout(() => {
      out += `\n[device-check: stopped after ${limit} s]\n`;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, limit * 1000);
    child.on("error", (e) => (out += `\n[device-check: ${e.message}]\n`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      for (const undo of sinks) undo();
      const seconds = (Date.now() - start) / 1000;
      const status = code === 0 ? "passed" : signal ? `stopped (${signal}, limit ${limit} s)` : `failed (exit ${code})`;
      writeFileSync(join(logs, `${id}.log`), out);
      const s = { id, title, status, out, seconds };
      steps.push(s);
      resolve(s);
    });
  });
}

/** Records a step that did not run. */
function skip(id, title, status) {
  const s = { id, title, status, out: "", seconds: 0 };
  steps.push(s);
  return s;
}

/** Peak float32 (non-tensor-core) TFLOP/s of NVIDIA data-centre cards, by name. */
function fp32Peak(name) {
  const table = [
    [/H200.*NVL/i, 60, "H200 NVL"],
    [/H200|GH200/i, 66.9, "H200 SXM / GH200"],
    [/H100.*PCIe/i, 51.2, "H100 PCIe"],
    [/H100.*NVL/i, 60, "H100 NVL"],
    [/H100/i, 66.9, "H100 SXM"],
    [/A100/i, 19.5, "A100"],
    [/L40S/i, 91.6, "L40S"],
  ];
  const hit = table.find(([re]) => re.test(name));
  return hit ? { tflops: hit[1], model: hit[2] } : undefined;
}

const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const num = (re, text) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
};
const fmt = (v, digits = 2, unit = "") => (v === undefined || !Number.isFinite(v) ? "—" : `${v.toFixed(digits)}${unit}`);

let filterDawnWarningsFrom;

async function runChecks() {
  mkdirSync(logs, { recursive: true });
  ({ filterDawnWarningsFrom } = await import("../packages/webgpu/dist/runtime/dawn-stderr.js"));
  const backend = software ? "opengles" : "vulkan";
  const gpuEnv = { SCM_WEBGPU_BACKEND: backend, SCM_REQUIRE_WEBGPU: "1", ...(software ? { EGL_PLATFORM: "surfaceless" } : {}) };
  const smi = spawnSync("nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"], { encoding: "utf8" });
  const smiLine = smi.status === 0 ? smi.stdout.trim().split("\n")[0] : undefined;
  // 1. the adapter Dawn gives on this backend
  const probe = await step("adapter", "WebGPU adapter", process.execPath, ["--input-type=module", "-e", `
    import { acquireDevice } from "./packages/webgpu/dist/index.js";
    const ctx = await acquireDevice();
    console.log(JSON.stringify({ description: ctx.description, cpu: ctx.limits.cpuAdapter, featureLevel: ctx.featureLevel }));
    ctx.device.destroy(); process.exit(0);`], { env: gpuEnv, limitS: 60 });
  const adapter = (() => {
    try {
      return JSON.parse(probe.out.trim().split("\n").filter((l) => l.startsWith("{")).at(-1));
    } catch {
      return undefined;
    }
  })();
  const card = smiLine?.split(",")[0]?.trim() ?? adapter?.description ?? "unknown";
  const isCpu = !adapter || adapter.cpu === true;
  const why = !adapter ? "no WebGPU adapter" : isCpu && !software ? "the adapter is a CPU implementation (pass --software to run on it)" : undefined;
  if (why) console.log(`\ndevice-check: ${why}; the other steps are not run`);
  // Every step after the probe, or its record of why it did not run.
  const check = (id, title, ...rest) => (why ? Promise.resolve(skip(id, title, `not run (${why})`)) : step(id, title, ...rest));
  const small = software ? { BENCH_N: "3", BENCH_MATMUL: "256,512" } : {};
  // 2. parity on the device, 3. the benchmarks, in order of importance
  const parity = await check("parity-webgpu", "parity suite of @scm-ts/webgpu", process.execPath, [vitest, "run"], { cwd: join(root, "packages/webgpu"), env: gpuEnv, limitS: 240 });
  const bench = await check("bench-webgpu", "npm run bench -w @scm-ts/webgpu", process.execPath, ["bench/bench.mjs"], { cwd: join(root, "packages/webgpu"), env: { ...gpuEnv, ...small }, limitS: 180 });
  const models = await check("bench-models", "models bench on WebGPU (MLP, U-Net, DiT)", process.execPath, ["bench/forward-jvp.mjs"], { cwd: join(root, "packages/models"), env: { ...gpuEnv, BENCH_BACKEND: "webgpu", BENCH_N: software ? "1" : "5" }, limitS: software ? 60 : 150 });
  const torch = await check("torch", "torch.func.jvp on the same MLP", "python3", ["-c", torchScript], { env: { PYTHONUNBUFFERED: "1" }, limitS: 90 });
  const layers = await check("parity-layers", "layer parity (nn)", process.execPath, [vitest, "run", "src/layers.webgpu.test.ts"], { cwd: join(root, "packages/nn"), env: gpuEnv, limitS: 120 });
  const modelParity = await check("parity-models", "model parity (models)", process.execPath, [vitest, "run", "src/models.webgpu.test.ts"], { cwd: join(root, "packages/models"), env: gpuEnv, limitS: 120 });
  const attention = await check("bench-attention", "attention backward: routines vs composed", process.execPath, ["bench/attention-bwd.mjs"], { cwd: join(root, "packages/webgpu"), env: { ...gpuEnv, ...(software ? { BENCH_N: "2", BENCH_ATTN: "4×128×128×32" } : {}) }, limitS: 90 });

  // ---- the page
  const peak = fp32Peak(card);
  const mm4096 = num(/matmul 4096³: ([\d.]+) GFLOP\/s/, bench.out);
  const pct = mm4096 !== undefined && peak ? (100 * mm4096) / (peak.tflops * 1000) : undefined;
  const mlp = num(/fwd\+JVP \/ fwd, MLP, jit: ([\d.]+)×/, bench.out);
  const conv = num(/fwd\+JVP \/ fwd, conv net, jit: ([\d.]+)×/, bench.out);
  const unet = num(/\| unet [^|]*\|[^|]*\|[^|]*\| ([\d.]+)×/, models.out);
  const torchRatio = num(/torch\.func\.jvp \/ forward: ([\d.]+)/, torch.out);
  const testCount = (s) => (/Tests\s+(.*\(\d+\))/.exec(s.out.replace(/\x1b\[[0-9;]*m/g, ""))?.[1] ?? s.status).trim();
  const verdict = (ok) => (ok === undefined ? "not measured" : ok ? "meets" : "misses");
  const host = `${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}`;
  const commit = existsSync(join(dev, "commit.txt")) ? readFileSync(join(dev, "commit.txt"), "utf8").trim() : "unknown";
  const fence = (text) => "````text\n" + text.replace(/\x1b\[[0-9;]*m/g, "").trim() + "\n````";
  const page = [
    "# WebGPU benchmarks",
    "",
    !adapter
      ? `> **No WebGPU adapter was found** (backend ${backend}; see the adapter log), so nothing was measured.`
      : software || isCpu
      ? `> **Software adapter (${adapter?.description ?? "none"}), not a GPU.** Written by \`scripts/device-check.sh run --software\` to test the script; none of these figures says anything about GPUs.`
      : `Measured on **${card}**${smiLine ? ` (nvidia-smi: ${smiLine})` : ""} through Dawn's ${backend === "vulkan" ? "Vulkan" : backend} backend by \`scripts/device-check.sh run\`.`,
    "",
    `- adapter: ${adapter?.description ?? "none"}`,
    `- host: ${host}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} at the end, node ${process.version}`,
    `- code: ${commit}; run ${new Date().toISOString()}`,
    "",
    "## Targets (issue 4)",
    "",
    "| item | measured | target | |",
    "|---|---:|---:|---|",
    `| float32 matmul 4096³ | ${fmt(mm4096, 0, " GFLOP/s")}${pct !== undefined ? ` = ${fmt(pct, 1)}% of ${peak.tflops} TFLOP/s (${peak.model} float32 peak, no tensor cores)` : peak ? "" : " (card's peak unknown)"} | ≥ 40% of peak | ${verdict(pct === undefined ? undefined : pct >= 40)} |`,
    `| MLP forward+JVP / forward (jit) | ${fmt(mlp, 2, "×")} | ≤ 2.05× | ${verdict(mlp === undefined ? undefined : mlp <= 2.05)} |`,
    `| conv net forward+JVP / forward (jit) | ${fmt(conv, 2, "×")} | ≤ 2.05× | ${verdict(conv === undefined ? undefined : conv <= 2.05)} |`,
    `| U-Net forward+JVP / forward (models bench, jit) | ${fmt(unet, 2, "×")} | ≤ 2.05× | ${verdict(unet === undefined ? undefined : unet <= 2.05)} |`,
    `| parity suite of @scm-ts/webgpu | ${testCount(parity)} | all pass | ${parity.status === "passed" ? "meets" : parity.status} |`,
    `| layer parity (nn) | ${testCount(layers)} | all pass | ${layers.status === "passed" ? "meets" : layers.status} |`,
    `| model parity (models) | ${testCount(modelParity)} | all pass | ${modelParity.status === "passed" ? "meets" : modelParity.status} |`,
    "",
    `PyTorch on the same card, the same MLP (torch.func.jvp): forward+JVP / forward ${fmt(torchRatio, 2, "×")} (${torch.status}; figures below).`,
    "",
    "## Steps",
    "",
    "| step | status | seconds |",
    "|---|---|---:|",
    ...steps.map((s) => `| ${s.title} | ${s.status} | ${s.seconds.toFixed(0)} |`),
    "",
    ...[bench, models, attention, torch].flatMap((s) => [`## ${s.title}`, "", s.out.trim() ? fence(s.out) : `(${s.status})`, ""]),
  ].join("\n");
  const defaultOut = join(root, "docs", "benchmarks.md");
  let out = opt("--out") ?? (software || isCpu ? join(dev, "benchmarks-software.md") : defaultOut);
  if ((software || isCpu) && realpathSafe(out) === realpathSafe(defaultOut)) {
    console.log("device-check: a CPU adapter's figures do not go to docs/benchmarks.md; writing .device/benchmarks-software.md");
    out = join(dev, "benchmarks-software.md");
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, page);
  console.log(`\ndevice-check: wrote ${relative(root, out)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (why) process.exitCode = 1;
  // Files back through the device tool: the page and the logs (at most 8 files).
  if (process.env.OUT) {
    copyFileSync(out, join(process.env.OUT, "benchmarks.md"));
    for (const s of steps.slice(0, 7)) if (existsSync(join(logs, `${s.id}.log`))) copyFileSync(join(logs, `${s.id}.log`), join(process.env.OUT, `${s.id}.log`));
  }
}

function realpathSafe(p) {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

// The bench's MLP (batch 256, width 512: tanh(tanh(x·W1)·W2)·W3), float32 on the GPU, no TF32.
const torchScript = String.raw`
import time, torch
from torch.func import jvp
if not torch.cuda.is_available():
    print("torch: no CUDA device"); raise SystemExit(1)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = "cuda"
B, D = 256, 512
g = torch.Generator(device=dev).manual_seed(0)
W = [torch.randn(D, D, device=dev, generator=g) / D ** 0.5 for _ in range(3)]
x, dx = torch.randn(B, D, device=dev, generator=g), torch.randn(B, D, device=dev, generator=g)
f = lambda x: torch.tanh(torch.tanh(x @ W[0]) @ W[1]) @ W[2]
fj = lambda x, dx: jvp(f, (x,), (dx,))
def best(fn, n=50, rounds=7):
    for _ in range(5): fn()
    torch.cuda.synchronize(); ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n): fn()
        torch.cuda.synchronize(); ts.append((time.perf_counter() - t) / n * 1e3)
    return ts
tf, tj = best(lambda: f(x)), best(lambda: fj(x, dx))
ratios = sorted(b / a for a, b in zip(tf, tj))
print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, float32 without TF32")
print(f"MLP forward: best {min(tf):.4f} ms; forward+JVP (torch.func.jvp): best {min(tj):.4f} ms")
print(f"torch.func.jvp / forward: {ratios[len(ratios) // 2]:.2f} (median of {len(ratios)} rounds)")
n = 4096
a, b = torch.randn(n, n, device=dev, generator=g), torch.randn(n, n, device=dev, generator=g)
tm = best(lambda: a @ b, n=10, rounds=5)
print(f"torch matmul {n}^3 float32 (no TF32): {2 * n ** 3 / (min(tm) * 1e9):.0f} GFLOP/s")
`;

if (command === "bundle") bundle();
else if (command === "run") await runChecks();
else {
  console.error("usage: node scripts/device-check.mjs bundle | run [--software] [--out FILE]");
  process.exit(2);
}
