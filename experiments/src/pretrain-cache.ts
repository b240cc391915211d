// The diffusion pre-training that every CM of experiments 1–3 starts from is the same deterministic
// phase (same network, iterations and seed), so it is computed once per commit (of a clean packages/ tree) and kept in
// experiments/.cache (ignored by git) as the EMA weights' leaves; later experiments reload it
// instead of spending minutes re-training an identical network.
import * as c from "@scm-ts/core";
import type { Toy } from "@scm-ts/data";
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyNetwork, AnyParams } from "./toy-setup.js";
import { trainPhase, type Phase } from "./training.js";

const cacheDir = join(dirname(fileURLToPath(import.meta.url)), "..", ".cache");

// The commit, or undefined when packages/ has uncommitted changes (then nothing is cached: the
// weights would depend on code no commit names).
function cleanCommit(): string | undefined {
  try {
    const dirty = execSync("git status --porcelain -- packages", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? undefined : execSync("git rev-parse --short HEAD", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The pre-trained EMA weights and the phase's summary. */
export interface Pretrained {
  readonly ema: AnyParams;
  readonly seconds: number;
  readonly lastLoss: number;
  readonly skipped: number;
  readonly diverged: boolean;
  readonly lossCurve: number[];
  /** True when loaded from the cache (seconds then are the original run's). */
  readonly cached: boolean;
}

/** Runs (or reloads) a diffusion phase for a network. */
export async function pretrain(net: AnyNetwork, data: Toy, phase: Phase): Promise<Pretrained> {
  const commit = cleanCommit();
  if (commit === undefined) return { ...(await trainPhase(net, data, phase)), cached: false };
  const key = `${net.name}-${JSON.stringify(net.config)}-${phase.steps}-${phase.seed}-${phase.lr}-${phase.batch}-${commit}`.replace(/[^A-Za-z0-9.-]+/g, "_");
  const file = join(cacheDir, `${key}.json`);
  const template = net.init(c.random.key(0));
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Omit<Pretrained, "ema" | "cached"> & { leaves: number[][] };
    let i = 0;
    const ema = c.treeMap(template, (t: c.Tensor) => c.array(saved.leaves[i++]!, t.shape, { dtype: t.dtype })) as AnyParams;
    return { ...saved, ema, cached: true };
  }
  const r = await trainPhase(net, data, phase);
  const leaves = await Promise.all(c.treeLeaves<c.Tensor>(r.ema).map(async (t) => Array.from(await t.data())));
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ seconds: r.seconds, lastLoss: r.lastLoss, skipped: r.skipped, diverged: r.diverged, lossCurve: r.lossCurve, leaves }));
  return { ...r, cached: false };
}
