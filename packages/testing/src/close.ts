// Numeric closeness: allClose with numpy's rule |a − b| ≤ atol + rtol·|b|, reporting the worst
// element, and helpers to read tensors as float64 host arrays.
import type { Tensor } from "@scm-ts/core";

/** Tolerances: |a − b| ≤ atol + rtol·|b|. */
export interface Tolerance {
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  readonly atol?: number;
}

/** The outcome of a comparison. */
export interface CloseReport {
  /** Whether every element is within tolerance. */
  readonly ok: boolean;
  /** The largest |a − b| over finite elements. */
  readonly maxAbs: number;
  /** The largest |a − b|/|b| over finite elements with b ≠ 0. */
  readonly maxRel: number;
  /** The index of the element closest to (or furthest past) its tolerance bound; −1 for empty arrays or different lengths. */
  readonly worst: number;
  /** A one-line description for a failing assertion. */
  readonly message: string;
}

/** Compares two arrays elementwise (NaN equals NaN, ±Inf must match exactly). */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}): CloseReport {
  const rtol = tol.rtol ?? 1e-5, atol = tol.atol ?? 1e-8;
  if (actual.length !== expected.length) return { ok: false, maxAbs: Infinity, maxRel: Infinity, worst: -1, message: `length ${actual.length} vs expected ${expected.length}` };
  let ok = true, maxAbs = 0, maxRel = 0, worst = -1, worstExcess = -Infinity;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, b = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (a !== b) {
        ok = false;
        if (worstExcess < Infinity) (worst = i), (worstExcess = Infinity);
      }
      continue;
    }
    const d = Math.abs(a - b);
    maxAbs = Math.max(maxAbs, d);
    if (b !== 0) maxRel = Math.max(maxRel, d / Math.abs(b));
    const excess = d - (atol + rtol * Math.abs(b));
    if (excess > 0) ok = false;
    if (excess > worstExcess) (worstExcess = excess), (worst = i);
  }
  const message = ok
    ? `close (max abs ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)})`
    : `not close: element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (rtol ${rtol}, atol ${atol}; max abs ${maxAbs.toExponential(2)})`;
  return { ok, maxAbs, maxRel, worst, message };
}

/** Relative error in norm: ‖a − b‖ / max(‖b‖, tiny). */
export function normRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < expected.length; i++) {
    num += (actual[i]! - expected[i]!) ** 2;
    den += expected[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
}

/** Reads a tensor to a Float64Array. */
export async function toF64(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.data());
}

/** Throws with a readable message unless `actual` is close to `expected`. */
export async function assertAllClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, tol: Tolerance = {}, what = "values"): Promise<CloseReport> {
  const a = "aval" in (actual as object) ? await toF64(actual as Tensor) : (actual as ArrayLike<number>);
  const b = "aval" in (expected as object) ? await toF64(expected as Tensor) : (expected as ArrayLike<number>);
  const r = compareArrays(a, b, tol);
  if (!r.ok) throw new Error(`${what}: ${r.message}`);
  return r;
}

/** True when two tensors or arrays are close (numpy's allclose). */
export async function allClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, tol: Tolerance = {}): Promise<boolean> {
  try {
    await assertAllClose(actual, expected, tol);
    return true;
  } catch {
    return false;
  }
}
