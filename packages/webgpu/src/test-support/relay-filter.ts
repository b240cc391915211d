// Vitest global setup, run once in the main test process: drops Dawn's two "artificially reduced"
// warnings from the stderr that vitest relays from its forks workers. A worker's stderr is a socket
// to this process, which the runtime cannot capture in the worker (dawn-stderr.ts says why), so the
// lines are removed here, where vitest writes them to this process's stderr. Used by every package
// whose tests acquire a WebGPU device (webgpu, nn, models).
import { filterDawnWarningsFrom } from "../runtime/dawn-stderr.js";

/** Installs the filter on process.stderr; the returned teardown removes it. */
export default function setup(): () => void {
  return filterDawnWarningsFrom(process.stderr as unknown as Parameters<typeof filterDawnWarningsFrom>[0]);
}
