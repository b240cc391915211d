// `scm bench`: runs the benchmark scripts of the packages (engine JVP/grad overhead and fusion, the
// sCM step against the diffusion step, WebGPU figures) and prints their tables. They live in the
// source repository; an installed CLI without it says so.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Flags, FlagSpecs } from "../args.js";

/** Flags of `scm bench`. */
export const benchFlags: FlagSpecs = {
  only: { kind: "string", choices: ["core", "consistency", "webgpu"], help: "run one package's benchmark" },
};

/** Runs `scm bench`; returns the exit status. */
export function runBench(f: Flags, log: (line: string) => void = console.log): number {
  const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
  if (!existsSync(join(repo, "turbo.json"))) {
    log("scm bench: the benchmark scripts are part of the scm-ts source repository; run it from a clone");
    return 1;
  }
  const packages = f.only ? [f.only as string] : ["core", "consistency"];
  for (const p of packages) {
    const r = spawnSync("npm", ["run", "bench", "-w", `@scm-ts/${p}`], { cwd: repo, stdio: "inherit" });
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}
