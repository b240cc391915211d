// Reverse mode, derived from forward mode (autodidax §5): vjp = linearize, then transpose the
// linear jaxpr. grad and valueAndGrad take argnums and an optional auxiliary output; every input
// to differentiate must be a float tensor, and the output a float scalar.
import { isFloat } from "../dtype.js";
import { treeDefString, treeFlatten, treeUnflatten, type TreeDef } from "../pytree.js";
import { Zero, type Tan } from "../primitive.js";
import { avalEqual, fmtAval } from "../shape.js";
import { RETAINS, Tensor, tidy } from "../tensor.js";
import { fullAval, instantiate } from "../ops/broadcast.js";
import { flattenFun, flattenTensors } from "./jaxpr-trace.js";
import { linearizeFlat } from "./linearize.js";
import { backwardPass } from "./transpose.js";

/**
 * Reverse-mode derivative: returns `[out, pullback]`, where `pullback(ct)` maps a cotangent with
 * the structure of `out` to cotangents of each primal (an array matching `primals`).
 */
export function vjp<A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (ct: R) => A] {
  const [leaves, def] = flattenTensors("vjp", primals);
  const { flat, outDef } = flattenFun("vjp", f, def);
  const [outs, lin] = linearizeFlat(flat, leaves);
  const od = outDef();
  const pullback = (ct: R): A => {
    const [cts, cdef] = treeFlatten<Tensor>(ct);
    if (treeDefString(cdef) !== treeDefString(od)) throw new Error(`vjp: cotangent has structure ${treeDefString(cdef)} but the output has ${treeDefString(od)}`);
    cts.forEach((c, i) => {
      if (!(c instanceof Tensor) || !avalEqual(c.aval, outs[i]!.aval)) {
        throw new Error(`vjp: cotangent ${i} is ${c instanceof Tensor ? fmtAval(c.aval) : String(c)}, the output is ${fmtAval(outs[i]!.aval)}`);
      }
    });
    return tidy(() => treeUnflatten<A>(def, backwardPass(lin.jaxpr, cts).map(instantiate)));
  };
  (pullback as unknown as Record<symbol, unknown>)[RETAINS] = lin.jaxpr.consts;
  return [treeUnflatten<R>(od, outs), pullback];
}

/** Options of grad and valueAndGrad. */
export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). A list returns a list of gradients. */
  readonly argnums?: number | readonly number[];
  /** f returns `[loss, aux]`; aux is passed through undifferentiated. */
  readonly hasAux?: boolean;
}

function checkDifferentiable(where: string, args: unknown[], argnums: readonly number[]): void {
  for (const k of argnums) {
    if (k < 0 || k >= args.length) throw new RangeError(`${where}: argnums ${k} is out of range for ${args.length} argument(s)`);
    treeFlatten<unknown>(args[k])[0].forEach((leaf, i) => {
      if (!(leaf instanceof Tensor)) throw new TypeError(`${where}: argument ${k} leaf ${i} is ${String(leaf)}; only tensors can be differentiated`);
      if (!isFloat(leaf.dtype)) throw new TypeError(`${where}: argument ${k} leaf ${i} is ${fmtAval(leaf.aval)}; only float inputs are differentiable`);
    });
  }
}

/** Returns a function computing `[value, gradient]` (and `[[value, aux], gradient]` with hasAux). */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => unknown, options: GradOptions = {}): (...args: A) => [any, any] {
  const argnums = options.argnums ?? 0;
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  return (...args: A) =>
    tidy(() => {
      checkDifferentiable("grad", args, nums);
      const [leaves, def] = flattenTensors("grad", nums.map((k) => args[k]));
      let auxDef: TreeDef | undefined;
      // The flat function returns [loss, ...aux leaves]; aux gets a zero cotangent, so the linear
      // part that produces it is never transposed, and its values leave the transform as primals.
      const flat = (...xs: Tensor[]): Tensor[] => {
        const diff = treeUnflatten<unknown[]>(def, xs);
        const full = [...args];
        nums.forEach((k, j) => (full[k] = diff[j]));
        let out = f(...(full as A));
        let auxLeaves: Tensor[] = [];
        if (options.hasAux) {
          if (!Array.isArray(out) || out.length !== 2) throw new TypeError("grad: with hasAux, f must return [loss, aux]");
          [auxLeaves, auxDef] = treeFlatten<Tensor>(out[1]);
          auxLeaves.forEach((l, i) => {
            if (!(l instanceof Tensor)) throw new TypeError(`grad: aux leaf ${i} is ${String(l)}, not a tensor`);
          });
          out = out[0];
        }
        if (!(out instanceof Tensor) || out.size !== 1 || !isFloat(out.dtype)) {
          throw new TypeError(`grad: f must return a float scalar, got ${out instanceof Tensor ? fmtAval(out.aval) : String(out)}; use vjp for other outputs`);
        }
        return [out, ...auxLeaves];
      };
      const [outs, lin] = linearizeFlat(flat, leaves);
      const value = outs[0]!;
      const cts: Tan[] = [fullAval(value.aval, 1), ...outs.slice(1).map((o) => new Zero(o.aval))];
      const grads = treeUnflatten<unknown[]>(def, backwardPass(lin.jaxpr, cts).map(instantiate));
      const gOut = typeof argnums === "number" ? grads[0] : grads;
      const v = options.hasAux ? [value, treeUnflatten(auxDef!, outs.slice(1))] : value;
      return [v, gOut] as [any, any];
    });
}

/** Returns a function computing the gradient of scalar-valued `f` (with hasAux: `[gradient, aux]`). */
export function grad<A extends unknown[]>(f: (...args: A) => unknown, options: GradOptions = {}): (...args: A) => any {
  const vg = valueAndGrad(f, options);
  return (...args: A) => {
    const [v, g] = vg(...args);
    return options.hasAux ? [g, (v as unknown[])[1]] : g;
  };
}

