// Elementwise functions of the public API (JAX names). Primitives take equal shapes; these wrappers
// convert numbers and broadcast. Composites (tan, sigmoid, silu, relu, abs, minimum, …) are built
// from primitives here and get their derivatives for free.
import { checkDType, type DType } from "../dtype.js";
import * as P from "../ops/elementwise.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { asTensor, broadcastArgs, broadcastTo, type TensorLike } from "./convert.js";
import { bind1 } from "../ops/rules.js";

const un = (op: typeof P.exp) => (x: TensorLike): Tensor => bind1(op, [asTensor(x)]);
const bin =
  (op: typeof P.add, name: string) =>
  (x: TensorLike, y: TensorLike): Tensor =>
    bind1(op, broadcastArgs(name, x, y));

/** eˣ */
export const exp = un(P.exp);
/** Natural logarithm. */
export const log = un(P.log);
/** Sine. */
export const sin = un(P.sin);
/** Cosine. */
export const cos = un(P.cos);
/** Square root. */
export const sqrt = un(P.sqrt);
/** Hyperbolic tangent. */
export const tanh = un(P.tanh);
/** Arctangent. */
export const atan = un(P.atan);
/** −x */
export const neg = un(P.neg);
/** sign(x) ∈ {−1, 0, 1}. */
export const sign = un(P.sign);
/** x + y (broadcasting). */
export const add = bin(P.add, "add");
/** x − y */
export const sub = bin(P.sub, "sub");
/** x · y */
export const mul = bin(P.mul, "mul");
/** x / y */
export const div = bin(P.div, "div");
/** Elementwise maximum (NaN propagates). */
export const maximum = bin(P.max, "maximum");
/** x ** y */
export const pow = bin(P.pow, "pow");
/** x < y (bool). */
export const less = (x: TensorLike, y: TensorLike): Tensor => bind1(P.lt, broadcastArgs("less", x, y));
/** x ≤ y */
export const lessEqual = (x: TensorLike, y: TensorLike): Tensor => bind1(P.le, broadcastArgs("lessEqual", x, y));
/** x > y */
export const greater = (x: TensorLike, y: TensorLike): Tensor => bind1(P.lt, broadcastArgs("greater", y, x));
/** x ≥ y */
export const greaterEqual = (x: TensorLike, y: TensorLike): Tensor => bind1(P.le, broadcastArgs("greaterEqual", y, x));
/** x = y */
export const equal = (x: TensorLike, y: TensorLike): Tensor => bind1(P.eq, broadcastArgs("equal", x, y));
/** x ≠ y */
export const notEqual = (x: TensorLike, y: TensorLike): Tensor => bind1(P.ne, broadcastArgs("notEqual", x, y));

/** Elementwise minimum: −max(−x, −y). */
export function minimum(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = broadcastArgs("minimum", x, y);
  return neg(maximum(neg(a!), neg(b!)));
}
/** x² */
export function square(x: TensorLike): Tensor {
  const t = asTensor(x);
  return bind1(P.mul, [t, t]);
}
/** 1/√x */
export function rsqrt(x: TensorLike): Tensor {
  return div(1, sqrt(x));
}
/** 1/x */
export function reciprocal(x: TensorLike): Tensor {
  return div(1, x);
}
/** tan x = sin x / cos x */
export function tan(x: TensorLike): Tensor {
  return div(sin(x), cos(x));
}
/** |x| = x·sign(x) (derivative sign(x), 0 at 0). */
export function abs(x: TensorLike): Tensor {
  const t = asTensor(x);
  return mul(t, sign(t));
}
/** σ(x) = ½·tanh(x/2) + ½: stable for any x, and so is its derivative. */
export function sigmoid(x: TensorLike): Tensor {
  return add(mul(tanh(mul(x, 0.5)), 0.5), 0.5);
}
/** SiLU (swish): x·σ(x). */
export function silu(x: TensorLike): Tensor {
  const t = asTensor(x);
  return mul(t, sigmoid(t));
}
/** ReLU: x where x > 0, else 0 (derivative 0 at 0). */
export function relu(x: TensorLike): Tensor {
  const t = asTensor(x);
  return where(greater(t, 0), t, 0);
}
/** Selects x where cond is true, else y (broadcasting all three). */
export function where(cond: Tensor, x: TensorLike, y: TensorLike): Tensor {
  const dtype = x instanceof Tensor ? x.dtype : y instanceof Tensor ? y.dtype : "float32";
  const xt = asTensor(x, dtype, "where"), yt = asTensor(y, dtype, "where");
  if (!(cond instanceof Tensor) || cond.dtype !== "bool") throw new TypeError(`where: the condition must be a bool tensor, got ${String(cond)}`);
  if (xt.dtype !== yt.dtype) throw new TypeError(`where: values have dtypes ${xt.dtype} and ${yt.dtype}; cast one with astype()`);
  const shape = broadcastShapes("where", cond.shape, xt.shape, yt.shape);
  return bind1(P.where, [broadcastTo(cond, shape, "where"), broadcastTo(xt, shape, "where"), broadcastTo(yt, shape, "where")]);
}
/** Converts to a dtype. */
export function astype(x: Tensor, dtype: DType): Tensor {
  const d = checkDType(dtype, "astype");
  return x.dtype === d ? x : bind1(P.convert, [x], { dtype: d });
}
/** Identity whose derivative is zero. */
export function stopGradient(x: Tensor): Tensor {
  return bind1(P.stopGradient, [x]);
}
