// Rule plumbing that every primitive's rules use and that names no primitive: bind a
// single-output primitive, a rank-0 tensor from a JS number, map over a tangent that may be a
// symbolic zero, the JVP of an op whose derivative is zero, and that of a linear op (the op itself). Helpers that bind particular
// primitives live with them: the fills (a scalar broadcast to a shape, a Zero made concrete) in
// broadcast.ts, addTan, mulTan and recip in elementwise.ts, so no module of ops imports one that
// imports it back.
import { allocArray, castScalar, type DType } from "../dtype.js";
import { Zero, type OpDef, type Tan } from "../primitive.js";
import { ConcreteArray, fromData, type Tensor } from "../tensor.js";
import { bind, bind1 as bindAny } from "../trace.js";

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

/** Applies a linear map to a tangent, keeping zeros symbolic. */
export function mapTan(t: Tan, f: (t: Tensor) => Tensor): Tan {
  return t instanceof Zero ? t : f(t);
}

/** The JVP of an op with zero derivative (comparisons, sign, random bits). */
export function zeroJvp(op: OpDef, xs: readonly Tensor[], params: unknown): [Tensor[], Tan[]] {
  const outs = bind(op, xs, params);
  return [outs, outs.map((o) => new Zero(o.aval))];
}

/** A linear op whose JVP applies the op itself to the tangent. */
export function selfLinearJvp<P>(op: () => OpDef<P>) {
  return (xs: readonly Tensor[], ts: readonly Tan[], p: P): [Tensor[], Tan[]] => [[bind1(op(), xs, p)], [mapTan(ts[0]!, (t) => bind1(op(), [t], p))]];
}
