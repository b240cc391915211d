// Float32 elementwise (map) and reduction kernels of the kernel IR compiled to WebAssembly SIMD,
// with the expression vectorised four lanes at a time by wasm-vector.ts (each op by its row of the op
// table, op-table.ts); anything else runs as JavaScript, counted by kernel-stats.ts. A map kernel runs its lanes along
// GIDX (sizes must be multiples of 4, so every lane is an output element and every index stays in
// the IR's bounds). A reduction runs them along RIDX when the reduced values of one output element
// are contiguous (row sums, softmax denominators, full sums; rsize a multiple of 4), else along GIDX
// (column sums such as a bias gradient; size a multiple of 4). Sums accumulate in float64 (two
// f64x2 accumulators), as the JS interpreter does, so only the summands carry float32 rounding; max
// folds in float32 (exact) by pseudo-max (one instruction, where wasm's NaN-propagating max is ~7 on
// x64) with NaNs tracked in a mask, so a NaN anywhere gives NaN like Math.max (of −0 and +0 it may
// give −0). Each step computes up to four independent 4-lane groups (16 consecutive lane-index
// values), interleaved node by node, so the latency of long op chains overlaps. Inputs are copied
// into the kernels' memory and the output copied out, unless they live there already (wasm-heap.ts).
// A kernel of 2¹⁸ elements or more is split into units of outputs run by the thread pool
// (gemm-threads.ts) where its workers can receive the kernel's module (Node): the module's function
// `units` runs a range of them from the call's words in the job record, as gemm_run does; on two
// threads a 2¹⁹-element map ran 1.8× faster, and a small conv net's forward (eager or jitted) 7–11%
// faster.
// Values are float32 at every step, where the JS interpreter rounds only at the store: within a few
// ulps for these ops.
import type { DataArray } from "../dtype.js";
import type { Kernel } from "../ir/kernel.js";
import { compileKernel } from "./codegen.js";
import { announceUnits, runUnits, type UnitsFn } from "./gemm-threads.js";
import { forRange, I32, Locals, moduleBytes, op, V128, type Code, type Func } from "./wasm-asm.js";
import { callFits, DATA, ensure, instantiateOnKernelMemory, JOB, jobWords, setJobWords, type Instance } from "./wasm-gemm.js";
import { heapAddress } from "./wasm-heap.js";
import { maxSharedPages } from "./wasm-kernels.js";
import { recordExamined, recordFallback, recordWasmKernel } from "./kernel-stats.js";
import { unvectorisedOp, vectorizeExpr, type Unvectorised } from "./wasm-vector.js";

type Body = { params: number[]; locals: number[]; body: Code };

// function map(g0, g1, out, in0, …): out[g] = expr(g) for g in [g0, g1), 16 at a time (four
// interleaved 4-lane groups, so long chains of dependent ops overlap: the fusion benchmark's chain of
// exp, tanh, sin, cos … runs 2.4× faster than one group per step) when the size is a multiple of 16,
// else 8 or 4 (g0 a multiple of that step)
function mapBody(k: Kernel & { kind: "map" }): Body | Unvectorised {
  const L = new Locals(3 + k.inputs.length);
  const g = L.add(I32);
  const copies = k.size % 16 === 0 ? 4 : k.size % 8 === 0 ? 2 : 1;
  const x = vectorizeExpr(k.expr, L, "GIDX", g, g, 3, copies);
  if ("stoppedAt" in x) return x;
  const store = x.values.flatMap((v, c) => [...op.get(2), ...op.get(g), ...op.i32(2), ...op.shl, ...op.add, ...op.get(v), ...op.v128Store(16 * c)]);
  const body = [...x.pre, ...forRange(g, op.get(0), op.get(1), 4 * copies, ...x.outer, ...store)];
  return { params: new Array<number>(3 + k.inputs.length).fill(I32), locals: L.types, body };
}

