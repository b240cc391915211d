// @scm-ts/core: the tensor engine. Tensors and their creation, elementwise/reduction/shape ops,
// matmul and conv2d, softmax, counter-based random keys, and the transforms jvp, linearize, vjp,
// grad, valueAndGrad, stopGradient, jit and customJvp over pytrees, on a pluggable backend (the CPU
// backend here; WebGPU in @scm-ts/webgpu). Besides the engine, as the one package every other one
// depends on, it holds the contracts they share (the network F(x_t/σ_d, t), Gaussian mixture components)
// and the host-side symmetric eigendecomposition. This file is the package's whole public surface.
import "./transforms/eval.js";
import "./cpu/index.js";
import "./api/methods.js";

export type { DType, DataArray } from "./dtype.js";
export { dtypes, isFloat } from "./dtype.js";
export type { Shape, ShapedArray } from "./shape.js";
export { broadcastShapes, sizeOf } from "./shape.js";
export { Tensor, ConcreteArray, tidy, keep } from "./tensor.js";
export { setBackend, chooseAutoBackend, getBackend, registerBackend, backendRuns, type AutoChoice, type Backend, type BackendFactory, type BufferHandle, type Executable } from "./backend.js";
export { createCpuBackend, setCpuThreads, cpuThreadStats, cpuKernelStats, type CpuThreadStats, type CpuKernelStats } from "./cpu/index.js";
export { registerNativeCpu, nativeCpu, type NativeCpu } from "./cpu/index.js";
export * from "./pytree.js";

export { array, zeros, ones, full, arange, linspace, zerosLike, onesLike, type NestedArray, type DTypeOption } from "./api/creation.js";
export { scalar } from "./ops/rules.js";
export { asTensor, broadcastTo, type TensorLike } from "./api/convert.js";
export {
  exp, log, sin, cos, tan, tanh, atan, sqrt, rsqrt, square, abs, sign, neg, reciprocal,
  add, sub, mul, div, maximum, minimum, pow, sigmoid, silu, relu, where,
  less, lessEqual, greater, greaterEqual, equal, notEqual, astype, stopGradient,
} from "./api/elementwise.js";
export { sum, mean, max, min, reshape, transpose, matrixTranspose, concat, stack, slice, pad, expandDims, squeeze, flatten, type AxisArg } from "./api/shape-ops.js";
export { matmul, conv2d, upsampleNearest, avgPool2d, type Conv2dOptions } from "./api/linalg.js";
export { attention, type AttentionOptions } from "./api/attention.js";
export { standardize } from "./api/standardize.js";
export { softmax, logSoftmax, logsumexp } from "./api/softmax.js";
export * as random from "./api/random.js";

export { jvp } from "./transforms/jvp.js";
export { linearize } from "./transforms/linearize.js";
export { vjp, grad, valueAndGrad, type GradOptions } from "./transforms/vjp.js";
export { jit, type JittedFunction } from "./transforms/jit.js";
export { customJvp } from "./transforms/custom-jvp.js";
export { makeJaxpr } from "./transforms/jaxpr-trace.js";
export { ClosedJaxpr, printJaxpr, type Jaxpr } from "./jaxpr.js";

/** Host-side float64 linear algebra: the symmetric eigendecomposition and matrix functions. */
export { type SymmetricEigenResult, symmetricEigen, symmetricMatrixFunction } from "./linalg/symmetric-eigen.js";
/** The contracts the method packages share: the network F(x_t/σ_d, t) and Gaussian mixture components. */
export { type NetworkOptions, type RawNetwork, type Model } from "./contracts/network.js";
export { type Covariance, type GaussianSpec, type MixtureComponent } from "./contracts/gaussian.js";

// Engine internals for backend packages (@scm-ts/webgpu) and tests: the IR, kernels and primitives.
export * as ir from "./ir/expr.js";
export { programKey, type Kernel, type Program, type RoutineSpec, type MatmulSpec, type ConvSpec, type AttentionSpec, type StandardizeSpec } from "./ir/kernel.js";
export { primitives } from "./ops/registry.js";
export { attentionBwdQ, attentionBwdKV, attentionBwdQComposed, attentionBwdKVComposed } from "./ops/attention-bwd.js";
export type { OpDef, TangentFusion } from "./primitive.js";
export { Zero } from "./primitive.js";
export { runRoutine } from "./cpu/routines.js";
export { kernelSource } from "./cpu/codegen.js";
export { printPlan } from "./compile/execute.js";
export { type PrimitiveName } from "./ops/registry.js";

import type { OpDef as OpDefT } from "./primitive.js";
import type { Tensor as TensorT } from "./tensor.js";
import { bind as bindPrim } from "./trace.js";
/** Applies a primitive directly (for tests and backends; user code calls the functions above). */
export function applyPrimitive(op: OpDefT, args: readonly TensorT[], params: unknown = {}): TensorT[] {
  return bindPrim(op, args, params);
}
