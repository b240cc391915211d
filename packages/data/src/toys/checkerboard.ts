// The checkerboard toy (as in FFJORD's 2-D experiments): a square of c × c unit cells centred at the origin,
// c even, where the cells (i, j) with i + j even are filled uniformly and the others are empty; then scaled.
// A draw picks a column i uniformly, one of its c/2 filled rows uniformly, and a uniform point in that cell,
// so every filled cell has probability 2/c². Its exact moments follow by summing over the filled cells
// (each a uniform square: centre plus 1/12 variance per axis). Its exact density is piecewise constant and
// zero off the filled cells, so log p would be −∞ for any sample just outside; `checkerboardDensity` is the
// density smoothed by an isotropic Gaussian of std h = 0.05 cell widths, exact as a sum over filled cells of
// products of normal-CDF differences, Π_axis [Φ((y − a)/h) − Φ((y − a − 1)/h)], taken in log space.
import { add, astype, concat, mul, random, slice, sub, tidy, type Tensor } from "@scm-ts/core";
import { densityFromAnalysis, type ToyDensity } from "./density.js";
import { logNormalInterval } from "./normal.js";
import { checkSampleCount, resolveScale, type Toy, type ToySampleOptions, type ToyScaleOptions } from "./toy.js";

/** Options of `checkerboard`. */
export interface CheckerboardOptions extends ToyScaleOptions {
  /** Cells per side, an even integer ≥ 2 (default 4). */
  readonly cells?: number;
}

/** The filled cells (i, j) of a c × c checkerboard: i + j even; i counts columns from the left, j rows from the bottom. */
export function checkerboardCells(cells: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < cells; i++) for (let j = 0; j < cells; j++) if ((i + j) % 2 === 0) out.push([i, j]);
  return out;
}

function canonicalCovariance(cells: number): Float64Array {
  const filled = checkerboardCells(cells);
  const cov = new Float64Array(4);
  for (const [i, j] of filled) {
    const x = i + 0.5 - cells / 2;
    const y = j + 0.5 - cells / 2;
    cov[0] = cov[0]! + x * x;
    cov[1] = cov[1]! + x * y;
    cov[3] = cov[3]! + y * y;
  }
  const p = 1 / filled.length;
  return Float64Array.of(cov[0]! * p + 1 / 12, cov[1]! * p, cov[1]! * p, cov[3]! * p + 1 / 12);
}

/** The std of the Gaussian that smooths `checkerboardDensity`, in cell widths. */
export const checkerboardSmoothing = 0.05;

/**
 * The density of `checkerboard(options)` smoothed by N(0, h²I), h = 0.05 cell widths (the exact one is −∞
 * off the filled cells). Modes: the filled cells, equal weights; near = inside the cell expanded by 3h.
 */
export function checkerboardDensity(options: CheckerboardOptions = {}): ToyDensity {
  const { cells, s } = resolve(options);
  const h = checkerboardSmoothing;
  const filled = checkerboardCells(cells);
  const logWeight = -Math.log(filled.length); // each filled cell: probability 1/F, area 1 in canonical units
  const logJacobian = -2 * Math.log(s);
  // Per column i: log(Φ((y₀ − i)/h) − Φ((y₀ − i − 1)/h)), the smoothed indicator of [i, i + 1) at y₀; rows alike.
  const column = new Float64Array(cells);
  const row = new Float64Array(cells);
  const shape = {
    dimension: 2,
    modes: filled.map(([i, j]) => ({ weight: 1 / filled.length, label: `cell (${i}, ${j})` })),
    description: `checkerboard (${cells}×${cells}): smoothed — the exact density convolved with an isotropic Gaussian of std ${h} cell widths (exact normal-CDF products); near = inside the point's cell expanded by ${(3 * h).toFixed(2)} cell widths`,
  };
  return densityFromAnalysis("checkerboard.density", shape, (points, p, out) => {
    const y0 = points[2 * p]! / s + cells / 2;
    const y1 = points[2 * p + 1]! / s + cells / 2;
    for (let i = 0; i < cells; i++) {
      column[i] = logNormalInterval((y0 - i - 1) / h, (y0 - i) / h);
      row[i] = logNormalInterval((y1 - i - 1) / h, (y1 - i) / h);
    }
    let best = 0;
    let top = -Infinity;
    for (let m = 0; m < filled.length; m++) {
      const [i, j] = filled[m]!;
      const v = column[i]! + row[j]!;
      if (v > top) (top = v), (best = m);
    }
    let total = 0;
    for (const [i, j] of filled) total += Math.exp(column[i]! + row[j]! - top);
    out.logDensity = top + Math.log(total) + logWeight + logJacobian;
    out.mode = best;
    const [i, j] = filled[best]!;
    const margin = 3 * h;
    out.near = y0 >= i - margin && y0 <= i + 1 + margin && y1 >= j - margin && y1 <= j + 1 + margin;
  });
}

// The validated cell count and the resolved scale.
function resolve(options: CheckerboardOptions): { cells: number; covariance: Float64Array; s: number } {
  const cells = options.cells ?? 4;
  if (!Number.isInteger(cells) || cells < 2 || cells % 2 !== 0) throw new RangeError(`checkerboard: cells must be an even integer ≥ 2, got ${cells}`);
  const covariance = canonicalCovariance(cells);
  return { cells, covariance, s: resolveScale("checkerboard", options, covariance, 2) };
}

/** The checkerboard toy in R²; scaled so σ_d is right unless `scale` is given. Its exact mean is 0. */
export function checkerboard(options: CheckerboardOptions = {}): Toy {
  const { cells, covariance, s } = resolve(options);
  return {
    name: `checkerboard (${cells}×${cells} cells, scale ${s.toPrecision(4)})`,
    dimension: 2,
    sample(key: Tensor, n: number, sampleOptions: ToySampleOptions = {}): Tensor {
      checkSampleCount("checkerboard.sample", n);
      return tidy(() => {
        const dtype = sampleOptions.dtype ?? "float32";
        const trunc = (v: Tensor): Tensor => astype(astype(v, "int32"), dtype); // v ≥ 0, so truncation is floor
        const u = random.uniform(key, [n, 4], { dtype });
        const column = (k: number): Tensor => slice(u, [0, k], [n, k + 1]); // [n, 1]
        const i = trunc(mul(column(0), cells));
        const parity = sub(i, mul(trunc(mul(i, 0.5)), 2));
        const j = add(mul(trunc(mul(column(1), cells / 2)), 2), parity);
        const x = add(i, column(2));
        const y = add(j, column(3));
        return mul(sub(concat([x, y], 1), cells / 2), s); // [n, 2]
      });
    },
    mean: () => new Float64Array(2),
    covariance: () => covariance.map((v) => v * s * s),
    density: () => checkerboardDensity(options),
  };
}
