// Builds the oneDNN addon at install (npm runs this as the package's install script): node-gyp
// compiles src/dnnl.cc against Debian's libdnnl-dev and Node's headers. The addon is optional, so
// a machine without a compiler, oneDNN or Node's headers still installs: the script prints one line
// saying why, removes any earlier build, records that line in build/not-built.txt (loadNative
// reports it) and exits 0, and the CPU backend keeps its WebAssembly kernels. With --strict (npm run
// build:native) a failure exits 1.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const strict = process.argv.includes("--strict");
const notBuilt = join(root, "build", "not-built.txt"), addon = join(root, "build", "Release", "scm_dnnl.node");

/** Why the addon cannot be built here before trying, or null when the prerequisites are present. */
function missing() {
  if (process.env.SCM_CPU_NATIVE === "0") return "SCM_CPU_NATIVE=0 at install";
  const cxx = process.env.CXX ?? "c++";
  if (spawnSync(cxx, ["--version"], { stdio: "ignore" }).status !== 0) return `no C++ compiler (${cxx}) was found: apt-get install g++`;
  const dirs = ["/usr/include", "/usr/local/include", ...(process.env.CPATH ?? "").split(":").filter(Boolean)];
  if (!dirs.some((d) => existsSync(join(d, "oneapi", "dnnl", "dnnl.hpp")))) return "oneDNN's headers (oneapi/dnnl/dnnl.hpp) were not found: apt-get install libdnnl-dev";
  return null;
}

/** Runs node-gyp rebuild; returns null on success, else the most telling line of its output. */
function build() {
  // npm's own node-gyp (named in a lifecycle script, else beside Node), else one on PATH; Node's
  // installed headers when npm names none
  const bundled = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
  const args = ["rebuild"];
  const headers = join(dirname(process.execPath), "..");
  if (!process.env.npm_config_nodedir && existsSync(join(headers, "include", "node", "common.gypi"))) args.push(`--nodedir=${headers}`);
  const r = gyp ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, encoding: "utf8" }) : spawnSync("node-gyp", args, { cwd: root, encoding: "utf8" });
  if (r.error) return `node-gyp could not be run (${r.error.message})`;
  if (r.status === 0) return null;
  const lines = `${r.stdout}\n${r.stderr}`.split("\n");
  const line = lines.find((l) => /\berror\b/.test(l) && !l.startsWith("gyp")) ?? lines.filter((l) => l.startsWith("gyp ERR!")).at(-1) ?? "node-gyp failed";
  return `node-gyp rebuild failed: ${line.trim()}`;
}

const why = missing() ?? build();
if (why === null) {
  rmSync(notBuilt, { force: true });
  console.log("@scm-ts/native-cpu: built the oneDNN addon (build/Release/scm_dnnl.node)");
} else {
  rmSync(addon, { force: true }); // no stale addon beside the reason
  mkdirSync(dirname(notBuilt), { recursive: true });
  writeFileSync(notBuilt, `${why}\n`);
  console.log(`@scm-ts/native-cpu: not built, ${why}; the CPU backend uses its WebAssembly kernels`);
  if (strict) process.exit(1);
}
