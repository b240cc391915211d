// Kernel IR → JavaScript source for the CPU backend, each node rendered by its row of the op table
// (op-table.ts: the reference semantics of every IR op, and the fast path's faster renderings where
// a row has them). Each node becomes one `const` (CSE through hash-consing); nodes that do not
// depend on RIDX are hoisted out of the reduction loop. Values are JS doubles; a store rounds to
// the output dtype (so fused float32 chains round once, at the end).
import type { DType } from "../dtype.js";
import { toposort, type Expr } from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { tanh32 } from "./fast-math.js";
import { cpuOps } from "./op-table.js";

function emit(nodes: readonly Expr[], names: Map<number, string>, lines: string[], indent: string, fast: boolean): void {
  for (const e of nodes) {
    if (names.has(e.id)) continue;
    const args = e.src.map((s) => names.get(s.id)!);
    const row = cpuOps[e.op];
    const code = (fast && row.fastJs?.(args, e)) || row.js(args, e);
    if (e.op === "CONST" || e.op === "GIDX" || e.op === "RIDX") {
      names.set(e.id, code);
      continue;
    }
    const name = `v${e.id}`;
    lines.push(`${indent}const ${name} = ${code};`);
    names.set(e.id, name);
  }
}

const storeOf = (dtype: DType, v: string): string => (dtype === "bool" ? `(${v} ? 1 : 0)` : v);

/**
 * JavaScript source of a kernel: a function `(out, in0, in1, …) => void`. With `fast`, nodes take
 * their row's fast rendering where it has one (float32 tanh calls `tanh32`, which the caller binds,
 * instead of Math.tanh).
 */
export function kernelSource(k: Kernel, fast = false): string {
  const params = ["out", ...k.inputs.map((_, i) => `in${i}`)].join(", ");
  const lines: string[] = [`"use strict";`, `return function kernel(${params}) {`];
  const names = new Map<number, string>();
  const order = toposort([k.expr]);
  if (k.kind === "map") {
    lines.push(`  for (let gidx = 0; gidx < ${k.size}; gidx++) {`);
    emit(order, names, lines, "    ", fast);
    lines.push(`    out[gidx] = ${storeOf(k.dtype, names.get(k.expr.id)!)};`, "  }");
  } else {
    lines.push(`  for (let gidx = 0; gidx < ${k.size}; gidx++) {`);
    emit(order.filter((e) => !e.usesRidx), names, lines, "    ", fast);
    lines.push(`    let acc = ${k.op === "sum" ? "0" : "-Infinity"};`, `    for (let ridx = 0; ridx < ${k.rsize}; ridx++) {`);
    emit(order.filter((e) => e.usesRidx), names, lines, "      ", fast);
    const v = names.get(k.expr.id)!;
    // max propagates NaN like JAX (Math.max does).
    lines.push(k.op === "sum" ? `      acc += ${v};` : `      acc = Math.max(acc, ${v});`, "    }");
    lines.push(`    out[gidx] = ${storeOf(k.dtype, "acc")};`, "  }");
  }
  lines.push("};");
  return lines.join("\n");
}

/** Compiles a kernel to a JS function (`fast`: float32 tanh to float32 accuracy instead of Math.tanh). */
export function compileKernel(k: Kernel, fast = false): (out: unknown, ...inputs: unknown[]) => void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function("tanh32", kernelSource(k, fast))(tanh32) as (out: unknown, ...inputs: unknown[]) => void;
}
