// Kernels and routines: the unit a backend compiles and runs. A map kernel computes `size` output
// elements from one expression; a reduce kernel folds `rsize` values per output element with sum or
// max. Routines are hand-written kernels (matmul, convolutions, attention, standardisation) named by a typed spec. Each has a
// structural cache key so a backend compiles it once.
import type { DType } from "../dtype.js";
import { exprKey, type Expr } from "./expr.js";

/** An elementwise (map) or reduction kernel over the kernel IR. */
export type Kernel =
  | { readonly kind: "map"; readonly size: number; readonly dtype: DType; readonly expr: Expr; readonly inputs: readonly DType[] }
  | {
      readonly kind: "reduce";
      readonly size: number;
      readonly rsize: number;
      readonly op: "sum" | "max";
      readonly dtype: DType;
      /** Value to fold, in terms of GIDX and RIDX. */
      readonly expr: Expr;
      readonly inputs: readonly DType[];
    };

/**
 * A batched matrix product C[b] = op(A[b])·op(B[b]) on contiguous operands: A is stored [batch, m, k]
 * ([batch, k, m] when transposeA), B [batch, k, n] ([batch, n, k] when transposeB), C [batch, m, n].
 */
export interface MatmulSpec {
  readonly name: "matmul";
  readonly dtype: DType;
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** The three bilinear maps of a 2-D convolution (NCHW, weights OIHW); see ops/conv.ts. */
export interface ConvSpec {
  readonly name: "conv2d" | "conv2dInputGrad" | "conv2dWeightGrad";
  readonly dtype: DType;
  readonly n: number;
  readonly cin: number;
  readonly h: number;
  readonly w: number;
  readonly cout: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly groups: number;
}

/**
 * Scaled dot-product attention over `batch` independent heads (see ops/attention.ts): q [batch, n, d],
 * k [batch, m, d], v [batch, m, dv] → y [batch, n, dv]; `attentionTangent` also reads the tangents
 * t_q, t_k, t_v (shaped like q, k, v) and writes t_y; `attentionJvp` reads the same and writes
 * [y; t_y] ([2, batch, n, dv]) from one pass.
 */
export interface AttentionSpec {
  readonly name: "attention" | "attentionTangent" | "attentionJvp";
  readonly dtype: DType;
  readonly batch: number;
  readonly n: number;
  readonly m: number;
  readonly d: number;
  readonly dv: number;
  /** The logit scale s. */
  readonly scale: number;
}

/**
 * Standardisation of `rows` rows of `len` contiguous values (see ops/standardize.ts):
 * y = (x − mean)/√(var + eps) per row; `standardizeTangent` reads x and t and writes t_y;
 * `standardizeJvp` reads the same and writes [y; t_y] ([2, rows, len]).
 */
export interface StandardizeSpec {
  readonly name: "standardize" | "standardizeTangent" | "standardizeJvp";
  readonly dtype: DType;
  readonly rows: number;
  readonly len: number;
  readonly eps: number;
}

/** A hand-written kernel. */
export type RoutineSpec = MatmulSpec | ConvSpec | AttentionSpec | StandardizeSpec;

/** What a backend compiles. */
export type Program = Kernel | { readonly kind: "routine"; readonly spec: RoutineSpec };

/** The structural cache key of a kernel or routine. */
export function programKey(p: Program): string {
  if (p.kind === "routine") return `routine:${JSON.stringify(p.spec)}`;
  const head = p.kind === "map" ? `map:${p.size}:${p.dtype}` : `reduce:${p.op}:${p.size}x${p.rsize}:${p.dtype}`;
  return `${head}:${p.inputs.join(",")}|${exprKey(p.expr)}`;
}
