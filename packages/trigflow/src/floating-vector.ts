// The `Floating` instance on Float64Array vectors, so the generic TrigFlow formulas and PF-ODE solvers run
// on a batch of points in float64 without the tensor engine. Operands must have equal length, or one of
// them length 1 (a lifted constant or a shared time), which broadcasts; anything else is a shape error.
import type { Floating } from "./floating.js";

function unary(fn: (a: number) => number): (a: Float64Array) => Float64Array {
  return (a) => {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = fn(a[i]!);
    return out;
  };
}

function binary(name: string, fn: (a: number, b: number) => number): (a: Float64Array, b: Float64Array) => Float64Array {
  return (a, b) => {
    if (a.length === b.length) {
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = fn(a[i]!, b[i]!);
      return out;
    }
    if (b.length === 1) {
      const bv = b[0]!;
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = fn(a[i]!, bv);
      return out;
    }
    if (a.length === 1) {
      const av = a[0]!;
      const out = new Float64Array(b.length);
      for (let i = 0; i < b.length; i++) out[i] = fn(av, b[i]!);
      return out;
    }
    throw new RangeError(
      `floatingVector.${name}: lengths ${a.length} and ${b.length} do not broadcast; ` +
        `pass vectors of equal length, or a length-1 vector for a shared scalar`,
    );
  };
}

/** The `Floating` instance on Float64Array (elementwise, length-1 operands broadcast). */
export const floatingVector: Floating<Float64Array> = {
  fromNumber: (value) => Float64Array.of(value),
  add: binary("add", (a, b) => a + b),
  sub: binary("sub", (a, b) => a - b),
  mul: binary("mul", (a, b) => a * b),
  div: binary("div", (a, b) => a / b),
  neg: unary((a) => -a),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
  atan: unary(Math.atan),
  exp: unary(Math.exp),
  log: unary(Math.log),
  sqrt: unary(Math.sqrt),
  square: unary((a) => a * a),
};
