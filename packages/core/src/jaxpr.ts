// The traced program (JAX's jaxpr): typed variables, equations applying primitives, constants and
// literals. Built by the jit trace and by partial evaluation, evaluated by `evalJaxpr` (which
// re-binds every equation, so any transform can interpret it), pretty-printed like make_jaxpr.
import type { OpDef } from "./primitive.js";
import { fmtAval, type ShapedArray } from "./shape.js";
import { adoptInto, scopeDepth, type Tensor } from "./tensor.js";

let varCounter = 0;

/** A typed variable of a jaxpr. */
export class Var {
  readonly id = varCounter++;
  constructor(readonly aval: ShapedArray) {}
}

/** A scalar constant written inline. */
export class Literal {
  constructor(
    readonly value: number,
    readonly aval: ShapedArray,
  ) {}
}

/** An equation operand. */
export type Atom = Var | Literal;

/** One equation: outputs = op(inputs; params). */
export interface Eqn {
  readonly op: OpDef;
  readonly inputs: readonly Atom[];
  readonly params: unknown;
  readonly outputs: readonly Var[];
}

/** A program over variables; `constvars` are bound to `consts` in a ClosedJaxpr. */
export interface Jaxpr {
  /** Variables standing for captured tensors; a ClosedJaxpr binds them, in order, to its `consts`. */
  readonly constvars: readonly Var[];
  /** The inputs: the flattened tensor leaves of the traced function's arguments, in order. */
  readonly invars: readonly Var[];
  /** The equations in evaluation order; each reads only inputs, constants, literals and earlier outputs. */
  readonly eqns: readonly Eqn[];
  /** The results, the flattened leaves of the traced function's output (a literal where an output is a known scalar). */
  readonly outvars: readonly Atom[];
}

/** A jaxpr with its constants, printable. */
export class ClosedJaxpr {
  constructor(
    /** The program. */
    readonly jaxpr: Jaxpr,
    /** The values of `jaxpr.constvars`, one per constvar, in order. */
    readonly consts: readonly Tensor[],
  ) {}
  /** The jaxpr as text, as `makeJaxpr(f)(…).toString()` prints it. */
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
}

/** Records equations as they are traced; shared by the jit trace and partial evaluation. */
export class JaxprBuilder {
  readonly eqns: Eqn[] = [];
  readonly invars: Var[] = [];
  private readonly constMap = new Map<Tensor, Var>();
  /** Scope depth at creation: captured constants must outlive deeper tidy scopes. */
  private readonly depth = scopeDepth();

  /** A new input variable. */
  addInvar(aval: ShapedArray): Var {
    const v = new Var(aval);
    this.invars.push(v);
    return v;
  }
  /** The atom standing for a known value: a literal for JS scalars, else a constvar. */
  addConst(t: Tensor): Atom {
    const sv = (t as { scalarValue?: number }).scalarValue;
    if (sv !== undefined) return new Literal(sv, t.aval);
    let v = this.constMap.get(t);
    if (!v) {
      adoptInto(t, this.depth);
      v = new Var(t.aval);
      this.constMap.set(t, v);
    }
    return v;
  }
  /** Appends an equation and returns its output variables. */
  addEqn(op: OpDef, inputs: readonly Atom[], params: unknown, outAvals: readonly ShapedArray[]): Var[] {
    const outputs = outAvals.map((a) => new Var(a));
    this.eqns.push({ op, inputs, params, outputs });
    return outputs;
  }
  /** The closed jaxpr computing `outs`, with dead equations and unused constants removed. */
  build(outs: readonly Atom[], invars: readonly Var[] = this.invars): ClosedJaxpr {
    const live = new Set<Var>(outs.filter((o): o is Var => o instanceof Var));
    const eqns: Eqn[] = [];
    for (let i = this.eqns.length - 1; i >= 0; i--) {
      const e = this.eqns[i]!;
      if (!e.outputs.some((o) => live.has(o))) continue;
      eqns.push(e);
      for (const a of e.inputs) if (a instanceof Var) live.add(a);
    }
    eqns.reverse();
    const consts: Tensor[] = [];
    const constvars: Var[] = [];
    for (const [t, v] of this.constMap) {
      if (live.has(v)) {
        consts.push(t);
        constvars.push(v);
      }
    }
    return new ClosedJaxpr({ constvars, invars, eqns, outvars: outs }, consts);
  }
}

/** Evaluates a jaxpr by binding each equation (so it runs under whatever transforms are active). */
export function evalJaxpr(jaxpr: Jaxpr, consts: readonly Tensor[], args: readonly Tensor[], scalar: (lit: Literal) => Tensor, bindFn: (op: OpDef, args: readonly Tensor[], params: unknown) => Tensor[]): Tensor[] {
  const env = new Map<Var, Tensor>();
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]!));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: Atom): Tensor => (a instanceof Literal ? scalar(a) : env.get(a)!);
  for (const e of jaxpr.eqns) {
    const outs = bindFn(e.op, e.inputs.map(read), e.params);
    e.outputs.forEach((v, i) => env.set(v, outs[i]!));
  }
  return jaxpr.outvars.map(read);
}

/** The jaxpr a call-like equation (lowering kind "inline") stands for: its op's choice, else `params.jaxpr`. */
export function callJaxpr(op: OpDef, params: unknown, avalsIn: readonly ShapedArray[]): ClosedJaxpr {
  const low = op.lower;
  if (low.kind === "inline" && low.jaxpr) return low.jaxpr(params, avalsIn);
  return (params as { jaxpr: ClosedJaxpr }).jaxpr;
}

function paramString(params: unknown): string {
  if (params === null || typeof params !== "object") return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof ClosedJaxpr || typeof v === "function" || (v && typeof v === "object" && "eqns" in v)) continue;
    parts.push(`${k}=${JSON.stringify(v)}`);
  }
  return parts.length ? `[${parts.join(" ")}]` : "";
}

/** Pretty-prints a jaxpr in make_jaxpr's style. */
export function printJaxpr(j: Jaxpr, indent = ""): string {
  const names = new Map<Var, string>();
  const name = (a: Atom): string => {
    if (a instanceof Literal) return String(a.value);
    let n = names.get(a);
    if (!n) {
      const i = names.size;
      n = i < 26 ? String.fromCharCode(97 + i) : `v${i}`;
      names.set(a, n);
    }
    return n;
  };
  const decl = (v: Var): string => `${name(v)}:${fmtAval(v.aval)}`;
  const lines = [`${indent}{ lambda ${j.constvars.map(decl).join(" ")} ; ${j.invars.map(decl).join(" ")}. let`];
  for (const e of j.eqns) {
    const sub = (e.params as { jaxpr?: ClosedJaxpr })?.jaxpr;
    lines.push(`${indent}    ${e.outputs.map(decl).join(" ")} = ${e.op.name}${paramString(e.params)} ${e.inputs.map(name).join(" ")}`);
    if (sub instanceof ClosedJaxpr) lines.push(printJaxpr(sub.jaxpr, indent + "      "));
  }
  lines.push(`${indent}  in ( ${j.outvars.map(name).join(" ")} ) }`);
  return lines.join("\n");
}
