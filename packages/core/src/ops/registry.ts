// The registry of every primitive. Its key union names the primitives; test tables are typed as
// Record over it, so a primitive without a test row is a compile error.
import * as E from "./elementwise.js";
import { broadcast, concat, pad, reshape, slice, transpose } from "./movement.js";
import { reduceMax, reduceSum } from "./reduce.js";
import { matmul } from "./matmul.js";
import { conv2d, conv2dInputGrad, conv2dWeightGrad } from "./conv.js";
import { randomBits } from "./random.js";
import { attention, attentionTangent } from "./attention.js";
import { standardize, standardizeTangent } from "./standardize.js";
import { jitCall } from "../transforms/jit.js";
import { customJvpCall } from "../transforms/custom-jvp.js";

/** All primitives by name. */
export const primitives = {
  exp: E.exp, log: E.log, sin: E.sin, cos: E.cos, sqrt: E.sqrt, tanh: E.tanh, atan: E.atan, neg: E.neg,
  add: E.add, sub: E.sub, mul: E.mul, div: E.div, max: E.max, pow: E.pow,
  lt: E.lt, le: E.le, eq: E.eq, ne: E.ne, where: E.where, convert: E.convert, stop_gradient: E.stopGradient, sign: E.sign,
  reshape, broadcast, transpose, slice, pad, concat,
  reduce_sum: reduceSum, reduce_max: reduceMax,
  matmul, conv2d, conv2d_input_grad: conv2dInputGrad, conv2d_weight_grad: conv2dWeightGrad,
  attention, attention_tangent: attentionTangent, standardize, standardize_tangent: standardizeTangent,
  random_bits: randomBits,
  jit_call: jitCall, custom_jvp_call: customJvpCall,
} as const;

/** The name of every primitive. */
export type PrimitiveName = keyof typeof primitives;
