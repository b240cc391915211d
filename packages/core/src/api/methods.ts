// Method-style calls on tensors (x.add(y).sum()), delegating to the public functions, so users can
// write either style. Declared by interface merging on Tensor.
import type { DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import * as E from "./elementwise.js";
import * as S from "./shape-ops.js";
import { matmul } from "./linalg.js";
import type { TensorLike } from "./convert.js";

declare module "../tensor.js" {
  interface Tensor {
    /** `add(this, y)`. */
    add(y: TensorLike): Tensor;
    /** `sub(this, y)`. */
    sub(y: TensorLike): Tensor;
    /** `mul(this, y)`. */
    mul(y: TensorLike): Tensor;
    /** `div(this, y)`. */
    div(y: TensorLike): Tensor;
    /** `pow(this, y)`. */
    pow(y: TensorLike): Tensor;
    /** `neg(this)`. */
    neg(): Tensor;
    /** `exp(this)`. */
    exp(): Tensor;
    /** `log(this)`. */
    log(): Tensor;
    /** `sin(this)`. */
    sin(): Tensor;
    /** `cos(this)`. */
    cos(): Tensor;
    /** `tanh(this)`. */
    tanh(): Tensor;
    /** `sqrt(this)`. */
    sqrt(): Tensor;
    /** `square(this)`. */
    square(): Tensor;
    /** `abs(this)`. */
    abs(): Tensor;
    /** `matmul(this, y)`. */
    matmul(y: Tensor): Tensor;
    /** `astype(this, dtype)`. */
    astype(dtype: DType): Tensor;
    /** `reshape(this, shape)`. */
    reshape(shape: readonly number[]): Tensor;
    /** `transpose(this, perm)`. */
    transpose(perm?: readonly number[]): Tensor;
    /** `sum(this, axis, keepDims)`. */
    sum(axis?: S.AxisArg, keepDims?: boolean): Tensor;
    /** `mean(this, axis, keepDims)`. */
    mean(axis?: S.AxisArg, keepDims?: boolean): Tensor;
    /** `max(this, axis, keepDims)`. */
    max(axis?: S.AxisArg, keepDims?: boolean): Tensor;
    /** `min(this, axis, keepDims)`. */
    min(axis?: S.AxisArg, keepDims?: boolean): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
const binary = { add: E.add, sub: E.sub, mul: E.mul, div: E.div, pow: E.pow };
for (const [name, fn] of Object.entries(binary)) proto[name] = function (this: Tensor, y: TensorLike) { return fn(this, y); };
const unary = { neg: E.neg, exp: E.exp, log: E.log, sin: E.sin, cos: E.cos, tanh: E.tanh, sqrt: E.sqrt, square: E.square, abs: E.abs };
for (const [name, fn] of Object.entries(unary)) proto[name] = function (this: Tensor) { return fn(this); };
const reductions = { sum: S.sum, mean: S.mean, max: S.max, min: S.min };
for (const [name, fn] of Object.entries(reductions)) proto[name] = function (this: Tensor, axis?: S.AxisArg, keepDims?: boolean) { return fn(this, axis, keepDims); };
proto.matmul = function (this: Tensor, y: Tensor) { return matmul(this, y); };
proto.astype = function (this: Tensor, d: DType) { return E.astype(this, d); };
proto.reshape = function (this: Tensor, s: readonly number[]) { return S.reshape(this, s); };
proto.transpose = function (this: Tensor, p?: readonly number[]) { return S.transpose(this, p); };
