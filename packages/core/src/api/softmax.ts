// softmax, logSoftmax and logsumexp along an axis, stabilised by subtracting the (stop-gradiented)
// maximum: logsumexp(x) = m + log Σ exp(x − m), m = max(x); the gradient is exactly softmax(x).
import type { Tensor } from "../tensor.js";
import { abs, add, div, exp, less, log, stopGradient, sub, where } from "./elementwise.js";
import { max, sum, squeeze } from "./shape-ops.js";

function stableMax(x: Tensor, axis: number): Tensor {
  const m = stopGradient(max(x, axis, true));
  // An all −∞ row would give −∞ − (−∞) = NaN; use 0 there (the row's result is then −∞ or 0).
  return where(less(abs(m), Infinity), m, 0);
}

/** log Σ exp(x) along `axis`. */
export function logsumexp(x: Tensor, axis = -1, keepDims = false): Tensor {
  const m = stableMax(x, axis);
  const y = add(log(sum(exp(sub(x, m)), axis, true)), m);
  return keepDims ? y : squeeze(y, axis);
}
/** log softmax(x) = x − logsumexp(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logsumexp(x, axis, true));
}
/** softmax(x) = exp(x − logsumexp(x)) along `axis`. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const m = stableMax(x, axis);
  const e = exp(sub(x, m));
  return div(e, sum(e, axis, true));
}
