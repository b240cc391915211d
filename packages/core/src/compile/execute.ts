// Runs a plan on a backend: compiles its programs once per backend, then for each call allocates
// intermediates from a per-call free list (a buffer whose last reader has run is reused by a later
// step of the same dtype and size), dispatches every step in order, and wraps the outputs as
// tensors. Outputs that are arguments or constants share their buffers instead of copying.
import type { Backend, BufferHandle, Executable } from "../backend.js";
import { printExpr } from "../ir/expr.js";
import { fmtAval, sizeOf } from "../shape.js";
import { ConcreteArray, SharedBuffer } from "../tensor.js";
import type { Plan } from "./lower.js";

interface Prepared {
  readonly backend: Backend;
  readonly exes: Executable[];
  /** For each step, the intermediate slots whose last reader it is. */
  readonly frees: number[][];
}

const prepared = new WeakMap<Plan, Prepared>();

function prepare(plan: Plan, backend: Backend): Prepared {
  let p = prepared.get(plan);
  if (p && p.backend === backend) return p;
  const fixed = plan.nArgs + plan.consts.length;
  const last = new Map<number, number>();
  plan.steps.forEach((s, i) => s.inputs.forEach((slot) => last.set(slot, i)));
  const outs = new Set(plan.outputs);
  const frees: number[][] = plan.steps.map(() => []);
  for (const [slot, i] of last) if (slot >= fixed && !outs.has(slot)) frees[i]!.push(slot);
  // An intermediate nobody reads (cannot happen after DCE, but be safe) is freed after its step.
  plan.steps.forEach((s, i) => {
    if (!last.has(s.output) && !outs.has(s.output)) frees[i]!.push(s.output);
  });
  p = { backend, exes: plan.steps.map((s) => backend.prepare(s.program)), frees };
  prepared.set(plan, p);
  return p;
}

/** Executes a plan on concrete arguments. */
export function runPlan(plan: Plan, backend: Backend, args: readonly ConcreteArray[]): ConcreteArray[] {
  const { exes, frees } = prepare(plan, backend);
  const bufs: (BufferHandle | undefined)[] = new Array(plan.slots.length);
  const shared: (SharedBuffer | undefined)[] = new Array(plan.slots.length);
  args.forEach((a, i) => {
    if (a.buffer.backend !== backend) throw new Error(`a tensor ${fmtAval(a.aval)} lives on the ${a.buffer.backend.name} backend but the active backend is ${backend.name}`);
    bufs[i] = a.handle();
    shared[i] = a.buffer;
  });
  plan.consts.forEach((c, i) => {
    const cc = c as ConcreteArray;
    bufs[plan.nArgs + i] = cc.handle();
    shared[plan.nArgs + i] = cc.buffer;
  });
  const pool = new Map<string, BufferHandle[]>();
  const keyOf = (slot: number): string => `${plan.slots[slot]!.dtype}:${sizeOf(plan.slots[slot]!.shape)}`;
  plan.steps.forEach((s, i) => {
    const aval = plan.slots[s.output]!;
    const reuse = pool.get(keyOf(s.output))?.pop();
    const out = reuse ?? backend.alloc(aval.dtype, sizeOf(aval.shape));
    bufs[s.output] = out;
    backend.dispatch(exes[i]!, s.inputs.map((slot) => bufs[slot]!), out);
    for (const slot of frees[i]!) {
      const k = keyOf(slot);
      const list = pool.get(k) ?? [];
      list.push(bufs[slot]!);
      pool.set(k, list);
    }
  });
  for (const list of pool.values()) for (const b of list) backend.free(b);
  const made = new Map<number, SharedBuffer>();
  return plan.outputs.map((slot, i) => {
    const aval = plan.outAvals[i]!;
    let sb = shared[slot] ?? made.get(slot);
    if (sb) sb.refs++;
    else {
      sb = new SharedBuffer(backend, bufs[slot]!);
      made.set(slot, sb);
    }
    return new ConcreteArray(aval, sb);
  });
}

/** A readable listing of a plan's kernels (what `jit(f).lower(...)` prints). */
export function printPlan(plan: Plan): string {
  const name = (slot: number): string => (slot < plan.nArgs ? `arg${slot}` : slot < plan.nArgs + plan.consts.length ? `const${slot - plan.nArgs}` : `t${slot}`);
  const lines = [`plan: ${plan.steps.length} kernel(s), ${plan.nArgs} argument(s), ${plan.consts.length} constant(s)`];
  plan.steps.forEach((s, i) => {
    const p = s.program;
    const ins = s.inputs.map(name).join(", ");
    const out = `${name(s.output)}:${fmtAval(plan.slots[s.output]!)}`;
    if (p.kind === "routine") lines.push(`  k${i}: ${out} = ${p.spec.name}(${ins})`);
    else if (p.kind === "map") lines.push(`  k${i}: ${out} = map[${p.size}](${ins}) { ${printExpr(p.expr)} }`);
    else lines.push(`  k${i}: ${out} = reduce_${p.op}[${p.size}x${p.rsize}](${ins}) { ${printExpr(p.expr)} }`);
  });
  lines.push(`  outputs: ${plan.outputs.map(name).join(", ")}`);
  return lines.join("\n");
}
