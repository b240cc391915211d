// Kernel IR → JavaScript source for the CPU backend: the reference semantics of every IR op, in
// one exhaustive table. Each node becomes one `const` (CSE through hash-consing); nodes that do not
// depend on RIDX are hoisted out of the reduction loop. Values are JS doubles; a store rounds to
// the output dtype (so fused float32 chains round once, at the end).
import type { DType } from "../dtype.js";
import { toposort, type Expr, type IrOp } from "../ir/expr.js";
import type { Kernel } from "../ir/kernel.js";
import { tanh32 } from "./fast-math.js";

type Render = (a: readonly string[], e: Expr) => string;

const u32 = (s: string): string => `((${s}) >>> 0)`;
const intOp = (e: Expr, s: string): string => (e.dtype === "uint32" ? u32(s) : e.dtype === "int32" ? `((${s}) | 0)` : s);

function castTo(dtype: DType, from: DType, a: string): string {
  switch (dtype) {
    case "float32":
    case "float64":
      return from === "bool" ? `(${a} ? 1 : 0)` : a;
    case "int32":
      return from === "bool" ? `(${a} ? 1 : 0)` : `(${a} | 0)`;
    case "uint32":
      return from === "bool" ? `(${a} ? 1 : 0)` : `(${a} >>> 0)`;
    case "bool":
      return `(${a} ? 1 : 0)`;
  }
}

/** The JS rendering of each IR op. */
export const jsOps: Record<IrOp, Render> = {
  CONST: (_, e) => (Number.isNaN(e.arg) ? "NaN" : e.arg === Infinity ? "Infinity" : e.arg === -Infinity ? "-Infinity" : Object.is(e.arg, -0) ? "-0" : String(e.arg)),
  GIDX: () => "gidx",
  RIDX: () => "ridx",
  LOAD: ([i], e) => `in${e.arg}[${i}]`,
  NEG: ([a], e) => intOp(e, `-(${a})`),
  EXP: ([a]) => `Math.exp(${a})`,
  LOG: ([a]) => `Math.log(${a})`,
  SIN: ([a]) => `Math.sin(${a})`,
  COS: ([a]) => `Math.cos(${a})`,
  SQRT: ([a]) => `Math.sqrt(${a})`,
  TANH: ([a]) => `Math.tanh(${a})`,
  ATAN: ([a]) => `Math.atan(${a})`,
  NOT: ([a]) => `(${a} ? 0 : 1)`,
  CAST: ([a], e) => castTo(e.dtype, e.src[0]!.dtype, a!),
  ADD: ([a, b], e) => intOp(e, `${a} + ${b}`),
  SUB: ([a, b], e) => intOp(e, `${a} - ${b}`),
  MUL: ([a, b], e) => (e.dtype === "int32" ? `Math.imul(${a}, ${b})` : e.dtype === "uint32" ? u32(`Math.imul(${a}, ${b})`) : `${a} * ${b}`),
  DIV: ([a, b], e) => intOp(e, `${a} / ${b}`),
  IDIV: ([a, b], e) => intOp(e, `${a} / ${b}`),
  MOD: ([a, b], e) => intOp(e, `${a} % ${b}`),
  MAX: ([a, b]) => `Math.max(${a}, ${b})`,
  POW: ([a, b]) => `Math.pow(${a}, ${b})`,
  CMPLT: ([a, b]) => `(${a} < ${b} ? 1 : 0)`,
  CMPLE: ([a, b]) => `(${a} <= ${b} ? 1 : 0)`,
  CMPEQ: ([a, b]) => `(${a} === ${b} ? 1 : 0)`,
  CMPNE: ([a, b]) => `(${a} !== ${b} ? 1 : 0)`,
  AND: ([a, b], e) => (e.dtype === "bool" ? `(${a} && ${b} ? 1 : 0)` : intOp(e, `${a} & ${b}`)),
  OR: ([a, b], e) => (e.dtype === "bool" ? `(${a} || ${b} ? 1 : 0)` : intOp(e, `${a} | ${b}`)),
  XOR: ([a, b], e) => (e.dtype === "bool" ? `(${a} ? 1 : 0) ^ (${b} ? 1 : 0)` : intOp(e, `${a} ^ ${b}`)),
  SHL: ([a, b], e) => intOp(e, `${a} << ${b}`),
  SHR: ([a, b], e) => (e.dtype === "uint32" ? `(${a} >>> ${b})` : `(${a} >> ${b})`),
  WHERE: ([c, a, b]) => `(${c} ? ${a} : ${b})`,
};

function emit(nodes: readonly Expr[], names: Map<number, string>, lines: string[], indent: string, fast: boolean): void {
  for (const e of nodes) {
    if (names.has(e.id)) continue;
    const args = e.src.map((s) => names.get(s.id)!);
    // fast mode: float32 tanh by a float32-accurate rational approximation (fast-math.ts)
    const code = fast && e.op === "TANH" && e.dtype === "float32" ? `tanh32(${args[0]})` : jsOps[e.op](args, e);
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
 * JavaScript source of a kernel: a function `(out, in0, in1, …) => void`. With `fast`, float32 tanh
 * calls `tanh32` (which the caller binds) instead of Math.tanh.
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
