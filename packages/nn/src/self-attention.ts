// Multi-head self-attention over tokens [B, N, C] (Vaswani et al. 2017): one linear map to Q, K, V,
// H heads of width D = C/H, the fused attention of `attention.ts` (so forward-mode JVPs take the
// hand-written rule), and an output projection. `outInitScale: 0` zero-initialises the projection,
// so a residual attention branch starts as the identity (EDM2/DiT practice).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { fusedAttention } from "./attention.js";
import { checkDivisible, checkPositiveInt } from "./config-check.js";
import type { FloatDType } from "./initializers.js";
import * as linear from "./linear.js";

/** Configuration of multi-head self-attention. */
export interface SelfAttentionConfig {
  /** Token width C. */
  readonly dim: number;
  /** Heads H; C must be divisible by H. */
  readonly heads: number;
  /** Bias on the Q, K, V map (default true). */
  readonly qkvBias?: boolean;
  /** Init scale of the output projection (default 1; 0 = zero init). */
  readonly outInitScale?: number;
  /** Key block size of the online-softmax JVP (default: one block). */
  readonly blockSize?: number;
  /** Parameter dtype (default float32). */
  readonly dtype?: FloatDType;
}

/** Parameters of multi-head self-attention. */
export interface SelfAttentionParams {
  /** x ↦ [Q, K, V]. */
  readonly qkv: linear.LinearParams; // [C, 3C]
  /** Output projection. */
  readonly out: linear.LinearParams; // [C, C]
}

/** Checks that the heads divide the width and draws the projections. */
export function init(key: Tensor, config: SelfAttentionConfig): SelfAttentionParams {
  const where = "selfAttention.init";
  checkPositiveInt(where, "dim", config.dim);
  checkPositiveInt(where, "heads", config.heads);
  checkDivisible(where, "dim", config.dim, "heads", config.heads);
  const [k1, k2] = c.random.split(key);
  const dtype = config.dtype ?? "float32";
  return {
    qkv: linear.init(k1!, { inFeatures: config.dim, outFeatures: 3 * config.dim, bias: config.qkvBias ?? true, dtype }),
    out: linear.init(k2!, { inFeatures: config.dim, outFeatures: config.dim, initScale: config.outInitScale ?? 1, dtype }),
  };
}

/** Self-attention of tokens x [B, N, C] → [B, N, C]. */
export function apply(params: SelfAttentionParams, x: Tensor, config: Pick<SelfAttentionConfig, "heads" | "blockSize">): Tensor {
  const [b, n, ch] = x.shape as [number, number, number];
  const h = config.heads, d = ch / h;
  if (x.ndim !== 3 || !Number.isInteger(d)) throw new Error(`selfAttention.apply: tokens [${x.shape.join(",")}] must be [B, N, C] with C divisible by heads (${h})`);
  const qkv = c.transpose(c.reshape(linear.apply(params.qkv, x), [b, n, 3, h, d]), [2, 0, 3, 1, 4]); // [3, B, H, N, D]
  const part = (i: number) => c.reshape(c.slice(qkv, [i, 0, 0, 0, 0], [i + 1, b, h, n, d]), [b, h, n, d]); // [B, H, N, D]
  const opts = config.blockSize === undefined ? {} : { blockSize: config.blockSize };
  const o = fusedAttention(part(0), part(1), part(2), opts); // [B, H, N, D]
  const merged = c.reshape(c.transpose(o, [0, 2, 1, 3]), [b, n, ch]); // [B, N, C]
  return linear.apply(params.out, merged); // [B, N, C]
}
