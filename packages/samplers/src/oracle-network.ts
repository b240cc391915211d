// An analytic oracle of @scm-ts/trigflow (docs/guide/math.md, "Exact oracles") as a raw network F(x_t/σ_d, t),
// so the samplers — and sCD tests that need the exact teacher — can run on the exact diffusion network F* =
// v/σ_d or the exact consistency network F_cm = (cos t·x − f*(x, t))/(σ_d sin t) (whose f is the true flow map
// to 0). Rows are examples of dimension d (any trailing shape flattening to d). It reads tensors synchronously,
// so it needs the CPU backend, and it is not traceable: a test device, not a model. Rows sharing one time go
// through the oracle's batched flow map together (one ODE solve for a mixture).
import type { RawNetwork } from "@scm-ts/core";
import { array, type Tensor } from "@scm-ts/core";
import type { AnalyticOracle } from "@scm-ts/trigflow";

/** Which ideal network: the diffusion network F* or the consistency network F_cm. */
export type OracleNetworkKind = "diffusion" | "consistency";

function hostValues(t: Tensor, what: string): Float64Array {
  try {
    return Float64Array.from(t.dataSync());
  } catch (cause) {
    throw new Error(`oracleNetwork: cannot read ${what} synchronously (${cause instanceof Error ? cause.message : String(cause)}); oracle networks run on the CPU backend only`);
  }
}

/** The oracle's ideal raw network of the given kind; throws if an input row does not have the oracle's dimension. */
export function oracleNetwork(oracle: AnalyticOracle, kind: OracleNetworkKind): RawNetwork {
  const d = oracle.dimension;
  const sigmaData = oracle.sigmaData;
  return (u, t) => {
    const batch = u.shape[0] ?? 1;
    if (u.size !== batch * d) throw new RangeError(`oracleNetwork: input of shape [${u.shape.join(", ")}] does not hold rows of the oracle's dimension ${d}`);
    if (t.size !== 1 && t.size !== batch) throw new RangeError(`oracleNetwork: time of shape [${t.shape.join(", ")}] is neither one time nor one per row of ${batch}`);
    const x = hostValues(u, "the input").map((v) => v * sigmaData);
    const times = hostValues(t, "the time");
    const timeOf = (row: number): number => times[times.length === 1 ? 0 : row]!;
    const out = new Float64Array(batch * d);
    const groups = new Map<number, number[]>();
    for (let row = 0; row < batch; row++) {
      const rows = groups.get(timeOf(row));
      if (rows === undefined) groups.set(timeOf(row), [row]);
      else rows.push(row);
    }
    for (const [time, rows] of groups) {
      const points = new Float64Array(rows.length * d);
      rows.forEach((row, k) => points.set(x.subarray(row * d, (row + 1) * d), k * d));
      let values: Float64Array;
      if (kind === "diffusion" || time === 0) {
        // F* = v/σ_d; at t = 0 it is also the limit of F_cm (f*(x, t) = x − t·v(x, 0) + O(t²)).
        values = new Float64Array(points.length);
        for (let k = 0; k < rows.length; k++) values.set(oracle.velocity(points.subarray(k * d, (k + 1) * d), time).map((v) => v / sigmaData), k * d);
      } else {
        // math.md, "The exact flow and consistency function": F_cm = (cos t·x − f*(x, t))/(σ_d sin t), f*(x, t)
        // = Φ_{t→0}(x).
        const f = oracle.flowMapBatch(points, time, 0);
        const [c, s] = [Math.cos(time), sigmaData * Math.sin(time)];
        values = points.map((p, i) => (c * p - f[i]!) / s);
      }
      rows.forEach((row, k) => out.set(values.subarray(k * d, (k + 1) * d), row * d));
    }
    return array(out, u.shape, { dtype: u.dtype });
  };
}
