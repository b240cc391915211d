// Runs a command with its stderr filtered of the two warnings Dawn's native code writes on every
// WebGPU adapter request ("max…BuffersPerPipelineLayout artificially reduced …"): no option turns
// them off and they bypass Node's streams, so they are removed here, around the process. Every
// other byte passes through; the exit code is the command's.
import { spawn } from "node:child_process";

const noise = /^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?$/;
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node without-dawn-warnings.mjs <command> [args...]");
  process.exit(2);
}
const child = spawn(cmd, args, { stdio: ["inherit", "inherit", "pipe"], shell: process.platform === "win32" });
let pending = "";
child.stderr.setEncoding("utf8");
child.stderr.on("data", (chunk) => {
  const lines = (pending + chunk).split("\n");
  pending = lines.pop() ?? "";
  const kept = lines.filter((l) => !noise.test(l));
  if (kept.length) process.stderr.write(kept.join("\n") + "\n");
});
child.stderr.on("end", () => {
  if (pending && !noise.test(pending)) process.stderr.write(pending);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("close", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
