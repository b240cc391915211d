// The numeric interface every TrigFlow formula is written against. `Floating<A>` is an fp-ts style dictionary
// (passed explicitly, no type classes, no fp-ts types) of the few elementwise operations the formulas of
// docs/guide/trigflow-scm.md and docs/guide/math.md need; `fromNumber` lifts a constant (σ_d, 1/2, π/2, ...)
// into A. A formula written once as `<A>(num: Floating<A>, ...) => A` runs on plain numbers (property tests,
// f64 oracles), on Float64Array vectors (ODE solvers) and on engine tensors (training), where broadcasting of a
// lifted constant or of a per-sample time against a batch is the instance's business.

/** Elementwise floating-point arithmetic over a carrier type `A` (numbers, vectors or tensors). */
export interface Floating<A> {
  /** Lifts a plain number into the carrier (a scalar that broadcasts against any operand). */
  readonly fromNumber: (value: number) => A;
  /** a + b, elementwise. */
  readonly add: (a: A, b: A) => A;
  /** a − b, elementwise. */
  readonly sub: (a: A, b: A) => A;
  /** a · b, elementwise. */
  readonly mul: (a: A, b: A) => A;
  /** a / b, elementwise. */
  readonly div: (a: A, b: A) => A;
  /** −a. */
  readonly neg: (a: A) => A;
  /** sin a (radians). */
  readonly sin: (a: A) => A;
  /** cos a (radians). */
  readonly cos: (a: A) => A;
  /** tan a (radians). */
  readonly tan: (a: A) => A;
  /** arctan a, in (−π/2, π/2). */
  readonly atan: (a: A) => A;
  /** e^a. */
  readonly exp: (a: A) => A;
  /** Natural logarithm. */
  readonly log: (a: A) => A;
  /** Square root. */
  readonly sqrt: (a: A) => A;
  /** a². */
  readonly square: (a: A) => A;
}

/** The `Floating` instance on plain JavaScript numbers (float64). */
export const floatingNumber: Floating<number> = {
  fromNumber: (value) => value,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  neg: (a) => -a,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  atan: Math.atan,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (a) => a * a,
};

/** c · a for a plain-number coefficient c (a derived operation: `mul(fromNumber(c), a)`). */
export function scale<A>(num: Floating<A>, c: number, a: A): A {
  return num.mul(num.fromNumber(c), a);
}

/** The logistic sigmoid 1 / (1 + e^{−a}), derived from the dictionary. */
export function sigmoid<A>(num: Floating<A>, a: A): A {
  const one = num.fromNumber(1);
  return num.div(one, num.add(one, num.exp(num.neg(a))));
}