// function reduce(g0, g1, out, in0, …): out[g] = fold over r of expr(g, r) for g in [g0, g1); the
// lane index steps by 16 (four interleaved 4-lane groups, each with its own accumulators) when its
// extent is a multiple of 16, else 8 or 4 (along GIDX, g0 a multiple of that step)
function reduceBody(k: Kernel & { kind: "reduce" }, lanes: "GIDX" | "RIDX"): Body | Unvectorised {
  const L = new Locals(3 + k.inputs.length);
  const g = L.add(I32), r = L.add(I32);
  const extent = lanes === "RIDX" ? k.rsize : k.size;
  const copies = extent % 16 === 0 ? 4 : extent % 8 === 0 ? 2 : 1;
  const x = vectorizeExpr(k.expr, L, lanes, g, r, 3, copies);
  if ("stoppedAt" in x) return x;
  const sum = k.op === "sum";
  // per group, sum: f64x2 accumulators of lanes 0–1 (lo) and 2–3 (hi); max: the running maxima (lo) and NaN lanes (hi)
  const acc = x.values.map(() => [L.add(V128), L.add(V128)] as const);
  const init: Code = acc.flatMap(([lo, hi]) => [...(sum ? op.v128Zero : [...op.f32Const(-Infinity), ...op.f32x4Splat]), ...op.set(lo), ...op.v128Zero, ...op.set(hi)]);
  const fold: Code = x.values.flatMap((v, c) => {
    const [lo, hi] = acc[c]!;
    return sum
      ? [
          ...op.get(lo), ...op.get(v), ...op.f64x2PromoteLowF32x4, ...op.f64x2Add, ...op.set(lo),
          ...op.get(hi), ...op.get(v), ...op.get(v), ...op.shuffle32(2, 3, 2, 3), ...op.f64x2PromoteLowF32x4, ...op.f64x2Add, ...op.set(hi),
        ]
      : [
          ...op.get(lo), ...op.get(v), ...op.f32x4Pmax, ...op.set(lo),
          ...op.get(hi), ...op.get(v), ...op.get(v), ...op.f32x4Ne, ...op.v128Or, ...op.set(hi),
        ];
  });
  const outAt: Code = [...op.get(2), ...op.get(g), ...op.i32(2), ...op.shl, ...op.add];
  let body: Code;
  if (lanes === "RIDX") {
    // one output per step: fold 4·copies reduced values at a time, then the groups into group 0, then across the lanes
    const [lo, hi] = acc[0]!;
    const merge: Code = acc.slice(1).flatMap(([l, h]) =>
      sum
        ? [...op.get(lo), ...op.get(l), ...op.f64x2Add, ...op.set(lo), ...op.get(hi), ...op.get(h), ...op.f64x2Add, ...op.set(hi)]
        : [...op.get(lo), ...op.get(l), ...op.f32x4Pmax, ...op.set(lo), ...op.get(hi), ...op.get(h), ...op.v128Or, ...op.set(hi)],
    );
    const total: Code = sum
      ? [...op.get(lo), ...op.get(hi), ...op.f64x2Add, ...op.set(hi), ...op.get(hi), ...op.f64x2ExtractLane(0), ...op.get(hi), ...op.f64x2ExtractLane(1), ...op.f64Add, ...op.f32DemoteF64]
      : [...op.f32Const(NaN), ...[0, 1, 2, 3].flatMap((q) => [...op.get(lo), ...op.f32x4ExtractLane(q), ...(q ? op.f32Max : [])]), ...op.get(hi), ...op.v128AnyTrue, ...op.select];
    body = [...x.pre, ...forRange(g, op.get(0), op.get(1), 1, ...x.outer, ...init, ...forRange(r, op.i32(0), op.i32(k.rsize), 4 * copies, ...x.inner, ...fold), ...merge, ...outAt, ...total, ...op.f32Store())];
  } else {
    // 4·copies outputs per step, each folding its own lane
    const store: Code = acc.flatMap(([lo, hi], c) => [
      ...outAt,
      ...(sum
        ? [...op.get(lo), ...op.f32x4DemoteF64x2Zero, ...op.get(hi), ...op.f32x4DemoteF64x2Zero, ...op.shuffle32(0, 1, 4, 5)]
        : [...op.f32Const(NaN), ...op.f32x4Splat, ...op.get(lo), ...op.get(hi), ...op.v128Bitselect]),
      ...op.v128Store(16 * c),
    ]);
    body = [...x.pre, ...forRange(g, op.get(0), op.get(1), 4 * copies, ...x.outer, ...init, ...forRange(r, op.i32(0), op.i32(k.rsize), 1, ...x.inner, ...fold), ...store)];
  }
  return { params: new Array<number>(3 + k.inputs.length).fill(I32), locals: L.types, body };
}

/** Kernels of at least this many elements (size·rsize for reductions) run on the SIMD path (below, the copies cost more than they save). */
export const minWasmMapSize = 2048;

/**
 * An element of a kernel counts as this many multiply-adds when deciding whether to split it across
 * threads (gemm-threads.ts splits from 2²¹): from 2¹⁸ elements, 1 MB a float32 operand, where one
 * thread takes ~0.1 ms or more and a worker's wake-up 0.05–0.2 ms.
 */
const splitCostPerElement = 8;
/** Outputs per work unit of a split map kernel (a multiple of 16, the widest lane step). */
const unitOutputs = 16384;

