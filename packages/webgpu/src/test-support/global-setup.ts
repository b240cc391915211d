// Vitest global setup of the WebGPU tests, run once in the main process: acquires a device to learn
// whether WebGPU works here, prints one line saying which adapter runs the tests or why they are
// skipped, and hands the answer to every test file. With SCM_REQUIRE_WEBGPU=1 (set by CI) a missing
// adapter fails the run instead of skipping.
import type { TestProject } from "vitest/node";
import { acquireDevice, type GpuContext } from "../runtime/acquire.js";

/** What the test files learn about WebGPU here. */
export interface WebGpuAvailability {
  readonly available: boolean;
  /** The adapter, or why there is none. */
  readonly detail: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    webgpu: WebGpuAvailability;
  }
}

let held: GpuContext | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  // One llvmpipe thread per test process (inherited by the test workers): CI runs every package's
  // tests at once on two cores, where more threads only contend. Set LP_NUM_THREADS to override.
  process.env.LP_NUM_THREADS ??= "1";
  let answer: WebGpuAvailability;
  try {
    held = await acquireDevice();
    answer = { available: true, detail: held.description };
    console.log(`scm-ts webgpu tests: running on ${held.description}`);
  } catch (e) {
    const why = (e as Error).message;
    if (process.env.SCM_REQUIRE_WEBGPU === "1") throw new Error(`SCM_REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${why}`);
    answer = { available: false, detail: why };
    console.log(`scm-ts webgpu tests: SKIPPED (${why.split(". ")[0]}; see the README's WebGPU section)`);
  }
  project.provide("webgpu", answer);
  return () => {
    held?.device.destroy();
    held = undefined;
  };
}
