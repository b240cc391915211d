// Movement primitives: transpose, slice, pad (with zeros) and concat (reshape and broadcast, whose
// transposes involve reduce_sum, are in broadcast.ts). All are linear; each lowers to index
// arithmetic only, so they fuse into their producers and consumers and cost no kernel under jit.
import { binary, idx, konst, where as irWhere, type Expr } from "../ir/expr.js";
import { defineOp, UndefPrimal, Zero, type OpDef } from "../primitive.js";
import { fmtAval, type ShapedArray } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { instantiate } from "./broadcast.js";
import { ravel, unravel } from "./index-math.js";
import * as T from "./rules.js";

/** Permutes axes: output axis j is input axis perm[j]. */
export const transpose: OpDef<{
  /** A permutation of 0 … rank − 1: output axis j is input axis perm[j]. */
  perm: number[];
}> = defineOp<{ perm: number[] }>({
  name: "transpose",
  kind: "linear",
  abstractEval: ([x], { perm }) => {
    const r = x!.shape.length;
    if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${r} axes of ${fmtAval(x!)}`);
    return [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
  },
  lower: {
    kind: "map",
    build: ([x], [a], out, { perm }) => (i) => {
      const m = unravel(i, out.shape);
      const inM = new Array<Expr>(perm.length);
      perm.forEach((p, j) => (inM[p] = m[j]!));
      return x!(ravel(inM, a!.shape));
    },
  },
  jvp: T.selfLinearJvp(() => transpose),
  transpose: ([ct], _, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, j) => (inv[p] = j));
    return [T.mapTan(ct!, (t) => T.bind1(transpose, [t], { perm: inv }))];
  },
});

/** x[starts[k] : limits[k]] on every axis. */
export const slice: OpDef<{
  /** First index kept on each axis (inclusive). */
  starts: number[];
  /** End on each axis (exclusive), starts[k] ≤ limits[k] ≤ shape[k]. */
  limits: number[];
}> = defineOp<{ starts: number[]; limits: number[] }>({
  name: "slice",
  kind: "linear",
  abstractEval: ([x], { starts, limits }) => {
    const s = x!.shape;
    if (starts.length !== s.length || limits.length !== s.length || s.some((d, k) => starts[k]! < 0 || limits[k]! > d || starts[k]! > limits[k]!)) {
      throw new Error(`slice: starts ${JSON.stringify(starts)} and limits ${JSON.stringify(limits)} are out of range for ${fmtAval(x!)}`);
    }
    return [{ shape: s.map((_, k) => limits[k]! - starts[k]!), dtype: x!.dtype }];
  },
  lower: {
    kind: "map",
    build: ([x], [a], out, { starts }) => (i) => x!(ravel(unravel(i, out.shape).map((e, k) => binary("ADD", e, idx(starts[k]!))), a!.shape)),
  },
  jvp: T.selfLinearJvp(() => slice),
  transpose: ([ct], [x], { starts, limits }) => {
    const s = (x as UndefPrimal).aval.shape;
    return [T.mapTan(ct!, (t) => T.bind1(pad, [t], { lo: [...starts], hi: s.map((d, k) => d - limits[k]!) }))];
  },
});

/** Pads with zeros: `lo[k]` before and `hi[k]` after axis k (non-negative). */
export const pad: OpDef<{
  /** Zeros before each axis (non-negative). */
  lo: number[];
  /** Zeros after each axis (non-negative). */
  hi: number[];
}> = defineOp<{ lo: number[]; hi: number[] }>({
  name: "pad",
  kind: "linear",
  abstractEval: ([x], { lo, hi }) => {
    const s = x!.shape;
    if (lo.length !== s.length || hi.length !== s.length || [...lo, ...hi].some((p) => !Number.isInteger(p) || p < 0)) {
      throw new Error(`pad: widths lo=${JSON.stringify(lo)} hi=${JSON.stringify(hi)} must be non-negative integers, one per axis of ${fmtAval(x!)}`);
    }
    return [{ shape: s.map((d, k) => d + lo[k]! + hi[k]!), dtype: x!.dtype }];
  },
  lower: {
    kind: "map",
    build: ([x], [a], out, { lo }) => (i) => {
      const m = unravel(i, out.shape).map((e, k) => binary("SUB", e, idx(lo[k]!)));
      let valid: Expr | undefined;
      m.forEach((e, k) => {
        if (e.min >= 0 && e.max < a!.shape[k]!) return;
        const ok = binary("AND", binary("CMPLE", idx(0), e), binary("CMPLT", e, idx(a!.shape[k]!)));
        valid = valid ? binary("AND", valid, ok) : ok;
      });
      const v = x!(ravel(m, a!.shape));
      return valid ? irWhere(valid, v, konst(0, out.dtype)) : v;
    },
  },
  jvp: T.selfLinearJvp(() => pad),
  transpose: ([ct], [x], { lo }) => {
    const s = (x as UndefPrimal).aval.shape;
    return [T.mapTan(ct!, (t) => T.bind1(slice, [t], { starts: [...lo], limits: s.map((d, k) => lo[k]! + d) }))];
  },
});

/** Joins tensors along an axis. */
export const concat: OpDef<{
  /** The axis to join along (non-negative); the other axes agree across operands. */
  axis: number;
}> = defineOp<{ axis: number }>({
  name: "concat",
  kind: "linear",
  abstractEval: (avals, { axis }) => {
    const a = avals[0]!;
    for (const b of avals) {
      if (b.dtype !== a.dtype || b.shape.length !== a.shape.length || b.shape.some((d, k) => k !== axis && d !== a.shape[k])) {
        throw new Error(`concat: along axis ${axis}, ${avals.map(fmtAval).join(", ")} must agree on every other axis and on dtype`);
      }
    }
    const shape = [...a.shape];
    shape[axis] = avals.reduce((n, b) => n + b.shape[axis]!, 0);
    return [{ shape, dtype: a.dtype }];
  },
  lower: {
    kind: "map",
    build: (xs, avals, out, { axis }) => (i) => {
      const m = unravel(i, out.shape);
      let offset = 0;
      const parts = avals.map((a, j) => {
        const start = offset;
        offset += a.shape[axis]!;
        const mm = m.map((e, k) => (k === axis ? binary("SUB", e, idx(start)) : e));
        return { end: offset, value: () => xs[j]!(ravel(mm, a.shape)) };
      });
      let v = parts[parts.length - 1]!.value();
      for (let j = parts.length - 2; j >= 0; j--) v = irWhere(binary("CMPLT", m[axis]!, idx(parts[j]!.end)), parts[j]!.value(), v);
      return v;
    },
  },
  jvp: (xs, ts, p) => {
    const out = T.bind1(concat, xs, p);
    if (ts.every((t): boolean => t instanceof Zero)) return [[out], [new Zero(out.aval)]];
    return [[out], [T.bind1(concat, ts.map(instantiate), p)]];
  },
  transpose: ([ct], args, { axis }) => {
    let offset = 0;
    return args.map((x) => {
      const a: ShapedArray = x instanceof UndefPrimal ? x.aval : (x as Tensor).aval;
      const start = offset;
      offset += a.shape[axis]!;
      if (!(x instanceof UndefPrimal)) return null;
      return T.mapTan(ct!, (t) => T.bind1(slice, [t], { starts: a.shape.map((_, k) => (k === axis ? start : 0)), limits: a.shape.map((d, k) => (k === axis ? start + d : t.shape[k]!)) }));
    });
  },
});

