// The sCM tangent (docs/guide/trigflow-scm.md, "The sCM tangent"; Algorithm 1 steps 3–4): one JVP of
// the network at (x_t/σ_d, t) along (cos t sin t·dx_t/dt, σ_d cos t sin t) gives σ_d cos t sin t·dF⁻/dt, and
//   g = −cos²t·(σ_d F⁻ − dx_t/dt) − r·(cos t sin t·x_t + JVP),
// which is cos(t)·df⁻/dt at r = 1. Then g ← g/(‖g‖ + c) (per-sample L2, or RMS, or clipping).
import * as c from "@scm-ts/core";
import type { RawNetwork, Tensor } from "@scm-ts/core";
import { checkBatch, sumPerSampleKeep, timeColumn } from "./time.js";

/** How g is normalised: per-sample L2 norm (the paper), RMS norm (FastGen, sCM-mnist), clipping to [−1, 1], or none. */
export type TangentNormalization =
  | {
      /** `l2`: g/(‖g‖₂ + c), ‖·‖₂ over all D entries of a sample; `rms`: g/(‖g‖₂/√D + c). */
      readonly kind: "l2" | "rms";
      /** The constant c of g/(‖g‖ + c) (the paper: 0.1); bounds the scale of g where ‖g‖ is small. */
      readonly c: number;
    }
  | {
      /** Clips every entry of g to [−1, 1] (the alternative of trigflow-scm.md, "The sCM tangent", Fig. 5a). */
      readonly kind: "clip";
    }
  | {
      /** g as it is. */
      readonly kind: "none";
    };

/** The paper's choice: g/(‖g‖₂ + 0.1). */
export const paperNormalization: TangentNormalization = { kind: "l2", c: 0.1 };

/** What `scmTangent` returns. */
export interface ScmTangent {
  /** F⁻ = F(x_t/σ_d, t), the JVP's primal output (carries gradient if the network's parameters do). */
  readonly F: Tensor;
  /** σ_d cos t sin t·dF⁻/dt. */
  readonly jvp: Tensor;
  /** The tangent g after normalisation. */
  readonly g: Tensor;
  /** Per-sample ‖g‖₂ before normalisation, [B]. */
  readonly gNorm: Tensor;
}

/** Inputs of the tangent. */
export interface ScmTangentInputs {
  /** The network F_θ(u, t) with u = x_t/σ_d, closed over its parameters; differentiated forward (JVP) here. */
  readonly F: RawNetwork;
  /** σ_d, the data standard deviation (the paper: 0.5). */
  readonly sigmaData: number;
  /** x_t, [B, …D]. */
  readonly xt: Tensor;
  /** t, [B]. */
  readonly t: Tensor;
  /** dx_t/dt: cos t·z − sin t·x0 (sCT) or σ_d·F_teacher(x_t/σ_d, t) (sCD), [B, …D]. */
  readonly dxdt: Tensor;
  /** Tangent warm-up factor r ∈ [0, 1] (docs/guide/math.md, "Warm-up, normalisation and clipping of the tangent"). */
  readonly r: number | Tensor;
  /** How g is normalised (default {@link paperNormalization}, g/(‖g‖₂ + 0.1)). */
  readonly normalization?: TangentNormalization;
}

/** Per-sample ‖x‖₂ over all non-batch axes, kept as [B, 1, …, 1]. */
export function perSampleNorm(x: Tensor): Tensor {
  return c.sqrt(sumPerSampleKeep(c.square(x)));
}

/** Applies a tangent normalisation. */
export function normalizeTangent(g: Tensor, n: TangentNormalization = paperNormalization): Tensor {
  switch (n.kind) {
    case "none":
      return g;
    case "clip":
      return c.minimum(c.maximum(g, -1), 1);
    case "l2":
      return c.div(g, c.add(perSampleNorm(g), n.c));
    case "rms": {
      const d = g.size / g.shape[0]!;
      return c.div(g, c.add(c.div(perSampleNorm(g), Math.sqrt(d)), n.c));
    }
  }
}

// Algorithm 1 step 3–4 (trigflow-scm.md, "The sCM tangent", eq. 6 with the JVP rearrangement of §2.4).
/** The sCM tangent g from one forward+JVP pass of the network. */
export function scmTangent(inp: ScmTangentInputs): ScmTangent {
  const { F, sigmaData, xt, t, dxdt } = inp;
  checkBatch("scmTangent", xt, t);
  if (dxdt.shape.join() !== xt.shape.join()) throw new Error(`scmTangent: dx_t/dt has shape [${dxdt.shape.join(",")}] but x_t has [${xt.shape.join(",")}]`);
  const tc = timeColumn(t, xt.ndim);
  const cos = c.cos(tc), sin = c.sin(tc), cs = c.mul(cos, sin);
  const [Fm, jvp] = c.jvp(F, [c.div(xt, sigmaData), t], [c.mul(cs, dxdt), c.mul(c.mul(c.cos(t), c.sin(t)), sigmaData)]);
  const Fstop = c.stopGradient(Fm), J = c.stopGradient(jvp);
  const first = c.mul(c.neg(c.square(cos)), c.sub(c.mul(Fstop, sigmaData), dxdt));
  const raw = c.sub(first, c.mul(inp.r, c.add(c.mul(cs, xt), J)));
  const gNorm = c.reshape(perSampleNorm(raw), [xt.shape[0]!]);
  return { F: Fm, jvp: J, g: c.stopGradient(normalizeTangent(raw, inp.normalization)), gNorm };
}
