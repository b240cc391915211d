// Turning user values into tensors: JS numbers become scalars of the other operand's dtype (weak
// typing, as JAX treats Python scalars), and operands are broadcast with explicit primitives.
import type { DType } from "../dtype.js";
import { broadcast, reshape } from "../ops/broadcast.js";
import { broadcastShapes, fmtAval, shapeEqual, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { bind1, scalar } from "../ops/rules.js";

/** A tensor or a JS number. */
export type TensorLike = Tensor | number;

/** A tensor from a tensor or a number (numbers take `dtype`). */
export function asTensor(x: TensorLike, dtype: DType = "float32", where = "op"): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number" || typeof x === "boolean") return scalar(Number(x), dtype);
  throw new TypeError(`${where}: expected a tensor or a number, got ${String(x)}`);
}

/** Broadcasts a tensor to a shape (numpy rules), binding reshape and broadcast only when needed. */
export function broadcastTo(x: Tensor, shape: Shape, where = "broadcastTo"): Tensor {
  if (shapeEqual(x.shape, shape)) return x;
  const out = broadcastShapes(where, x.shape, shape);
  if (!shapeEqual(out, shape)) throw new Error(`${where}: cannot broadcast ${fmtAval(x.aval)} to [${shape.join(",")}]`);
  const padded = [...new Array<number>(shape.length - x.shape.length).fill(1), ...x.shape];
  const r = padded.length === x.shape.length ? x : bind1(reshape, [x], { shape: padded });
  return bind1(broadcast, [r], { shape: [...shape] });
}

/** Converts operands to tensors of one dtype and broadcasts them to a common shape. */
export function broadcastArgs(where: string, ...xs: TensorLike[]): Tensor[] {
  const first = xs.find((x): x is Tensor => x instanceof Tensor);
  const dtype = first?.dtype ?? "float32";
  const ts = xs.map((x) => asTensor(x, dtype, where));
  for (const t of ts) {
    if (t.dtype !== dtype) throw new TypeError(`${where}: dtypes differ (${ts.map((u) => fmtAval(u.aval)).join(", ")}); cast one with astype()`);
  }
  const shape = broadcastShapes(where, ...ts.map((t) => t.shape));
  return ts.map((t) => broadcastTo(t, shape, where));
}
