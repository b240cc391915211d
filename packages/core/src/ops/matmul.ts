// Batched matrix product op(A)·op(B), op(X) = X or Xᵀ (last two axes, by `transposeA/B`), with equal
// batch axes (the public `matmul` broadcasts them): [..., M, K]·[..., K, N] → [..., M, N]. The
// flags let transpose rules and backends read transposed operands in place instead of copying.
// Bilinear: JVP op(dA)·op(B) + op(A)·op(dB); transposes below.
import { defineOp, UndefPrimal, type OpDef, type Tan } from "../primitive.js";
import { fmtAval, shapeEqual, sizeOf, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { addTan } from "./elementwise.js";
import * as T from "./rules.js";

/** Which operands are read transposed. */
export interface MatmulParams {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

const flags = (ta: boolean, tb: boolean): MatmulParams => (ta || tb ? { ...(ta ? { transposeA: true } : {}), ...(tb ? { transposeB: true } : {}) } : {});

/** [M, K, N] of op(A)·op(B). */
function dims(a: ShapedArray, b: ShapedArray, p: MatmulParams): [number, number, number, number] {
  const r = a.shape.length;
  const [a0, a1] = [a.shape[r - 2]!, a.shape[r - 1]!], [b0, b1] = [b.shape[r - 2]!, b.shape[r - 1]!];
  const [m, ka] = p.transposeA ? [a1, a0] : [a0, a1];
  const [kb, n] = p.transposeB ? [b1, b0] : [b0, b1];
  return [m, ka, kb, n];
}

/** The matrix product primitive. */
export const matmul: OpDef<MatmulParams> = defineOp<MatmulParams>({
  name: "matmul",
  kind: "linear",
  abstractEval: ([a, b], p) => {
    const r = a!.shape.length;
    const ok = r >= 2 && b!.shape.length === r && shapeEqual(a!.shape.slice(0, -2), b!.shape.slice(0, -2)) && a!.dtype === b!.dtype;
    const [m, ka, kb, n] = ok ? dims(a!, b!, p) : [0, 0, 1, 0];
    if (!ok || ka !== kb) {
      throw new Error(`matmul: cannot multiply ${fmtAval(a!)}${p.transposeA ? "ᵀ" : ""} by ${fmtAval(b!)}${p.transposeB ? "ᵀ" : ""} (need [...,M,K]·[...,K,N] with equal batch axes and dtypes)`);
    }
    return [{ shape: [...a!.shape.slice(0, -2), m, n], dtype: a!.dtype }];
  },
  lower: {
    kind: "routine",
    spec: ([a, b], out, p) => {
      const [m, k, , n] = dims(a!, b!, p);
      return { name: "matmul", dtype: out.dtype, batch: sizeOf(a!.shape.slice(0, -2)), m, k, n, transposeA: !!p.transposeA, transposeB: !!p.transposeB };
    },
  },
  jvp: ([a, b], [da, db], p) => [[T.bind1(matmul, [a!, b!], p)], [addTan(lin(da!, (t) => T.bind1(matmul, [t, b!], p)), lin(db!, (t) => T.bind1(matmul, [a!, t], p)))]],
  // C = op_a(A)·op_b(B): ∂/∂op_a(A) = ct·op_b(B)ᵀ and ∂/∂op_b(B) = op_a(A)ᵀ·ct, transposed back when the operand was.
  transpose: ([ct], [a, b], p) => {
    if (a instanceof UndefPrimal && b instanceof UndefPrimal) throw new Error("matmul: cannot transpose a product of two linear values");
    const ta = !!p.transposeA, tb = !!p.transposeB;
    return [
      a instanceof UndefPrimal ? lin(ct!, (c) => (ta ? T.bind1(matmul, [b as Tensor, c], flags(tb, true)) : T.bind1(matmul, [c, b as Tensor], flags(false, !tb)))) : null,
      b instanceof UndefPrimal ? lin(ct!, (c) => (tb ? T.bind1(matmul, [c, a as Tensor], flags(true, ta)) : T.bind1(matmul, [a as Tensor, c], flags(!ta, false)))) : null,
    ];
  },
});

const lin = (t: Tan, f: (t: Tensor) => Tensor): Tan => T.mapTan(t, f);
