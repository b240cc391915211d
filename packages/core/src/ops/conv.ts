// 2-D convolution (NCHW input, OIHW weights, stride, zero padding, groups) as three bilinear
// primitives that are each other's transposes: conv2d(x, w) = y, conv2dInputGrad(ct_y, w) = ct_x,
// conv2dWeightGrad(x, ct_y) = ct_w. All are partial maps of one trilinear form ⟨ct_y, conv(x, w)⟩,
// so transposing any argument of any of them gives another of the three.
import type { ConvSpec } from "../ir/kernel.js";
import { defineOp, UndefPrimal, type OpDef, type Tan } from "../primitive.js";
import { fmtAval, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { addTan } from "./elementwise.js";
import * as T from "./rules.js";

/** Convolution parameters; `inputHW` and `kernelHW` fix the shapes the grads produce. */
export interface ConvParams {
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly groups: number;
  readonly inputHW: [number, number];
  readonly kernelHW: [number, number];
}

/** Output spatial size of a convolution. */
export function convOutHW(p: ConvParams): [number, number] {
  const o = (i: 0 | 1) => Math.floor((p.inputHW[i] + 2 * p.padding[i] - p.kernelHW[i]) / p.stride[i]) + 1;
  return [o(0), o(1)];
}

function specOf(name: ConvSpec["name"], x: readonly number[], w: readonly number[], dtype: ShapedArray["dtype"], p: ConvParams): ConvSpec {
  const [oh, ow] = convOutHW(p);
  return { name, dtype, n: x[0]!, cin: x[1]!, h: x[2]!, w: x[3]!, cout: w[0]!, kh: w[2]!, kw: w[3]!, oh, ow, stride: p.stride, padding: p.padding, groups: p.groups };
}

function check(name: string, x: readonly number[], w: readonly number[], p: ConvParams, avals: readonly ShapedArray[]): void {
  const bad = (why: string): never => {
    throw new Error(`${name}: ${why} (operands ${avals.map(fmtAval).join(", ")}, stride ${p.stride}, padding ${p.padding}, groups ${p.groups})`);
  };
  if (x.length !== 4 || w.length !== 4) bad("input must be [N,C,H,W] and weights [O,C/groups,KH,KW]");
  if (avals[0]!.dtype !== avals[1]!.dtype) bad("dtypes differ");
  if (x[1]! % p.groups !== 0 || w[0]! % p.groups !== 0) bad("channels must be divisible by groups");
  if (w[1]! * p.groups !== x[1]) bad(`weights have ${w[1]} input channels per group, input has ${x[1]} channels`);
  const [oh, ow] = convOutHW(p);
  if (oh < 1 || ow < 1) bad("the kernel is larger than the padded input");
}

/** y = conv(x, w). */
export const conv2d: OpDef<ConvParams> = defineOp<ConvParams>({
  name: "conv2d",
  kind: "linear",
  abstractEval: (avals, p) => {
    const [x, w] = avals.map((a) => a.shape);
    check("conv2d", x!, w!, p, avals);
    return [{ shape: [x![0]!, w![0]!, ...convOutHW(p)], dtype: avals[0]!.dtype }];
  },
  lower: { kind: "routine", spec: ([x, w], out, p) => specOf("conv2d", x!.shape, w!.shape, out.dtype, p) },
  jvp: ([x, w], [dx, dw], p) => [[T.bind1(conv2d, [x!, w!], p)], [addTan(lin(dx!, (t) => T.bind1(conv2d, [t, w!], p)), lin(dw!, (t) => T.bind1(conv2d, [x!, t], p)))]],
  transpose: ([ct], [x, w], p) => [
    x instanceof UndefPrimal ? lin(ct!, (c) => T.bind1(conv2dInputGrad, [c, w as Tensor], p)) : null,
    w instanceof UndefPrimal ? lin(ct!, (c) => T.bind1(conv2dWeightGrad, [x as Tensor, c], p)) : null,
  ],
});

/** ct_x = convᵀ_x(ct_y, w): the gradient of conv2d with respect to its input. */
export const conv2dInputGrad: OpDef<ConvParams> = defineOp<ConvParams>({
  name: "conv2d_input_grad",
  kind: "linear",
  abstractEval: (avals, p) => {
    const [c, w] = avals.map((a) => a.shape);
    const x = [c![0]!, w![1]! * p.groups, ...p.inputHW];
    check("conv2d_input_grad", x, w!, p, avals);
    return [{ shape: x, dtype: avals[0]!.dtype }];
  },
  lower: { kind: "routine", spec: ([c, w], out, p) => specOf("conv2dInputGrad", out.shape, w!.shape, out.dtype, p) },
  jvp: ([c, w], [dc, dw], p) => [[T.bind1(conv2dInputGrad, [c!, w!], p)], [addTan(lin(dc!, (t) => T.bind1(conv2dInputGrad, [t, w!], p)), lin(dw!, (t) => T.bind1(conv2dInputGrad, [c!, t], p)))]],
  transpose: ([ct], [c, w], p) => [
    c instanceof UndefPrimal ? lin(ct!, (g) => T.bind1(conv2d, [g, w as Tensor], p)) : null,
    w instanceof UndefPrimal ? lin(ct!, (g) => T.bind1(conv2dWeightGrad, [g, c as Tensor], p)) : null,
  ],
});

/** ct_w = convᵀ_w(x, ct_y): the gradient of conv2d with respect to its weights. */
export const conv2dWeightGrad: OpDef<ConvParams> = defineOp<ConvParams>({
  name: "conv2d_weight_grad",
  kind: "linear",
  abstractEval: (avals, p) => {
    const [x, c] = avals.map((a) => a.shape);
    const w = [c![1]!, x![1]! / p.groups, ...p.kernelHW];
    check("conv2d_weight_grad", x!, w, p, avals);
    return [{ shape: w, dtype: avals[0]!.dtype }];
  },
  lower: { kind: "routine", spec: ([x], out, p) => specOf("conv2dWeightGrad", x!.shape, out.shape, out.dtype, p) },
  jvp: ([x, c], [dx, dc], p) => [[T.bind1(conv2dWeightGrad, [x!, c!], p)], [addTan(lin(dx!, (t) => T.bind1(conv2dWeightGrad, [t, c!], p)), lin(dc!, (t) => T.bind1(conv2dWeightGrad, [x!, t], p)))]],
  transpose: ([ct], [x, c], p) => [
    x instanceof UndefPrimal ? lin(ct!, (g) => T.bind1(conv2dInputGrad, [c as Tensor, g], p)) : null,
    c instanceof UndefPrimal ? lin(ct!, (g) => T.bind1(conv2d, [x as Tensor, g], p)) : null,
  ],
});

const lin = (t: Tan, f: (t: Tensor) => Tensor): Tan => T.mapTan(t, f);
