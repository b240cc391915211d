// Where a figure was measured: the CPU model (from /proc/cpuinfo, else Node's os.cpus), the cores the
// process may use, Node's version and the engine backend — recorded in every result file so each
// number on the results page names its machine.
import * as c from "@scm-ts/core";
import { readFileSync } from "node:fs";
import os from "node:os";

/** The machine a result was measured on. */
export interface Machine {
  /** CPU model name. */
  readonly cpu: string;
  /** Logical cores available to the process. */
  readonly cores: number;
  /** Node.js version. */
  readonly node: string;
  /** The engine backend the experiment ran on. */
  readonly backend: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    if (line) return line.split(":").slice(1).join(":").trim();
  } catch {
    // not Linux: fall through to os.cpus()
  }
  return os.cpus()[0]?.model ?? "unknown CPU";
}

/** Describes this machine and the current backend. */
export function describeMachine(): Machine {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return { cpu: cpuModel(), cores, node: process.version, backend: c.getBackend().name };
}

/** "AMD EPYC, 2 cores, node v20, cpu backend". */
export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.backend} backend`;
}
