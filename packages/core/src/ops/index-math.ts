// Index arithmetic for lowering movement ops: a flat row-major index ↔ a multi-index, built as IR
// expressions so they fuse into kernels and simplify when sizes allow.
import { binary, idx, type Expr } from "../ir/expr.js";
import { stridesOf, type Shape } from "../shape.js";

/** The multi-index of a flat index into `shape`. */
export function unravel(flat: Expr, shape: Shape): Expr[] {
  const strides = stridesOf(shape);
  return shape.map((d, i) => {
    const q = binary("IDIV", flat, idx(strides[i]!));
    return i === 0 ? q : binary("MOD", q, idx(d));
  });
}

/** The flat index of a multi-index into `shape`. */
export function ravel(multi: readonly Expr[], shape: Shape): Expr {
  const strides = stridesOf(shape);
  let out = idx(0);
  multi.forEach((m, i) => {
    if (shape[i] !== 1) out = binary("ADD", out, binary("MUL", m, idx(strides[i]!)));
  });
  return out;
}
