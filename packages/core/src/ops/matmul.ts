// Batched matrix product [..., M, K] · [..., K, N] → [..., M, N] with equal batch axes (the public
// `matmul` broadcasts them). Bilinear: JVP dA·B + A·dB; transposes ct·Bᵀ and Aᵀ·ct.
import { defineOp, UndefPrimal, type OpDef, type Tan } from "../primitive.js";
import { fmtAval, shapeEqual, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import * as T from "../api/tangent.js";
import { transpose } from "./movement.js";

type NoParams = Record<string, never>;

function swapLast(x: Tensor): Tensor {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return T.bind1(transpose, [x], { perm });
}

/** The matrix product primitive. */
export const matmul: OpDef<NoParams> = defineOp<NoParams>({
  name: "matmul",
  kind: "linear",
  abstractEval: ([a, b]) => {
    const sa = a!.shape, sb = b!.shape, r = sa.length;
    if (r < 2 || sb.length !== r || !shapeEqual(sa.slice(0, -2), sb.slice(0, -2)) || sa[r - 1] !== sb[r - 2] || a!.dtype !== b!.dtype) {
      throw new Error(`matmul: cannot multiply ${fmtAval(a!)} by ${fmtAval(b!)} (need [...,M,K]·[...,K,N] with equal batch axes and dtypes)`);
    }
    return [{ shape: [...sa.slice(0, -1), sb[r - 1]!], dtype: a!.dtype }];
  },
  lower: {
    kind: "routine",
    spec: ([a, b], out) => {
      const r = a!.shape.length;
      return { name: "matmul", dtype: out.dtype, batch: sizeOf(a!.shape.slice(0, -2)), m: a!.shape[r - 2]!, k: a!.shape[r - 1]!, n: b!.shape[r - 1]! };
    },
  },
  jvp: ([a, b], [da, db]) => [[T.bind1(matmul, [a!, b!])], [T.addTan(mapMat(da!, (t) => T.bind1(matmul, [t, b!])), mapMat(db!, (t) => T.bind1(matmul, [a!, t])))]],
  transpose: ([ct], [a, b]) => {
    if (a instanceof UndefPrimal && b instanceof UndefPrimal) throw new Error("matmul: cannot transpose a product of two linear values");
    return [
      a instanceof UndefPrimal ? T.mapTan(ct!, (c) => T.bind1(matmul, [c, swapLast(b as Tensor)])) : null,
      b instanceof UndefPrimal ? T.mapTan(ct!, (c) => T.bind1(matmul, [swapLast(a as Tensor), c])) : null,
    ];
  },
});

const mapMat = (t: Tan, f: (t: Tensor) => Tensor): Tan => T.mapTan(t, f);
