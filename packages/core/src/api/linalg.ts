// Matrix products and image ops of the public API: matmul with numpy semantics (1-D operands,
// broadcast batch axes), conv2d in NCHW with stride/padding/groups, nearest upsampling and average
// pooling (both compositions of reshape, broadcast and mean, so they fuse and differentiate).
import { broadcastShapes, fmtAval } from "../shape.js";
import { matmul as matmulOp } from "../ops/matmul.js";
import { conv2d as convOp } from "../ops/conv.js";
import type { Tensor } from "../tensor.js";
import { broadcastTo } from "./convert.js";
import { mean, reshape } from "./shape-ops.js";
import { bind1 } from "../ops/rules.js";

/** Matrix product with numpy semantics: [..., M, K]·[..., K, N], 1-D operands as vectors. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: operands must have rank ≥ 1, got ${fmtAval(a.aval)} and ${fmtAval(b.aval)}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const sa = a2.shape, sb = b2.shape;
  if (sa[sa.length - 1] !== sb[sb.length - 2]) throw new Error(`matmul: inner dimensions differ: ${fmtAval(a.aval)} · ${fmtAval(b.aval)}`);
  const batch = broadcastShapes("matmul", sa.slice(0, -2), sb.slice(0, -2));
  const ab = broadcastTo(a2, [...batch, ...sa.slice(-2)], "matmul");
  const bb = broadcastTo(b2, [...batch, ...sb.slice(-2)], "matmul");
  let y = bind1(matmulOp, [ab, bb]);
  if (a.ndim === 1) y = reshape(y, [...y.shape.slice(0, -2), y.shape[y.ndim - 1]!]);
  if (b.ndim === 1) y = reshape(y, y.shape.slice(0, -1));
  return y;
}

/** Options of conv2d. */
export interface Conv2dOptions {
  /** Stride per spatial axis (default 1). */
  readonly stride?: number | readonly [number, number];
  /** Zero padding per spatial axis, or 'SAME' (output = ⌈input/stride⌉ for odd kernels) / 'VALID' (default 0). */
  readonly padding?: number | readonly [number, number] | "SAME" | "VALID";
  /** Feature groups (default 1). */
  readonly groups?: number;
}

const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** 2-D convolution: x [N, C, H, W], w [O, C/groups, KH, KW] → [N, O, OH, OW]. */
export function conv2d(x: Tensor, w: Tensor, options: Conv2dOptions = {}): Tensor {
  if (x.ndim !== 4 || w.ndim !== 4) throw new Error(`conv2d: input must be [N,C,H,W] and weights [O,C/groups,KH,KW], got ${fmtAval(x.aval)} and ${fmtAval(w.aval)}`);
  const stride = pair(options.stride ?? 1);
  const kernelHW: [number, number] = [w.shape[2]!, w.shape[3]!];
  const pad = options.padding ?? 0;
  const padding: [number, number] = pad === "VALID" ? [0, 0] : pad === "SAME" ? [Math.floor((kernelHW[0] - 1) / 2), Math.floor((kernelHW[1] - 1) / 2)] : pair(pad);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${groups}`);
  if ([...stride, ...padding].some((v) => !Number.isInteger(v)) || stride.some((s) => s < 1) || padding.some((p) => p < 0)) {
    throw new Error(`conv2d: stride ${JSON.stringify(stride)} must be positive and padding ${JSON.stringify(padding)} non-negative integers`);
  }
  return bind1(convOp, [x, w], { stride, padding, groups, inputHW: [x.shape[2]!, x.shape[3]!], kernelHW });
}

/** Nearest-neighbour upsampling of [N, C, H, W] by an integer factor. */
export function upsampleNearest(x: Tensor, factor = 2): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const y = broadcastTo(reshape(x, [n, c, h, 1, w, 1]), [n, c, h, factor, w, factor], "upsampleNearest");
  return reshape(y, [n, c, h * factor, w * factor]);
}

/** Average pooling of [N, C, H, W] over factor×factor windows (H and W divisible by factor). */
export function avgPool2d(x: Tensor, factor = 2): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h % factor || w % factor) throw new Error(`avgPool2d: ${fmtAval(x.aval)} is not divisible by ${factor}`);
  return mean(reshape(x, [n, c, h / factor, factor, w / factor, factor]), [3, 5]);
}
