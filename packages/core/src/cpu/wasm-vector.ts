// The kernel IR's float32 expressions as WebAssembly SIMD code over four lanes, for the elementwise
// and reduction kernels (wasm-map.ts). The lanes run along one index — GIDX (four consecutive output
// elements) or RIDX (four consecutive reduced values of one output element) — whose step value is a
// multiple of 4. Each node's code is its row's SIMD form in the op table (op-table.ts, which also
// states the lane patterns of index arithmetic); a node without one makes the expression
// unsupported, and the kernel then runs as JavaScript. Nodes are placed at the loop level they
// depend on: before all loops, per output step (GIDX), or per reduced step (RIDX), so invariants
// are computed once.
import { toposort, type Expr } from "../ir/expr.js";
import { cpuOps, type IndexKind, type WasmNode } from "./op-table.js";
import { I32, Locals, op, V128, type Code } from "./wasm-asm.js";
import type { Splat } from "./wasm-math.js";

/** Which index the four lanes run along. */
export type Lanes = "GIDX" | "RIDX";

/** The node at which vectorising stopped: the first with no SIMD form for its dtypes (or pattern). */
export interface Unvectorised {
  /** That node. */
  readonly stoppedAt: Expr;
}

/** An expression's code by loop level, and the local holding its value. */
export interface VectorExpr {
  /** Before every loop: constants and nodes that depend on neither index. */
  readonly pre: Code;
  /** Once per GIDX step: nodes that depend on GIDX but not RIDX. */
  readonly outer: Code;
  /** Once per RIDX step: nodes that depend on RIDX. */
  readonly inner: Code;
  /** The f32x4 local holding the root's value after `inner` (of copy k: `values[k]`). */
  readonly value: number;
  /** Per copy (see `vectorizeExpr`), the f32x4 local holding the root's value. */
  readonly values: readonly number[];
}

/**
 * Vectorises `root` along `lanes`; `gidx` and `ridx` are i32 locals holding the current indices (the
 * lane index at lane 0), input slot s is read from the address in local `inputBase + s`. With
 * `copies` > 1 the code computes that many 4-lane groups per step (copy k at lane index + 4k), each
 * node's code for all copies in a row: the copies' independent dependency chains then overlap in
 * the CPU's out-of-order window (a long chain of one group alone is bound by its latency). Returns
 * the node that has no SIMD form when there is one.
 */
export function vectorizeExpr(root: Expr, L: Locals, lanes: Lanes, gidx: number, ridx: number, inputBase: number, copies = 1): VectorExpr | Unvectorised {
  const kinds = new Map<number, IndexKind>();
  const locals = Array.from({ length: copies }, () => new Map<number, number>());
  const level = new Map<number, number>();
  const code: [Code, Code, Code] = [[], [], []];
  // float constants are splatted once, before the loops, into locals (V8 does not hoist the splats)
  const constants = new Map<string, number>(); // by kind and value
  const splat: Splat = (x, kind = "f32") => {
    const key = `${kind} ${Object.is(x, -0) ? "-0" : String(x)}`;
    let l = constants.get(key);
    if (l === undefined) {
      l = L.add(V128);
      constants.set(key, l);
      const c = kind === "f32" ? [...op.f32Const(x), ...op.f32x4Splat] : kind === "f64" ? [...op.f64Const(x), ...op.f64x2Splat] : [...op.i32(x), ...op.i32x4Splat];
      code[0].push(...c, ...op.set(l));
    }
    return op.get(l);
  };
  // lanes a select discards may load from any index once indices are compared: loads then clamp
  // their addresses below the memory's end (memory.size·64 KiB − 16), computed once before the loops
  const order = toposort([root]);
  let guard: Code | null = null;
  if (order.some((e) => e.op.startsWith("CMP") && e.src[0]!.dtype === "int32")) {
    const limit = L.add(V128);
    code[0].push(...op.memorySize, ...op.i32(16), ...op.shl, ...op.i32(16), ...op.sub, ...op.i32x4Splat, ...op.set(limit));
    guard = op.get(limit);
  }
  for (const e of order) {
    const lv = e.op === "RIDX" || e.usesRidx ? 2 : e.op === "GIDX" ? 1 : Math.max(0, ...e.src.map((s) => level.get(s.id)!));
    level.set(e.id, lv);
    const form = cpuOps[e.op].wasm;
    const index = e.dtype === "int32";
    if (!form || (!index && e.dtype !== "float32" && e.dtype !== "bool")) return { stoppedAt: e };
    // nodes before the loops are computed once, shared by the copies
    for (let copy = 0; copy < (lv === 0 ? 1 : copies); copy++) {
      const local = locals[copy]!;
      // an index node's local is an i32, or a v128 when its form holds it per lane (known after the form)
      const self = index ? -1 : L.add(V128);
      const node: WasmNode = {
        e,
        arg: (i) => op.get(local.get(e.src[i]!.id)!),
        kind: (i) => kinds.get(e.src[i]!.id),
        self,
        tmp: () => L.add(V128),
        splat,
        lanes,
        // the lane index of copy k starts 4k further on
        index: (which) => (which === lanes && copy ? [...op.get(which === "GIDX" ? gidx : ridx), ...op.i32(4 * copy), ...op.add] : op.get(which === "GIDX" ? gidx : ridx)),
        input: (slot) => op.get(inputBase + slot),
        guard,
      };
      const c = form(node);
      if (!c || (index && !c.kind)) return { stoppedAt: e };
      if (c.kind) kinds.set(e.id, c.kind);
      const into = index ? L.add(c.kind!.perLane ? V128 : I32) : self;
      local.set(e.id, into);
      code[lv]!.push(...c.code, ...op.set(into));
    }
    if (lv === 0) for (const l of locals.slice(1)) l.set(e.id, locals[0]!.get(e.id)!);
  }
  if (root.dtype !== "float32") return { stoppedAt: root };
  const values = locals.map((l) => l.get(root.id)!);
  return { pre: code[0], outer: code[1], inner: code[2], value: values[0]!, values };
}

// a node computing with integers: index arithmetic, its comparisons, uint32 hashing (LOAD only reads by an index)
const isInt = (e: Expr): boolean => e.dtype === "int32" || e.dtype === "uint32";
const integer = (e: Expr): boolean => isInt(e) || (e.op !== "LOAD" && e.src.some(isInt));

/**
 * The first value node of `root` (float32 or bool, not computing with integers) whose op has no
 * SIMD form for its dtypes, or null: whether the kernel's ops can run on the SIMD path at all,
 * whatever its size and index patterns (each form is asked with placeholder operands).
 */
export function unvectorisedOp(root: Expr): Expr | null {
  const placeholder = { contiguous: true, aligned: true };
  for (const e of toposort([root])) {
    if (integer(e)) continue;
    const form = cpuOps[e.op].wasm;
    const none = (): Code => [];
    const node: WasmNode = { e, arg: none, kind: () => placeholder, self: 0, tmp: () => 0, splat: none, lanes: "GIDX", index: none, input: none, guard: null };
    if (!form || (e.dtype !== "float32" && e.dtype !== "bool") || !form(node)) return e;
  }
  return null;
}
