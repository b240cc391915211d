// Map and reduce kernels → WGSL. Each IR node becomes one `let` (the IR is hash-consed, so shared
// subexpressions are emitted once); constants are inlined as literals except where all operands of
// a node are constants, which are bound to `let`s first so WGSL never constant-folds them (a
// constant overflow, NaN or Inf is a shader-creation error). A map kernel runs one invocation per
// element over a 1-D workgroup laid out on a 2-D grid. A reduction either loops over RIDX in one
// invocation per output (many outputs) or splits RIDX over a workgroup and combines the partial
// results in workgroup memory (few outputs, long reductions). Nodes that do not depend on RIDX are
// hoisted out of the loop. A kernel with more inputs than the adapter binds reads them all from one
// packed u32 buffer whose header holds each input's word offset (see ShaderSpec.packedInputs).
import type { Kernel } from "@scm-ts/core";
import { ir, programKey } from "@scm-ts/core";
import { directLoader, wgslOps, type InputLoader } from "./ops.js";
import { literal, storageType, toStorage, valueType } from "./quirks.js";
import { bindingsOf, floorPow2, grid, needsPacking, WgslBuilder, type Binding, type DeviceLimits, type ShaderSpec } from "./shader.js";

type Expr = ir.Expr;

/** Emits `let`s for the nodes not yet named, in order. */
function emitNodes(b: WgslBuilder, nodes: readonly Expr[], names: Map<number, string>, load: InputLoader): void {
  const constNames = new Map<number, string>();
  const runtimeConst = (c: Expr): string => {
    let n = constNames.get(c.id);
    if (!n) {
      n = `c${c.id}`;
      b.line(`let ${n}: ${valueType(c.dtype)} = ${literal(c.arg, c.dtype, b.use)};`);
      constNames.set(c.id, n);
    }
    return n;
  };
  for (const e of nodes) {
    if (names.has(e.id)) continue;
    const allConst = e.src.length > 0 && e.src.every((s) => s.op === "CONST");
    const args = e.src.map((s) => (allConst ? runtimeConst(s) : names.get(s.id) ?? literal(s.arg, s.dtype, b.use)));
    const code = wgslOps[e.op](args, e, b.use, load);
    if (e.op === "CONST" || e.op === "GIDX" || e.op === "RIDX") {
      names.set(e.id, code);
      continue;
    }
    const name = `v${e.id}`;
    b.line(`let ${name}: ${valueType(e.dtype)} = ${code};`);
    names.set(e.id, name);
  }
}

