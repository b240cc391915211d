// Small helpers that rules use to handle symbolic zeros and scalars: instantiate a Zero, map over a
// tangent that may be zero, add two possibly-zero tangents, a scalar broadcast to a tensor's shape.
// They bind primitives directly, so rules stay one line and work under every transform.
import { allocArray, castScalar, type DType } from "../dtype.js";
import { broadcast, reshape } from "../ops/movement.js";
import { Zero, type OpDef, type Tan } from "../primitive.js";
import type { ShapedArray } from "../shape.js";
import { ConcreteArray, fromData, type Tensor } from "../tensor.js";
import { bind, bind1 as bindAny } from "../trace.js";
import { add, div, mul } from "../ops/elementwise.js";

/** Binds a single-output primitive (params default to none). */
export function bind1(op: OpDef, args: readonly Tensor[], params: unknown = {}): Tensor {
  return bindAny(op, args, params);
}

/** A rank-0 tensor holding a JS number (an IR literal under tracing). */
export function scalar(value: number, dtype: DType = "float32"): ConcreteArray {
  const data = allocArray(dtype, 1);
  data[0] = castScalar(value, dtype);
  const t = fromData(data, [], dtype);
  t.scalarValue = data[0];
  return t;
}

/** A tensor of `aval` filled with `value`: a broadcast scalar, so it costs nothing under jit. */
export function fullAval(a: ShapedArray, value: number): Tensor {
  const s = scalar(value, a.dtype);
  if (a.shape.length === 0) return s;
  const ones = a.shape.map(() => 1);
  return bind1(broadcast, [bindReshape(s, ones)], { shape: [...a.shape] });
}

function bindReshape(x: Tensor, shape: number[]): Tensor {
  return bind1(reshape, [x], { shape });
}

/** Scalar `value` broadcast to the shape and dtype of `like`. */
export function scalarLike(like: Tensor, value: number): Tensor {
  return fullAval(like.aval, value);
}

/** Zeros shaped like a tensor. */
export function zerosLike(like: Tensor): Tensor {
  return fullAval(like.aval, 0);
}

/** A Zero made concrete. */
export function instantiate(t: Tan): Tensor {
  return t instanceof Zero ? fullAval(t.aval, 0) : t;
}

/** Applies a linear map to a tangent, keeping zeros symbolic. */
export function mapTan(t: Tan, f: (t: Tensor) => Tensor): Tan {
  return t instanceof Zero ? t : f(t);
}

/** t · factor(), skipping the factor's computation when t is zero. */
export function mulTan(t: Tan, factor: () => Tensor): Tan {
  return t instanceof Zero ? t : bind1(mul, [t, factor()]);
}


/** a + b for possibly-zero tangents. */
export function addTan(a: Tan, b: Tan): Tan {
  if (a instanceof Zero) return b;
  if (b instanceof Zero) return a;
  return bind1(add, [a, b]);
}

/** 1 / x. */
export function recip(x: Tensor): Tensor {
  return bind1(div, [scalarLike(x, 1), x]);
}

/** The JVP of an op with zero derivative (comparisons, sign, random bits). */
export function zeroJvp(op: OpDef, xs: readonly Tensor[], params: unknown): [Tensor[], Tan[]] {
  const outs = bind(op, xs, params);
  return [outs, outs.map((o) => new Zero(o.aval))];
}

