// The WebGPU gate of test suites outside this package (nn, models): whether the WebGPU backend can
// run here, decided once per test process. It selects the 'webgpu' backend once (registered by this
// package's index; selecting it acquires the adapter), restores the previous one, and prints one line: the
// adapter the tests run on, or why they are skipped. With SCM_REQUIRE_WEBGPU=1 (CI) a missing
// adapter throws instead, so the run fails rather than skipping. It imports no test framework.
import { getBackend, setBackend } from "@scm-ts/core";
import type { WebGpuBackend } from "../runtime/backend.js";

/** What a test suite learns about WebGPU here. */
export interface WebGpuGate {
  /** Whether the 'webgpu' backend acquired an adapter here (false: the suites skip, or throw under SCM_REQUIRE_WEBGPU=1). */
  readonly available: boolean;
  /** The adapter, or why there is none. */
  readonly detail: string;
}

let gate: Promise<WebGpuGate> | undefined;

async function probe(suite: string): Promise<WebGpuGate> {
  // One llvmpipe thread per test process: CI runs the packages' tests side by side on two cores.
  if (typeof process !== "undefined") process.env.LP_NUM_THREADS ??= "1";
  const prev = getBackend().name;
  try {
    const gpu = (await setBackend("webgpu")) as WebGpuBackend;
    console.log(`scm-ts webgpu tests (${suite}): running on ${gpu.context.description}`);
    return { available: true, detail: gpu.context.description };
  } catch (e) {
    const why = (e as Error).message;
    if (typeof process !== "undefined" && process.env.SCM_REQUIRE_WEBGPU === "1") throw new Error(`SCM_REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${why}`);
    console.log(`scm-ts webgpu tests (${suite}): SKIPPED (${why.split(". ")[0]}; see the README's WebGPU section)`);
    return { available: false, detail: why };
  } finally {
    await setBackend(prev);
  }
}

/**
 * Whether WebGPU tests can run in this process (probed once; `suite` names the caller in the one
 * line printed). Throws when SCM_REQUIRE_WEBGPU=1 and there is no adapter.
 */
export function webgpuGate(suite: string): Promise<WebGpuGate> {
  return (gate ??= probe(suite));
}
