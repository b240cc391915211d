// Experiment 6's recording of benchmark runs: the machine lines are picked out of each benchmark's own
// header, and a benchmark that fails is recorded (exit status and stderr tail) instead of aborting.
import { describe, expect, it } from "vitest";
import { benchmarks, deviceLines, runBenchmark, tail } from "./exp6-benchmarks.js";

describe("experiment 6 recording", () => {
  it("names the CPU or adapter from each benchmark's header lines", () => {
    expect(deviceLines("## core\n\n- machine: AMD EPYC × 2 (linux x64, 23.5 GiB)\n- node v20\n| a | b |")).toBe("machine: AMD EPYC × 2 (linux x64, 23.5 GiB)");
    expect(deviceLines("## webgpu\n- adapter: llvmpipe (LLVM 15.0.6, 256 bits)\n- host: AMD EPYC × 2, node v20\n")).toBe("adapter: llvmpipe (LLVM 15.0.6, 256 bits); host: AMD EPYC × 2, node v20");
    expect(deviceLines("## models\n\n- AMD EPYC × 2, node v20.20.2, backend cpu; jitted\n")).toBe("AMD EPYC × 2, node v20.20.2, backend cpu; jitted");
    expect(deviceLines("no header")).toBe("(not named in the output)");
  });

  it("keeps the last lines of a text", () => {
    expect(tail("a\nb\nc\nd\n", 2)).toBe("c\nd");
  });

  it("records a failing script's exit status and stderr instead of throwing", () => {
    const r = runBenchmark({ title: "missing", npmArgs: ["run", "no-such-script-for-exp6-test"] }, {}, 60);
    expect(r.status).not.toBe(0);
    expect(r.text).toMatch(/exit status \d+/);
    expect(r.text).toMatch(/no output on stdout/);
    expect(r.text).toMatch(/Missing script: "no-such-script-for-exp6-test"/);
  }, 60_000);

  it("runs the CPU, WebGPU and peer benchmarks, the WebGPU one with surfaceless EGL", () => {
    expect(benchmarks.map((b) => b.title)).toEqual([
      "npm run bench -w @scm-ts/core",
      "npm run bench -w @scm-ts/models",
      "npm run bench -w @scm-ts/consistency",
      "npm run bench -w @scm-ts/webgpu",
      "npm run bench:peers",
    ]);
    expect(benchmarks.find((b) => b.title.includes("webgpu"))!.env!.EGL_PLATFORM).toBeTruthy();
  });
});