/** Invocations per workgroup for 1-D kernels: 256 where the adapter allows it. */
export function linearWorkgroup(limits: DeviceLimits, preferred = 256): number {
  return floorPow2(Math.min(preferred, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
}

/** How a reduction is laid out. */
export type ReduceStrategy = "loop" | "workgroup";

/** Few outputs and long reductions share a workgroup per output; otherwise one invocation each. */
export function reduceStrategy(size: number, rsize: number): ReduceStrategy {
  return rsize >= 128 && size < 8192 ? "workgroup" : "loop";
}

const WID = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** Reads input words from the packed buffer: `packed[offset_j + index]`, reinterpreted as the dtype. */
const packedLoader: InputLoader = (input, dtype, index) => {
  const word = `packed[packedAt${input} + u32(${index})]`;
  switch (dtype) {
    case "float32":
      return `bitcast<f32>(${word})`;
    case "int32":
      return `bitcast<i32>(${word})`;
    case "bool":
      return `(${word} != 0u)`;
    default:
      return word;
  }
};

/** The kernel's bindings and input loader: one binding per input, or all inputs packed into one. */
function layout(k: Kernel, limits: DeviceLimits): { bindings: Binding[]; builder: WgslBuilder; load: InputLoader; packed: boolean } {
  if (!needsPacking(k.inputs.length, limits)) {
    const bindings = bindingsOf(k.inputs, k.dtype);
    return { bindings, builder: new WgslBuilder(bindings), load: directLoader, packed: false };
  }
  const bindings: Binding[] = [{ name: "packed", dtype: "uint32", access: "read" }, { name: "out", dtype: k.dtype, access: "read_write" }];
  const builder = new WgslBuilder(bindings);
  k.inputs.forEach((_, j) => builder.line(`let packedAt${j} = packed[${j}];`));
  return { bindings, builder, load: packedLoader, packed: true };
}

function mapShader(k: Extract<Kernel, { kind: "map" }>, limits: DeviceLimits): ShaderSpec {
  const wg = linearWorkgroup(limits);
  const dispatch = grid(Math.ceil(k.size / wg), limits);
  const { bindings, builder: b, load, packed } = layout(k, limits);
  b.line(`let gidx = i32((wid.y * ${dispatch[0]}u + wid.x) * ${wg}u + lid);`);
  b.line(`if (gidx >= ${k.size}i) { return; }`);
  const names = new Map<number, string>();
  emitNodes(b, ir.toposort([k.expr]), names, load);
  b.line(`out[gidx] = ${toStorage(k.dtype, names.get(k.expr.id)!)};`);
  const workgroupSize = [wg, 1, 1] as const;
  const cacheKey = `${programKey(k)}|wg${wg}x${dispatch[0]}${packed ? "|packed" : ""}`;
  return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey, ...(packed ? { packedInputs: k.inputs.length } : {}) };
}

/** The accumulator's type, start value and combine step (bools accumulate as u32, as the CPU adds 0/1). */
function accumulator(k: Extract<Kernel, { kind: "reduce" }>, b: WgslBuilder) {
  const accType = k.dtype === "bool" ? "u32" : valueType(k.dtype);
  const accDtype = k.dtype === "bool" ? "uint32" : k.dtype;
  const init = k.op === "sum" ? literal(0, accDtype, b.use) : literal(accDtype === "float32" ? -Infinity : accDtype === "int32" ? -2147483648 : 0, accDtype, b.use);
  const asAcc = (v: string): string => (k.dtype === "bool" ? `u32(${v})` : v);
  const combine = (acc: string, v: string): string => {
    if (k.op === "sum") return `${acc} + ${v}`;
    if (accDtype === "float32") return b.use("max_f32"), `max_f32(${acc}, ${v})`;
    return `max(${acc}, ${v})`;
  };
  const store = (acc: string): string => (k.dtype === "bool" ? `select(0u, 1u, ${acc} != 0u)` : acc);
  return { accType, init, asAcc, combine, store };
}

function reduceShader(k: Extract<Kernel, { kind: "reduce" }>, limits: DeviceLimits): ShaderSpec {
  const strategy = reduceStrategy(k.size, k.rsize);
  const { bindings, builder: b, load, packed } = layout(k, limits);
  const extra = packed ? { packedInputs: k.inputs.length } : {};
  const acc = accumulator(k, b);
  const order = ir.toposort([k.expr]);
  const names = new Map<number, string>();
  const hoisted = order.filter((e) => !e.usesRidx);
  const inner = order.filter((e) => e.usesRidx);
  if (strategy === "loop") {
    const wg = linearWorkgroup(limits, 64);
    const dispatch = grid(Math.ceil(k.size / wg), limits);
    b.line(`let gidx = i32((wid.y * ${dispatch[0]}u + wid.x) * ${wg}u + lid);`);
    b.line(`if (gidx >= ${k.size}i) { return; }`);
    emitNodes(b, hoisted, names, load);
    b.line(`var acc: ${acc.accType} = ${acc.init};`);
    b.block(`for (var ridx: i32 = 0i; ridx < ${k.rsize}i; ridx++)`, () => {
      emitNodes(b, inner, names, load);
      b.line(`acc = ${acc.combine("acc", acc.asAcc(names.get(k.expr.id)!))};`);
    });
    b.line(`out[gidx] = ${acc.store("acc")};`);
    const workgroupSize = [wg, 1, 1] as const;
    return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey: `${programKey(k)}|loop${wg}x${dispatch[0]}${packed ? "|packed" : ""}`, ...extra };
  }
  // One workgroup per output: invocation `lid` folds ridx = lid, lid + wg, …; then a tree in shared memory.
  const wg = Math.min(linearWorkgroup(limits), floorPow2(Math.max(32, limits.maxComputeWorkgroupStorageSize / 4)));
  const dispatch = grid(k.size, limits);
  b.decl(`var<workgroup> partial: array<${acc.accType}, ${wg}>;`);
  b.line(`let gidx = i32(wid.y * ${dispatch[0]}u + wid.x);`);
  emitNodes(b, hoisted, names, load);
  b.line(`var acc: ${acc.accType} = ${acc.init};`);
  b.block(`for (var ridx: i32 = i32(lid); ridx < ${k.rsize}i; ridx += ${wg}i)`, () => {
    emitNodes(b, inner, names, load);
    b.line(`acc = ${acc.combine("acc", acc.asAcc(names.get(k.expr.id)!))};`);
  });
  b.line("partial[lid] = acc;");
  b.line("workgroupBarrier();");
  b.block(`for (var s: u32 = ${wg / 2}u; s > 0u; s = s >> 1u)`, () => {
    b.block("if (lid < s)", () => b.line(`partial[lid] = ${acc.combine("partial[lid]", "partial[lid + s]")};`));
    b.line("workgroupBarrier();");
  });
  b.block(`if (lid == 0u && gidx < ${k.size}i)`, () => b.line(`out[gidx] = ${acc.store("partial[0]")};`));
  const workgroupSize = [wg, 1, 1] as const;
  return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey: `${programKey(k)}|wg${wg}x${dispatch[0]}${packed ? "|packed" : ""}`, ...extra };
}

/** WGSL of a map or reduce kernel. */
export function kernelShader(k: Kernel, limits: DeviceLimits): ShaderSpec {
  for (const d of [k.dtype, ...k.inputs]) storageType(d);
  return k.kind === "map" ? mapShader(k, limits) : reduceShader(k, limits);
}
