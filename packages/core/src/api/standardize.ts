// Standardisation of the public API: (x − mean)/√(var + ε) over the last axis, the shared core of
// group norm (rows are a sample's group) and layer norm. It binds the `standardize` primitive, whose
// backends compute each row's statistics and write it in one pass (and its JVP in another).
import { standardize as standardizeOp } from "../ops/standardize.js";
import type { Tensor } from "../tensor.js";
import { bind1 } from "../ops/rules.js";

/** (x − mean(x))/√(var(x) + eps) along the last axis (population variance). */
export function standardize(x: Tensor, eps = 1e-5): Tensor {
  if (!(eps >= 0)) throw new Error(`standardize: eps must be ≥ 0, got ${eps}`);
  return bind1(standardizeOp, [x], { eps });
}
