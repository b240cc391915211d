// The `Floating` instance on engine tensors (@scm-ts/core), so every TrigFlow formula of this package runs
// unchanged inside a training step, under jvp/grad/jit: each operation is the engine's broadcasting
// elementwise function, and a lifted constant is a rank-0 tensor of the instance's dtype (binary ops need
// equal dtypes, so a float64 computation uses `floatingTensorOf("float64")`). Time may be a scalar or a
// per-sample tensor shaped to broadcast against the batch, e.g. [B, 1, 1, 1].
import { add, array, atan, cos, div, exp, log, mul, neg, sin, sqrt, square, sub, tan, type DType, type Tensor } from "@scm-ts/core";
import type { Floating } from "./floating.js";

/** The `Floating` instance on tensors whose lifted constants have the given floating dtype. */
export function floatingTensorOf(dtype: DType = "float32"): Floating<Tensor> {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`floatingTensorOf: TrigFlow math needs a floating dtype (float32 or float64), got ${dtype}`);
  }
  return {
    fromNumber: (value) => array(value, [], { dtype }),
    add: (a, b) => add(a, b),
    sub: (a, b) => sub(a, b),
    mul: (a, b) => mul(a, b),
    div: (a, b) => div(a, b),
    neg: (a) => neg(a),
    sin: (a) => sin(a),
    cos: (a) => cos(a),
    tan: (a) => tan(a),
    atan: (a) => atan(a),
    exp: (a) => exp(a),
    log: (a) => log(a),
    sqrt: (a) => sqrt(a),
    square: (a) => square(a),
  };
}

/** The `Floating` instance on float32 tensors (the engine's default dtype). */
export const floatingTensor: Floating<Tensor> = floatingTensorOf("float32");
