// Reductions and shape manipulation of the public API: sum/mean/max/min with axis and keepDims,
// reshape (with one −1), transpose, concat/stack, slice, pad, expandDims, squeeze, flatten.
import { checkShape, fmtAval, normalizeAxes, normalizeAxis, sizeOf } from "../shape.js";
import * as B from "../ops/broadcast.js";
import * as M from "../ops/movement.js";
import * as R from "../ops/reduce.js";
import { keptShape } from "../ops/reduce-lowering.js";
import type { Tensor } from "../tensor.js";
import { astype, neg, div } from "./elementwise.js";
import { bind1 } from "../ops/rules.js";

/** Axis options of reductions. */
export type AxisArg = number | readonly number[] | undefined | null;

function reduceWith(op: typeof B.reduceSum, name: string, x: Tensor, axis: AxisArg, keepDims: boolean): Tensor {
  const axes = normalizeAxes(name, axis ?? undefined, x.ndim);
  let y = axes.length ? bind1(op, [x], { axes }) : x;
  if (keepDims) y = reshape(y, keptShape(x.shape, axes));
  return y;
}

/** Σ over `axis` (all axes when omitted). */
export function sum(x: Tensor, axis?: AxisArg, keepDims = false): Tensor {
  return reduceWith(B.reduceSum, "sum", x.dtype === "bool" ? astype(x, "int32") : x, axis, keepDims);
}
/** Mean over `axis`. */
export function mean(x: Tensor, axis?: AxisArg, keepDims = false): Tensor {
  const axes = normalizeAxes("mean", axis ?? undefined, x.ndim);
  const n = sizeOf(axes.map((a) => x.shape[a]!));
  return div(sum(x, axes, keepDims), n);
}
/** Maximum over `axis` (NaN propagates). */
export function max(x: Tensor, axis?: AxisArg, keepDims = false): Tensor {
  return reduceWith(R.reduceMax, "max", x, axis, keepDims);
}
/** Minimum over `axis`. */
export function min(x: Tensor, axis?: AxisArg, keepDims = false): Tensor {
  return neg(max(neg(x), axis, keepDims));
}

/** Reshape; one entry may be −1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`reshape: at most one −1 in ${JSON.stringify(shape)}`);
  let s = [...shape];
  if (unknown) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape ${fmtAval(x.aval)} to ${JSON.stringify(shape)}`);
    s = s.map((d) => (d === -1 ? x.size / known : d));
  }
  checkShape("reshape", s);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return bind1(B.reshape, [x], { shape: s });
}
/** Permutes axes (reverses them by default). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normalizeAxis("transpose", a, x.ndim)) : Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i);
  if (p.every((a, i) => a === i) && p.length === x.ndim) return x;
  return bind1(M.transpose, [x], { perm: p });
}
/** Swaps the last two axes (JAX's `matrix_transpose`): [..., m, n] → [..., n, m]; needs rank ≥ 2. */
export function matrixTranspose(x: Tensor): Tensor {
  if (x.ndim < 2) throw new Error(`matrixTranspose: needs at least 2 axes, got shape [${x.shape.join(", ")}]`);
  const perm = x.shape.map((_, i) => i);
  [perm[x.ndim - 2], perm[x.ndim - 1]] = [x.ndim - 1, x.ndim - 2];
  return transpose(x, perm);
}
/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error("concat: needs at least one tensor");
  const a = normalizeAxis("concat", axis, xs[0]!.ndim);
  return xs.length === 1 ? xs[0]! : bind1(M.concat, xs, { axis: a });
}
/** Stacks tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error("stack: needs at least one tensor");
  const a = normalizeAxis("stack", axis, xs[0]!.ndim + 1);
  return concat(xs.map((x) => expandDims(x, a)), a);
}
/** x[starts : limits] per axis (limits default to the full size). */
export function slice(x: Tensor, starts: readonly number[], limits?: readonly number[]): Tensor {
  const lim = limits ?? x.shape;
  if (starts.length !== x.ndim || lim.length !== x.ndim) throw new Error(`slice: need ${x.ndim} starts and limits for ${fmtAval(x.aval)}, got ${JSON.stringify(starts)} and ${JSON.stringify(lim)}`);
  return bind1(M.slice, [x], { starts: [...starts], limits: [...lim] });
}
/** Zero padding; `widths[k] = [before, after]` for axis k. */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[]): Tensor {
  if (widths.length !== x.ndim) throw new Error(`pad: need ${x.ndim} [before, after] pairs for ${fmtAval(x.aval)}, got ${widths.length}`);
  return bind1(M.pad, [x], { lo: widths.map((w) => w[0]), hi: widths.map((w) => w[1]) });
}
/** Inserts a size-1 axis. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis("expandDims", axis, x.ndim + 1);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}
/** Removes size-1 axes (all of them, or those given). */
export function squeeze(x: Tensor, axis?: AxisArg): Tensor {
  const axes = axis === undefined || axis === null ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes("squeeze", axis, x.ndim);
  for (const a of axes) if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${fmtAval(x.aval)} is not of size 1`);
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}
/** Flattens to one axis. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}
