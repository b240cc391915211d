// The one thing every sampler needs from a model: the raw network callable F(x_t/σ_d, c_noise(t)) of the paper
// (docs/guide/math.md, "One network, four predictions", c_noise(t) = t), core's `RawNetwork` with u =
// x_t/σ_d, so any model, an analytic oracle or a converted teacher plugs in. Samplers call it with one time for
// the whole batch, laid out either as a vector [B] (the default, as models and losses take it) or to broadcast
// against x ([B, 1, …, 1]); they check that F answers with a tensor of its input's shape and dtype and say so
// clearly when it does not (a teacher/student mismatch).
import { full, mul, type DType, type NetworkOptions, type RawNetwork, type Tensor } from "@scm-ts/core";

/** How a sampler passes the time to F: "broadcast" as [B, 1, …, 1] (rank of x), "vector" as [B]. */
export type TimeLayout = "broadcast" | "vector";

/** The time t for a batch of shape `shape`, laid out as `layout`, in `dtype`. */
export function timeTensor(t: number, shape: readonly number[], layout: TimeLayout, dtype: DType): Tensor {
  const batch = shape[0] ?? 1;
  return full(layout === "vector" ? [batch] : [batch, ...shape.slice(1).map(() => 1)], t, { dtype });
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** F(x/σ_d, t) for the state x at time t (with `options` when given), checked to have x's shape and dtype; `context` names the sampler in errors. */
export function evaluateNetwork(F: RawNetwork, x: Tensor, t: number, sigmaData: number, layout: TimeLayout, context: string, options?: NetworkOptions): Tensor {
  const u = mul(x, 1 / sigmaData), tt = timeTensor(t, x.shape, layout, x.dtype);
  const out = options ? F(u, tt, options) : F(u, tt);
  if (out.shape.length !== x.shape.length || out.shape.some((n, i) => n !== x.shape[i])) {
    throw new RangeError(`${context}: the network returned shape ${fmt(out.shape)} for an input of shape ${fmt(x.shape)} at t = ${t}; F(x_t/σ_d, t) must return a tensor of its input's shape (does the model match the data?)`);
  }
  if (out.dtype !== x.dtype) {
    throw new TypeError(`${context}: the network returned ${out.dtype} for a ${x.dtype} input; sample in the model's dtype (option dtype) or cast inside F`);
  }
  return out;
}

/** Throws unless σ_d is positive and finite. */
export function checkSigmaData(context: string, sigmaData: number): void {
  if (!(sigmaData > 0 && Number.isFinite(sigmaData))) throw new RangeError(`${context}: sigmaData must be positive and finite, got ${sigmaData}`);
}