// function units(job, u0, u1, tid): runs outputs [u0·unit, min(u1·unit, n)) of the call whose words at
// `job` are [n, unit, out, in0, …] (by calling the kernel, function 0), as gemm_run runs work units
function unitsFunc(inputs: number): Func {
  const [job, u0, u1] = [0, 1, 2];
  const word = (i: number): Code => [...op.get(job), ...op.i32Load(4 * i)];
  const end: Code = [...op.get(u1), ...word(1), ...op.mul];
  const body: Code = [
    ...op.get(u0), ...word(1), ...op.mul,
    ...end, ...word(0), ...end, ...word(0), ...op.ltS, ...op.select,
    ...word(2), ...Array.from({ length: inputs }, (_, i) => word(3 + i)).flat(),
    ...op.call(0),
  ];
  return { name: "units", params: [I32, I32, I32, I32], locals: [], body };
}

/** The kernel's function body; the node that stopped it; or null when its sizes do not suit the lanes. */
function kernelBody(k: Kernel): Body | Unvectorised | null {
  if (k.kind === "map") return k.size % 4 === 0 ? mapBody(k) : null;
  const byRows = k.rsize % 4 === 0 ? reduceBody(k, "RIDX") : null;
  if (byRows && "body" in byRows) return byRows;
  return k.size % 4 === 0 ? reduceBody(k, "GIDX") : byRows;
}

/**
 * Compiles a float32 map or reduce kernel to a WebAssembly SIMD function on the kernels' memory;
 * returns a runner `(out, ...inputs)`, or null when the kernel has something the SIMD path does not
 * support or fewer than `minSize` elements (size·rsize for a reduction). A call whose operands do
 * not fit in the kernels' memory runs the kernel's JS version (fast-math) instead.
 */
export function compileMapKernelWasm(k: Kernel, w: Instance, minSize = minWasmMapSize): ((out: DataArray, ...inputs: DataArray[]) => void) | null {
  if (k.dtype !== "float32" || k.inputs.some((d) => d !== "float32")) return null;
  // an op without a SIMD form is counted at any size (kernel-stats.ts)
  recordExamined();
  const missing = unvectorisedOp(k.expr);
  if (missing) return recordFallback("op", missing, k), null;
  if (k.size * (k.kind === "reduce" ? k.rsize : 1) < minSize) return null;
  const f = kernelBody(k);
  if (f && "stoppedAt" in f) recordFallback("index", f.stoppedAt, k);
  if (!f || "stoppedAt" in f) return null;
  let fn: (...a: number[]) => void, kernel: { module: object; run: UnitsFn };
  try {
    const { module, exports } = instantiateOnKernelMemory(w, moduleBytes([{ name: "map", ...f }, unitsFunc(k.inputs.length)], w.shared, maxSharedPages));
    fn = exports.map as (...a: number[]) => void;
    kernel = { module, run: exports.units as UnitsFn };
  } catch {
    return null; // e.g. a browser that refuses synchronous compilation on its main thread: the JS kernel runs
  }
  recordWasmKernel();
  // large kernels are split into units of outputs (a reduction's: about unitOutputs of its summands)
  const elements = k.size * (k.kind === "reduce" ? k.rsize : 1), work = elements * splitCostPerElement;
  const unit = k.kind === "reduce" ? Math.max(16, Math.ceil(unitOutputs / k.rsize / 16) * 16) : unitOutputs;
  const units = 3 + k.inputs.length <= jobWords ? Math.ceil(k.size / unit) : 1;
  const align = (x: number): number => Math.ceil(x / 64) * 64;
  let js: ((out: unknown, ...inputs: unknown[]) => void) | undefined;
  return (out, ...inputs) => {
    // operands in the heap (wasm-heap.ts) are used where they are, others copied in from DATA on; the
    // output is written in place when it is in the heap, whole vectors (no write past its end) and
    // apart from every input in the heap (a broadcast input must not see outputs already written)
    if (units > 1) announceUnits(w, units, work, kernel); // the workers wake while operands are copied in
    const hx = inputs.map((x) => heapAddress(w, x));
    const o0 = heapAddress(w, out), o1 = o0 + out.length * 4;
    const apart = hx.every((h, i) => h < 0 || h >= o1 || h + inputs[i]!.length * 4 <= o0);
    const ho = k.size % 4 === 0 && apart ? o0 : -1;
    let end = DATA;
    const outAt = ho >= 0 ? ho : end;
    if (ho < 0) end = align(end + Math.ceil(k.size / 4) * 16);
    const at = hx.map((h, i) => {
      if (h >= 0) return h;
      const here = end;
      end = align(end + inputs[i]!.length * 4);
      return here;
    });
    if (!callFits(end)) return (js ??= compileKernel(k, true))(out, ...inputs);
    const mem = ensure(w, end);
    inputs.forEach((x, i) => hx[i]! < 0 && mem.set(x as Float32Array, at[i]! / 4));
    if (units > 1) {
      setJobWords(w, [k.size, unit, outAt, ...at]);
      runUnits(w, JOB, units, work, kernel);
    } else fn(0, k.size, outAt, ...at);
    if (ho < 0) out.set(ensure(w, 0).subarray(outAt / 4, outAt / 4 + k.size));
  };
}
