// CPU routines of the standardisation primitives (ops/standardize.ts), one row at a time with
// float64 sums: μ = mean(x), r = 1/√(mean((x − μ)²) + ε), y = (x − μ)·r, and for the tangent
// t_y = r·(t − mean(t) − y·mean(y ⊙ t)).
import type { DataArray } from "../dtype.js";
import type { StandardizeSpec } from "../ir/kernel.js";

/** Runs `standardize` (input x), `standardizeTangent` or `standardizeJvp` (inputs x, t) into `out`. */
export function runStandardize(spec: StandardizeSpec, out: DataArray, [x, t]: readonly DataArray[]): void {
  const { len } = spec;
  for (let row = 0; row < spec.rows; row++) {
    const o = row * len;
    let s = 0;
    for (let i = 0; i < len; i++) s += x![o + i]!;
    const mu = s / len;
    let v = 0;
    for (let i = 0; i < len; i++) v += (x![o + i]! - mu) ** 2;
    const r = 1 / Math.sqrt(v / len + spec.eps);
    if (spec.name !== "standardizeTangent") for (let i = 0; i < len; i++) out[o + i] = (x![o + i]! - mu) * r;
    if (spec.name === "standardize") continue;
    // standardizeJvp writes [y; t_y]: the tangent goes to the second half
    const to = spec.name === "standardizeJvp" ? o + spec.rows * len : o;
    let mt = 0, myt = 0;
    for (let i = 0; i < len; i++) {
      mt += t![o + i]!;
      myt += (x![o + i]! - mu) * r * t![o + i]!;
    }
    mt /= len;
    myt /= len;
    for (let i = 0; i < len; i++) out[to + i] = r * (t![o + i]! - mt - (x![o + i]! - mu) * r * myt);
  }
}
