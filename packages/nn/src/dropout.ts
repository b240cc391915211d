// Inverted dropout with an explicit key: the keep-mask is a pure function of (key, shape, rate), so a JVP pass
// and a gradient pass given the same key see the same mask, as sCT needs (docs/guide/math.md,
// "Dropout inside the JVP": the tangent and the loss should be computed on the same sub-network). Kept units
// are scaled by 1/(1 − rate) so the expectation is unchanged; rate 0 or `deterministic` is the identity.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkRange } from "./config-check.js";

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Skip dropout (evaluation). */
  readonly deterministic?: boolean;
}

/** The keep-mask (1 where kept, as x's dtype) drawn from `key`: P(keep) = 1 − rate. */
export function dropoutMask(key: Tensor, shape: readonly number[], rate: number, dtype: "float32" | "float64" = "float32"): Tensor {
  checkRange("dropout", "rate", rate, 0, 1);
  const u = c.random.uniform(key, shape, { dtype }); // [...shape]
  return c.astype(c.greaterEqual(u, rate), dtype);
}

// y = x · m / (1 − rate), m ~ Bernoulli(1 − rate) from the key.
/** Applies dropout to x with the mask drawn from `key`; `key` null or rate 0 gives x. */
export function dropout(key: Tensor | null | undefined, x: Tensor, rate: number, options: DropoutOptions = {}): Tensor {
  checkRange("dropout", "rate", rate, 0, 1);
  if (rate === 0 || options.deterministic || key == null) return x;
  const dtype = x.dtype === "float64" ? "float64" : "float32";
  return c.mul(x, c.mul(dropoutMask(key, x.shape, rate, dtype), 1 / (1 - rate)));
}
