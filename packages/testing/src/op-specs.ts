// The spec table: one row per primitive (JAX's grad_test_spec) saying how to generate inputs, how to
// apply the primitive through the public API, a float64 reference, and whether it is
// differentiable. The table is a Record over every primitive name, so adding a primitive without a
// row fails to compile (and a test also compares the key sets at run time).
import fc from "fast-check";
import * as c from "@scm-ts/core";
import type { PrimitiveName, Tensor } from "@scm-ts/core";
import { arrayArb, broadcastablePairArb, shapeArb, type Domain, type HostArray } from "./arbitraries.js";
import type { Tolerance } from "./close.js";

/** How to test one primitive. */
export interface OpSpec {
  /** Generates the operands, as host arrays of compatible shapes, within the primitive's domain. */
  readonly inputs: fc.Arbitrary<HostArray[]>;
  /** Applies the primitive (through its public core function) to the operands, as tensors. */
  readonly apply: (...xs: Tensor[]) => Tensor;
  /** Float64 reference of `apply` on host arrays (absent for random bits, checked statistically). */
  readonly ref?: (...xs: HostArray[]) => Float64Array;
  /** Whether JVP/VJP/second-order checks apply (else the tangent must be zero). */
  readonly differentiable: boolean;
  /** Tolerance of the float32 forward against `ref` (default rtol = atol = 2e-6; a suite's `forwardTol` can only loosen it). */
  readonly tol?: Tolerance;
}

const P = c.primitives;
const one = (shape: number[], domain: Domain = "any") => arrayArb(shape, domain).map((a) => [a]);
const anyShape = (domain: Domain = "any") => shapeArb(0, 3, 4).chain((s) => one(s, domain));

function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = [];
  let k = 1;
  for (let i = shape.length - 1; i >= 0; i--) (s[i] = k), (k *= shape[i]!);
  return s;
}
function unravel(i: number, shape: readonly number[]): number[] {
  const st = stridesOf(shape);
  return shape.map((d, k) => Math.floor(i / st[k]!) % d);
}
function ravel(m: readonly number[], shape: readonly number[]): number {
  const st = stridesOf(shape);
  return m.reduce((acc, v, k) => acc + v * st[k]!, 0);
}
/** numpy broadcasting of an n-ary scalar function. */
function bcast(f: (...v: number[]) => number) {
  return (...xs: HostArray[]): Float64Array => {
    const rank = Math.max(...xs.map((x) => x.shape.length));
    const shape = Array.from({ length: rank }, (_, k) => Math.max(...xs.map((x) => x.shape[k - (rank - x.shape.length)] ?? 1)));
    const n = shape.reduce((a, b) => a * b, 1);
    return Float64Array.from({ length: n }, (_, i) => {
      const m = unravel(i, shape);
      return f(...xs.map((x) => x.data[ravel(m.slice(rank - x.shape.length).map((v, k) => (x.shape[k] === 1 ? 0 : v)), x.shape)]!));
    });
  };
}
const unary = (apply: (x: Tensor) => Tensor, f: (x: number) => number, domain: Domain = "any", differentiable = true): OpSpec => ({ inputs: anyShape(domain), apply, ref: (x) => x.data.map(f), differentiable });
const binary = (apply: (x: Tensor, y: Tensor) => Tensor, f: (x: number, y: number) => number, dx: Domain = "any", dy: Domain = "any", differentiable = true): OpSpec => ({
  inputs: broadcastablePairArb().chain(([a, b]) => fc.tuple(arrayArb(a, dx), arrayArb(b, dy))),
  apply,
  ref: bcast(f),
  differentiable,
});

