// Backend parity: run one function on host inputs under two backends and compare the outputs.
// Backend packages (WebGPU) reuse it against the CPU reference.
import { array, getBackend, setBackend, treeFlatten, type DType, type Tensor } from "@scm-ts/core";
import { compareArrays, type CloseReport, type Tolerance } from "./close.js";
import type { HostArray } from "./arbitraries.js";

/** Runs `fn` on the named backend with inputs uploaded as `dtype`; returns flat float64 outputs. */
export async function runOn(backend: string, fn: (...xs: Tensor[]) => unknown, inputs: readonly HostArray[], dtype: DType = "float32"): Promise<Float64Array[]> {
  const prev = getBackend().name;
  await setBackend(backend);
  try {
    const xs = inputs.map((h) => array(h.data, h.shape, { dtype }));
    const outs = treeFlatten<Tensor>(fn(...xs))[0];
    return await Promise.all(outs.map(async (o) => Float64Array.from(await o.data())));
  } finally {
    await setBackend(prev);
  }
}

/** Compares `fn` on two backends; throws with the worst element when they differ. */
export async function checkParity(fn: (...xs: Tensor[]) => unknown, inputs: readonly HostArray[], options: Tolerance & { backends?: [string, string]; dtype?: DType } = {}): Promise<CloseReport[]> {
  const [a, b] = options.backends ?? ["webgpu", "cpu"];
  const outA = await runOn(a, fn, inputs, options.dtype);
  const outB = await runOn(b, fn, inputs, options.dtype);
  return outA.map((o, i) => {
    const r = compareArrays(o, outB[i]!, { rtol: options.rtol ?? 1e-5, atol: options.atol ?? 1e-6 });
    if (!r.ok) throw new Error(`parity ${a} vs ${b}, output ${i}: ${r.message}`);
    return r;
  });
}
