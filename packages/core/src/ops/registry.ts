// The registry of every primitive. Its key union names the primitives; test tables are typed as
// Record over it, so a primitive without a test row is a compile error.
import * as E from "./elementwise.js";
import { broadcast, reduceSum, reshape } from "./broadcast.js";
import { concat, pad, slice, transpose } from "./movement.js";
import { reduceMax } from "./reduce.js";
import { matmul } from "./matmul.js";
import { conv2d, conv2dInputGrad, conv2dWeightGrad } from "./conv.js";
import { randomBits } from "./random.js";
import { attention, attentionTangent } from "./attention.js";
import { standardize, standardizeTangent } from "./standardize.js";
import { jitCall } from "../transforms/jit.js";
import { customJvpCall } from "../transforms/custom-jvp.js";

/** All primitives by name. */
export const primitives = {
  /** eˣ; tangent y·dx. */
  exp: E.exp,
  /** Natural logarithm; tangent dx/x. */
  log: E.log,
  /** sin x; tangent cos x·dx. */
  sin: E.sin,
  /** cos x; tangent −sin x·dx. */
  cos: E.cos,
  /** √x; tangent dx/(2√x). */
  sqrt: E.sqrt,
  /** tanh x; tangent (1 − y²)·dx. */
  tanh: E.tanh,
  /** atan x; tangent dx/(1 + x²). */
  atan: E.atan,
  /** −x; linear. */
  neg: E.neg,
  /** x + y (operands of equal shape); linear. */
  add: E.add,
  /** x − y; linear. */
  sub: E.sub,
  /** x·y elementwise; bilinear. */
  mul: E.mul,
  /** x/y; linear in x, tangent (dx − (x/y)·dy)/y. */
  div: E.div,
  /** max(x, y), NaN propagating; the tangent follows the larger operand, the mean of both at ties. */
  max: E.max,
  /** xʸ; tangent y·xʸ⁻¹·dx + log x·xʸ·dy. */
  pow: E.pow,
  /** x < y, to bool; no tangent. */
  lt: E.lt,
  /** x ≤ y, to bool; no tangent. */
  le: E.le,
  /** x = y, to bool; no tangent. */
  eq: E.eq,
  /** x ≠ y, to bool; no tangent. */
  ne: E.ne,
  /** where(c, x, y): x where c is true, else y; linear in (x, y). */
  where: E.where,
  /** Dtype conversion; linear between float dtypes, zero tangent otherwise. */
  convert: E.convert,
  /** Identity with a zero tangent: cuts derivatives (the θ⁻ = stopgrad(θ) of the sCM loss). */
  stop_gradient: E.stopGradient,
  /** sign x ∈ {−1, 0, 1} (NaN stays NaN); zero tangent. */
  sign: E.sign,
  reshape, broadcast, transpose, slice, pad, concat,
  /** Σ over `axes`; linear. */
  reduce_sum: reduceSum,
  /** max over `axes` (NaN propagates). */
  reduce_max: reduceMax,
  matmul, conv2d,
  /** The input cotangent of conv2d, (ct_y, w) ↦ ct_x; the transpose of conv2d in x. */
  conv2d_input_grad: conv2dInputGrad,
  /** The weight cotangent of conv2d, (x, ct_y) ↦ ct_w; the transpose of conv2d in w. */
  conv2d_weight_grad: conv2dWeightGrad,
  attention,
  /**
   * t_y of attention along (t_Q, t_K, t_V) in one online-softmax pass (docs/guide/math.md, "Network changes");
   * linear in the tangents.
   */
  attention_tangent: attentionTangent,
  standardize,
  /** The JVP of `standardize` at x along t, r·(t − mean t − y·mean(y ⊙ t)); linear in t. */
  standardize_tangent: standardizeTangent,
  /** Threefry random bits (uint32), or float32 uniforms in [0, 1), of a shape from a key (uint32[2]). */
  random_bits: randomBits,
  /** A call of a jitted function: its closed jaxpr is inlined when lowering. */
  jit_call: jitCall,
  /** A function with a custom JVP rule (JAX's custom_jvp); lowered by inlining the function. */
  custom_jvp_call: customJvpCall,
} as const;

/** The name of every primitive. */
export type PrimitiveName = keyof typeof primitives;