function transposeRef(x: HostArray, perm: number[]): Float64Array {
  const out = perm.map((p) => x.shape[p]!);
  return Float64Array.from({ length: x.data.length }, (_, i) => {
    const m = unravel(i, out);
    const inM: number[] = [];
    perm.forEach((p, j) => (inM[p] = m[j]!));
    return x.data[ravel(inM, x.shape)]!;
  });
}
function reduceRef(x: HostArray, axis: number, f: (a: number, b: number) => number, init: number): Float64Array {
  const out = x.shape.filter((_, k) => k !== axis);
  const n = out.reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: n }, (_, i) => {
    const m = unravel(i, out);
    let acc = init;
    for (let r = 0; r < x.shape[axis]!; r++) acc = f(acc, x.data[ravel([...m.slice(0, axis), r, ...m.slice(axis)], x.shape)]!);
    return acc;
  });
}
function matmulRef(a: HostArray, b: HostArray): Float64Array {
  const [bt, m, k] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  const out = new Float64Array(bt * m * n);
  for (let q = 0; q < bt; q++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a.data[(q * m + i) * k + p]! * b.data[(q * k + p) * n + j]!;
    out[(q * m + i) * n + j] = s;
  }
  return out;
}
const CONV = { stride: [2, 1] as [number, number], padding: [1, 0] as [number, number], groups: 2 };
/** Direct convolution: y[n,o,i,j] = Σ w[o,c,u,v]·x[n, g·Cg+c, s·i+u−p, s·j+v−p]. */
export function conv2dRef(x: HostArray, w: HostArray, stride: [number, number], padding: [number, number], groups: number): HostArray {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * padding[0] - KH) / stride[0]) + 1, OW = Math.floor((W + 2 * padding[1] - KW) / stride[1]) + 1;
  const og = O / groups;
  const out = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let s = 0;
    const g = Math.floor(o / og);
    for (let cc = 0; cc < Cg; cc++) for (let u = 0; u < KH; u++) for (let v = 0; v < KW; v++) {
      const y = stride[0] * i + u - padding[0], xx = stride[1] * j + v - padding[1];
      if (y >= 0 && y < H && xx >= 0 && xx < W) s += w.data[((o * Cg + cc) * KH + u) * KW + v]! * x.data[((n * C + g * Cg + cc) * H + y) * W + xx]!;
    }
    out[((n * O + o) * OH + i) * OW + j] = s;
  }
  return { shape: [N, O, OH, OW], data: out };
}
const convParams = { ...CONV, inputHW: [5, 4] as [number, number], kernelHW: [3, 2] as [number, number] };
const xShape = [2, 4, 5, 4], wShape = [6, 2, 3, 2], yShape = [2, 6, 3, 3];

/** Attention y = softmax(s·q·kᵀ)·v per row, and with tangents its JVP t_y, in float64 (q [B,N,D], k [B,M,D], v [B,M,Dv]). */
function attentionRef(q: HostArray, k: HostArray, v: HostArray, t?: [HostArray, HostArray, HostArray]): Float64Array {
  const [bt, n, d] = q.shape as [number, number, number];
  const m = k.shape[1]!, dv = v.shape[2]!, s = 1 / Math.sqrt(d);
  const out = new Float64Array(bt * n * dv);
  for (let b = 0; b < bt; b++) for (let i = 0; i < n; i++) {
    const dot = (x: HostArray, y: HostArray, j: number) => {
      let a = 0;
      for (let p = 0; p < d; p++) a += x.data[(b * n + i) * d + p]! * y.data[(b * m + j) * d + p]!;
      return a;
    };
    const x = Array.from({ length: m }, (_, j) => s * dot(q, k, j));
    const mx = Math.max(...x);
    const e = x.map((xi) => Math.exp(xi - mx));
    const l = e.reduce((a, b2) => a + b2, 0);
    const p = e.map((ei) => ei / l);
    const tx = t ? Array.from({ length: m }, (_, j) => s * (dot(t[0], k, j) + dot(q, t[1], j))) : [];
    const mu = t ? p.reduce((a, pj, j) => a + pj * tx[j]!, 0) : 0;
    for (let c2 = 0; c2 < dv; c2++) {
      let acc = 0;
      for (let j = 0; j < m; j++) {
        const vj = v.data[(b * m + j) * dv + c2]!;
        acc += t ? p[j]! * (tx[j]! - mu) * vj + p[j]! * t[2].data[(b * m + j) * dv + c2]! : p[j]! * vj;
      }
      out[(b * n + i) * dv + c2] = acc;
    }
  }
  return out;
}
const attentionShapes = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));
const attentionArgs = (tangents: boolean) =>
  attentionShapes.chain(([b, n, m, d, dv]) => {
    const qkv = [arrayArb([b, n, d]), arrayArb([b, m, d]), arrayArb([b, m, dv])];
    return fc.tuple(...qkv, ...(tangents ? qkv : []));
  });

/** Rows of the last axis standardised, y = (x − μ)/√(var + ε), and with a tangent t its JVP, in float64. */
function standardizeRef(x: HostArray, t?: HostArray, eps = 1e-5): Float64Array {
  const len = x.shape[x.shape.length - 1]!;
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < x.data.length; o += len) {
    const row = Array.from(x.data.subarray(o, o + len));
    const mu = row.reduce((a, v) => a + v, 0) / len;
    const r = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mu) ** 2, 0) / len + eps);
    const y = row.map((v) => (v - mu) * r);
    if (!t) {
      out.set(y, o);
      continue;
    }
    const tr = Array.from(t.data.subarray(o, o + len));
    const mt = tr.reduce((a, v) => a + v, 0) / len, myt = tr.reduce((a, v, i) => a + v * y[i]!, 0) / len;
    out.set(tr.map((v, i) => r * (v - mt - y[i]! * myt)), o);
  }
  return out;
}
const standardizeShape = shapeArb(1, 3, 5).filter((s) => s[s.length - 1]! > 1);

