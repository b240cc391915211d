// Kernels and routines: the unit a backend compiles and runs. A map kernel computes `size` output
// elements from one expression; a reduce kernel folds `rsize` values per output element with sum or
// max. Routines are hand-written kernels (matmul, convolutions, attention, standardisation) named by a typed spec. Each has a
// structural cache key so a backend compiles it once.
import type { DType } from "../dtype.js";
import { exprKey, type Expr } from "./expr.js";

/** An elementwise (map) or reduction kernel over the kernel IR. */
export type Kernel =
  | {
      /** Elementwise: output element GIDX is `expr`, for GIDX in [0, size). */
      readonly kind: "map";
      /** Number of output elements (the flat length of the contiguous output buffer). */
      readonly size: number;
      /** Dtype of the output buffer. */
      readonly dtype: DType;
      /** The value of output element GIDX; LOAD nodes read the input buffers by slot. */
      readonly expr: Expr;
      /** Dtypes of the input buffers, in slot order (LOAD `arg` i reads buffer i). */
      readonly inputs: readonly DType[];
    }
  | {
      /** Reduction: output element GIDX folds `expr` over RIDX in [0, rsize). */
      readonly kind: "reduce";
      /** Number of output elements. */
      readonly size: number;
      /** Number of values folded into each output element (the product of the reduced axes). */
      readonly rsize: number;
      /** The fold: sum (from 0) or max (from −∞). */
      readonly op: "sum" | "max";
      /** Dtype of the output buffer (and of the accumulator). */
      readonly dtype: DType;
      /** Value to fold, in terms of GIDX and RIDX. */
      readonly expr: Expr;
      /** Dtypes of the input buffers, in slot order (LOAD `arg` i reads buffer i). */
      readonly inputs: readonly DType[];
    };

/**
 * A batched matrix product C[b] = op(A[b])·op(B[b]) on contiguous operands: A is stored [batch, m, k]
 * ([batch, k, m] when transposeA), B [batch, k, n] ([batch, n, k] when transposeB), C [batch, m, n].
 */
export interface MatmulSpec {
  /** Routine tag. */
  readonly name: "matmul";
  /** Dtype of A, B and C. */
  readonly dtype: DType;
  /** Number of independent products (1 for a plain matrix product). */
  readonly batch: number;
  /** Rows of op(A) and of C. */
  readonly m: number;
  /** The contracted dimension: columns of op(A), rows of op(B). */
  readonly k: number;
  /** Columns of op(B) and of C. */
  readonly n: number;
  /** A is stored [batch, k, m] and op(A) = Aᵀ. */
  readonly transposeA: boolean;
  /** B is stored [batch, n, k] and op(B) = Bᵀ. */
  readonly transposeB: boolean;
}

/** The three bilinear maps of a 2-D convolution (NCHW, weights OIHW); see ops/conv.ts. */
export interface ConvSpec {
  /**
   * Which map: `conv2d` (x, w) → y [n, cout, oh, ow]; `conv2dInputGrad` (ct_y, w) → ct_x [n, cin, h, w];
   * `conv2dWeightGrad` (x, ct_y) → ct_w [cout, cin/groups, kh, kw].
   */
  readonly name: "conv2d" | "conv2dInputGrad" | "conv2dWeightGrad";
  /** Dtype of every operand and of the result. */
  readonly dtype: DType;
  /** Batch size N. */
  readonly n: number;
  /** Input channels C (all groups together). */
  readonly cin: number;
  /** Input height H (before padding). */
  readonly h: number;
  /** Input width W (before padding). */
  readonly w: number;
  /** Output channels O (all groups together). */
  readonly cout: number;
  /** Kernel height KH. */
  readonly kh: number;
  /** Kernel width KW. */
  readonly kw: number;
  /** Output height ⌊(h + 2·padding[0] − kh)/stride[0]⌋ + 1. */
  readonly oh: number;
  /** Output width ⌊(w + 2·padding[1] − kw)/stride[1]⌋ + 1. */
  readonly ow: number;
  /** Stride [vertical, horizontal]. */
  readonly stride: readonly [number, number];
  /** Zero padding on each side, [rows, columns]. */
  readonly padding: readonly [number, number];
  /** Channel groups: group g maps input channels g·cin/groups … to output channels g·cout/groups …; both divisible. */
  readonly groups: number;
}

/**
 * Scaled dot-product attention over `batch` independent heads (see ops/attention.ts): q [batch, n, d],
 * k [batch, m, d], v [batch, m, dv] → y [batch, n, dv]; `attentionTangent` also reads the tangents
 * t_q, t_k, t_v (shaped like q, k, v) and writes t_y; `attentionJvp` reads the same and writes
 * [y; t_y] ([2, batch, n, dv]) from one pass. The reverse-mode passes (ops/attention-bwd.ts) are
 * optional routines, run only by backends that list them in `optionalRoutines`: `attentionBwdQ`
 * reads q, k, v and the output cotangent g [batch, n, dv] and writes rows [dq, L, δ] ([batch, n,
 * d + 2]: the query cotangent, the row's log-sum-exp and δ = g·y); `attentionBwdKV` reads q, k, v,
 * g and those [L, δ] ([batch, n, 2]) and writes rows [dk, dv] ([batch, m, d + dv]).
 */
export interface AttentionSpec {
  /** Which pass: forward y, the tangent t_y alone, both from one pass, or a reverse pass (see above). */
  readonly name: "attention" | "attentionTangent" | "attentionJvp" | "attentionBwdQ" | "attentionBwdKV";
  /** Dtype of every operand and of the result. */
  readonly dtype: DType;
  /** Independent heads (batch × heads of the caller, flattened). */
  readonly batch: number;
  /** Queries per head (rows of q and y). */
  readonly n: number;
  /** Keys and values per head (the softmax length). */
  readonly m: number;
  /** Width of each query and key. */
  readonly d: number;
  /** Width of each value and output row. */
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
  /** Which pass: forward y, the tangent t_y alone, or both from one pass (see above). */
  readonly name: "standardize" | "standardizeTangent" | "standardizeJvp";
  /** Dtype of x, t and the result. */
  readonly dtype: DType;
  /** Number of independent rows. */
  readonly rows: number;
  /** Values per row: the mean and variance run over these. */
  readonly len: number;
  /** Added to the (biased) variance before the square root. */
  readonly eps: number;
}

/** A hand-written kernel. */
export type RoutineSpec = MatmulSpec | ConvSpec | AttentionSpec | StandardizeSpec;

/** What a backend compiles. */
export type Program =
  | Kernel
  | {
      /** A hand-written kernel on materialised, contiguous inputs. */
      readonly kind: "routine";
      /** Which routine and its sizes; equal specs share one compiled program. */
      readonly spec: RoutineSpec;
    };

/** The structural cache key of a kernel or routine. */
export function programKey(p: Program): string {
  if (p.kind === "routine") return `routine:${JSON.stringify(p.spec)}`;
  const head = p.kind === "map" ? `map:${p.size}:${p.dtype}` : `reduce:${p.op}:${p.size}x${p.rsize}:${p.dtype}`;
  return `${head}:${p.inputs.join(",")}|${exprKey(p.expr)}`;
}
