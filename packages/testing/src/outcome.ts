// Test support for functions that throw (or reject with) a typed error: the outcome as a value of the
// shape of an fp-ts `Either` (Left: the error, Right: the result), so a test can assert on an error's
// `kind` and message next to the success case. An error of any other class is rethrown, so a bug does
// not pass for the expected failure.

/** A failed outcome: the error thrown. */
export interface Thrown<X> {
  /** "Left", as in fp-ts. */
  readonly _tag: "Left";
  /** The error. */
  readonly left: X;
}

/** A successful outcome: the value returned. */
export interface Returned<T> {
  /** "Right", as in fp-ts. */
  readonly _tag: "Right";
  /** The value. */
  readonly right: T;
}

/** The outcome of a call (structurally an fp-ts `Either<X, T>`). */
export type Outcome<X, T> = Thrown<X> | Returned<T>;

/** Runs `f`; an error of class `type` becomes a Left, any other is rethrown. */
export function attempt<T, X extends Error>(f: () => T, type: abstract new (...args: never[]) => X): Outcome<X, T> {
  try {
    return { _tag: "Right", right: f() };
  } catch (e) {
    if (e instanceof type) return { _tag: "Left", left: e };
    throw e;
  }
}

/** Awaits `promise`; a rejection with an error of class `type` becomes a Left, any other is rethrown. */
export async function settle<T, X extends Error>(promise: Promise<T>, type: abstract new (...args: never[]) => X): Promise<Outcome<X, T>> {
  try {
    return { _tag: "Right", right: await promise };
  } catch (e) {
    if (e instanceof type) return { _tag: "Left", left: e };
    throw e;
  }
}