const jitted = c.jit((x: Tensor) => c.mul(c.sin(x), x));
const customExp = c.customJvp((x: Tensor) => c.exp(x), ([x], [t]) => [c.exp(x), c.mul(c.exp(x), t)]);

/** The spec row of every primitive. */
export const opSpecs: Record<PrimitiveName, OpSpec> = {
  exp: unary(c.exp, Math.exp),
  log: unary(c.log, Math.log, "positive"),
  sin: unary(c.sin, Math.sin),
  cos: unary(c.cos, Math.cos),
  sqrt: unary(c.sqrt, Math.sqrt, "positive"),
  tanh: unary(c.tanh, Math.tanh),
  atan: unary(c.atan, Math.atan),
  neg: unary(c.neg, (x) => -x),
  sign: unary(c.sign, Math.sign, "awayFromZero", false),
  stop_gradient: unary(c.stopGradient, (x) => x, "any", false),
  convert: unary((x) => c.applyPrimitive(P.convert, [x], { dtype: "float64" })[0]!, (x) => x),
  add: binary(c.add, (x, y) => x + y),
  sub: binary(c.sub, (x, y) => x - y),
  mul: binary(c.mul, (x, y) => x * y),
  div: binary(c.div, (x, y) => x / y, "any", "awayFromZero"),
  // max(x, x + y) with |y| ≥ 0.3: no ties, where the derivative jumps.
  max: binary((x, y) => c.maximum(x, c.add(x, y)), (x, y) => Math.max(x, x + y), "any", "awayFromZero"),
  pow: binary(c.pow, Math.pow, "positive", "any"),
  lt: binary(c.less, (x, y) => +(x < y), "any", "any", false),
  le: binary(c.lessEqual, (x, y) => +(x <= y), "any", "any", false),
  eq: binary((x, y) => c.equal(x, c.maximum(x, y)), (x, y) => +(x === Math.max(x, y)), "any", "any", false),
  ne: binary((x, y) => c.notEqual(x, c.maximum(x, y)), (x, y) => +(x !== Math.max(x, y)), "any", "any", false),
  where: {
    inputs: shapeArb(0, 3, 4).chain((s) => fc.tuple(arrayArb(s, "awayFromZero"), arrayArb(s), arrayArb(s))),
    apply: (k, x, y) => c.where(c.greater(k, 0), x, y),
    ref: bcast((k, x, y) => (k > 0 ? x : y)),
    differentiable: true,
  },
  reshape: { inputs: anyShape(), apply: (x) => c.reshape(x, [x.size]), ref: (x) => x.data.slice(), differentiable: true },
  broadcast: {
    inputs: shapeArb(1, 3, 3).chain((s) => one(s.map((d, i) => (i % 2 ? 1 : d)))),
    apply: (x) => c.broadcastTo(x, [2, ...x.shape.map((d) => (d === 1 ? 3 : d))]),
    ref: (x) => bcast((v) => v)(x, { shape: [2, ...x.shape.map((d) => (d === 1 ? 3 : d))], data: new Float64Array(0) }),
    differentiable: true,
  },
  transpose: { inputs: shapeArb(1, 3, 4).chain((s) => one(s)), apply: (x) => c.transpose(x), ref: (x) => transposeRef(x, x.shape.map((_, i) => x.shape.length - 1 - i)), differentiable: true },
  slice: {
    inputs: shapeArb(1, 3, 4).chain((s) => one(s)),
    apply: (x) => c.slice(x, x.shape.map((d) => (d > 1 ? 1 : 0))),
    ref: (x) => {
      const starts = x.shape.map((d) => (d > 1 ? 1 : 0));
      const out = x.shape.map((d, k) => d - starts[k]!);
      return Float64Array.from({ length: out.reduce((a, b) => a * b, 1) }, (_, i) => x.data[ravel(unravel(i, out).map((v, k) => v + starts[k]!), x.shape)]!);
    },
    differentiable: true,
  },
  pad: {
    inputs: shapeArb(1, 3, 3).chain((s) => one(s)),
    apply: (x) => c.pad(x, x.shape.map(() => [1, 2] as [number, number])),
    ref: (x) => {
      const out = x.shape.map((d) => d + 3);
      return Float64Array.from({ length: out.reduce((a, b) => a * b, 1) }, (_, i) => {
        const m = unravel(i, out).map((v) => v - 1);
        return m.every((v, k) => v >= 0 && v < x.shape[k]!) ? x.data[ravel(m, x.shape)]! : 0;
      });
    },
    differentiable: true,
  },
  concat: {
    inputs: shapeArb(1, 3, 3).chain((s) => fc.tuple(arrayArb(s), arrayArb([s[0]! + 1, ...s.slice(1)]))),
    apply: (a, b) => c.concat([a, b], 0),
    ref: (a, b) => Float64Array.from([...a.data, ...b.data]),
    differentiable: true,
  },
  reduce_sum: { inputs: shapeArb(1, 3, 4).chain((s) => one(s)), apply: (x) => c.sum(x, Math.floor(x.ndim / 2)), ref: (x) => reduceRef(x, Math.floor(x.shape.length / 2), (a, b) => a + b, 0), differentiable: true },
  reduce_max: { inputs: shapeArb(1, 3, 4).chain((s) => one(s)).map(([x]) => [{ shape: x!.shape, data: x!.data.map((v, i) => v + 0.5 * i) }]), apply: (x) => c.max(x, -1), ref: (x) => reduceRef(x, x.shape.length - 1, Math.max, -Infinity), differentiable: true },
  matmul: {
    inputs: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).chain(([b, m, k, n]) => fc.tuple(arrayArb([b, m, k]), arrayArb([b, k, n]))),
    apply: c.matmul,
    ref: matmulRef,
    differentiable: true,
  },
  conv2d: {
    inputs: fc.tuple(arrayArb(xShape), arrayArb(wShape)),
    apply: (x, w) => c.conv2d(x, w, CONV),
    ref: (x, w) => conv2dRef(x, w, CONV.stride, CONV.padding, CONV.groups).data,
    differentiable: true,
  },
  conv2d_input_grad: {
    inputs: fc.tuple(arrayArb(yShape), arrayArb(wShape)),
    apply: (ct, w) => c.applyPrimitive(P.conv2d_input_grad, [ct, w], convParams)[0]!,
    // ⟨ct, conv(e_i, w)⟩ for each input basis vector e_i
    ref: (ct, w) => Float64Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, (_, i) => {
      const e = new Float64Array(xShape.reduce((a, b) => a * b, 1));
      e[i] = 1;
      const y = conv2dRef({ shape: xShape, data: e }, w, CONV.stride, CONV.padding, CONV.groups).data;
      return y.reduce((s, v, j) => s + v * ct.data[j]!, 0);
    }),
    differentiable: true,
  },
  conv2d_weight_grad: {
    inputs: fc.tuple(arrayArb(xShape), arrayArb(yShape)),
    apply: (x, ct) => c.applyPrimitive(P.conv2d_weight_grad, [x, ct], convParams)[0]!,
    ref: (x, ct) => Float64Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, (_, i) => {
      const e = new Float64Array(wShape.reduce((a, b) => a * b, 1));
      e[i] = 1;
      const y = conv2dRef(x, { shape: wShape, data: e }, CONV.stride, CONV.padding, CONV.groups).data;
      return y.reduce((s, v, j) => s + v * ct.data[j]!, 0);
    }),
    differentiable: true,
  },
  attention: { inputs: attentionArgs(false), apply: (q, k, v) => c.attention(q, k, v), ref: (q, k, v) => attentionRef(q, k, v), differentiable: true },
  attention_tangent: {
    inputs: attentionArgs(true),
    apply: (q, k, v, tq, tk, tv) => c.applyPrimitive(P.attention_tangent, [q, k, v, tq, tk, tv], { scale: 1 / Math.sqrt(q.shape[2]!) })[0]!,
    ref: (q, k, v, tq, tk, tv) => attentionRef(q, k, v, [tq, tk, tv]),
    differentiable: true,
  },
  // a spread along each row keeps its variance well above ε (rows of equal values have no direction to normalise)
  standardize: { inputs: standardizeShape.chain((s) => one(s)).map(([x]) => [{ shape: x!.shape, data: x!.data.map((v, i) => v + 0.5 * i) }]), apply: (x) => c.standardize(x), ref: (x) => standardizeRef(x), differentiable: true, tol: { rtol: 1e-5, atol: 1e-5 } },
  standardize_tangent: {
    inputs: standardizeShape.chain((s) => fc.tuple(arrayArb(s), arrayArb(s))),
    apply: (x, t) => c.applyPrimitive(P.standardize_tangent, [x, t], { eps: 1e-5 })[0]!,
    ref: (x, t) => standardizeRef(x, t),
    differentiable: true,
    tol: { rtol: 1e-5, atol: 1e-5 },
  },
  random_bits: { inputs: fc.constant([]), apply: () => c.random.uniform(c.random.key(7), [64]), differentiable: false },
  jit_call: { inputs: anyShape(), apply: (x) => jitted(x), ref: (x) => x.data.map((v) => Math.sin(v) * v), differentiable: true },
  custom_jvp_call: { inputs: anyShape(), apply: (x) => customExp(x), ref: (x) => x.data.map(Math.exp), differentiable: true },
};
