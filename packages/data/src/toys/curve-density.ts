// The density of a toy drawn along curves in the plane: mode m is a curve c_m(t), t ~ U[0, 1), chosen with
// probability π_m, plus isotropic Gaussian noise of std σ, so p_m(y) = ∫₀¹ N(y; c_m(t), σ²I) dt. The
// integral is a midpoint rule with nodes spaced at most σ/8 apart along the curve (for a Gaussian that is
// exact to far below float64 away from the curve's two ends), summed in log space so points far from every
// curve still get a finite log-density. To keep 16k points well under a second, nodes are grouped in runs
// of 32 with a bounding circle each, and runs whose nearest possible node is farther (in d²) than the best
// bound plus 60σ² are skipped — each node there adds under e^−30 of the largest term. A point's mode is the
// curve of largest π_m p_m, and it is near when its distance to that curve's nearest node is at most 3σ.
// Points map to the curves' canonical frame by y = x/scale + centre, so log p(x) = log p(y) − 2 log scale.
import { densityFromAnalysis, type DensityMode, type ToyDensity } from "./density.js";

/** One curve mode: its weight, label, parametrisation over [0, 1), and a bound on its speed |c′(t)|. */
export interface CurveMode extends DensityMode {
  /** The curve point at t ∈ [0, 1), in canonical coordinates. */
  readonly curve: (t: number) => readonly [number, number];
  /** An upper bound on |c′(t)| over [0, 1] (sets the node count so spacing ≤ σ/8). */
  readonly speed: number;
}

/** The curves, the noise and the map from data to canonical coordinates. */
export interface CurveDensitySpec {
  /** Names the toy in errors. */
  readonly context: string;
  /** The modes (weights sum to 1). */
  readonly modes: readonly CurveMode[];
  /** The noise std σ > 0 in canonical units (a noiseless toy passes its smoothing std and says so). */
  readonly sigma: number;
  /** The data-space point x is the canonical y as x = scale·(y − centre). */
  readonly scale: number;
  /** See `scale`. */
  readonly centre: readonly [number, number];
  /** One line on how the density is computed. */
  readonly description: string;
}

/**
 * The std (canonical units: moon radius 1, spiral outer radius 1) of the Gaussian that smooths a noiseless
 * curve toy, whose exact density is singular (concentrated on the curves), so log p is finite and usable.
 */
export const curveSmoothingStd = 0.01;

/** The σ of a curve toy's density: its noise, or `curveSmoothingStd` when it has none; and how to describe it. */
export function curveSigma(noise: number): { readonly sigma: number; readonly how: string } {
  return noise > 0
    ? { sigma: noise, how: `exact up to quadrature (noise ${noise})` }
    : { sigma: curveSmoothingStd, how: `smoothed: noise 0, so the curves are blurred by an isotropic Gaussian of std ${curveSmoothingStd} (canonical units)` };
}

const run = 32;
const cutoff = 60; // skip runs whose d² exceeds the best bound by more than 60σ² (terms below e^−30)

interface Nodes {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly runX: Float64Array;
  readonly runY: Float64Array;
  readonly runRadius: Float64Array;
  readonly logWeight: number; // log π_m − log N − log 2πσ²
}

function curveNodes(mode: CurveMode, sigma: number): Nodes {
  const count = Math.max(run, Math.ceil((8 * mode.speed) / sigma));
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) [x[i], y[i]] = mode.curve((i + 0.5) / count);
  const runs = Math.ceil(count / run);
  const runX = new Float64Array(runs);
  const runY = new Float64Array(runs);
  const runRadius = new Float64Array(runs);
  for (let r = 0; r < runs; r++) {
    const [start, end] = [r * run, Math.min(count, (r + 1) * run)];
    let [cx, cy] = [0, 0];
    for (let i = start; i < end; i++) (cx += x[i]!), (cy += y[i]!);
    [cx, cy] = [cx / (end - start), cy / (end - start)];
    let radius = 0;
    for (let i = start; i < end; i++) radius = Math.max(radius, Math.hypot(x[i]! - cx, y[i]! - cy));
    [runX[r], runY[r], runRadius[r]] = [cx, cy, radius * (1 + 1e-12)];
  }
  return { x, y, runX, runY, runRadius, logWeight: Math.log(mode.weight) - Math.log(count) - Math.log(2 * Math.PI * sigma * sigma) };
}

/** The density of a curve toy, by pruned midpoint quadrature (see the file's opening paragraph). */
export function curveDensity(spec: CurveDensitySpec): ToyDensity {
  const { sigma, scale } = spec;
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`${spec.context}: the density's σ must be positive and finite, got ${sigma}`);
  const nodes = spec.modes.map((m) => curveNodes(m, sigma));
  const twoVar = 2 * sigma * sigma;
  const logJacobian = -2 * Math.log(scale);
  const shape = { dimension: 2, modes: spec.modes.map(({ weight, label }) => ({ weight, label })), description: spec.description };
  const logs = new Float64Array(nodes.length);
  const nearest = new Float64Array(nodes.length);
  const runDistance = new Float64Array(Math.max(...nodes.map((n) => n.runX.length)));
  return densityFromAnalysis(spec.context, shape, (points, i, out) => {
    const px = points[2 * i]! / scale + spec.centre[0];
    const py = points[2 * i + 1]! / scale + spec.centre[1];
    let best = 0;
    for (let m = 0; m < nodes.length; m++) {
      const n = nodes[m]!;
      let bound = Infinity; // (distance to some node)², from the runs' circles
      for (let r = 0; r < n.runX.length; r++) {
        const centre = Math.sqrt((px - n.runX[r]!) ** 2 + (py - n.runY[r]!) ** 2);
        runDistance[r] = centre;
        bound = Math.min(bound, centre + n.runRadius[r]!);
      }
      const limit = bound * bound + cutoff * sigma * sigma;
      let min = Infinity;
      let sum = 0; // Σ exp(−(d² − min)/2σ²), rescaled whenever min drops
      for (let r = 0; r < n.runX.length; r++) {
        const gap = Math.max(0, runDistance[r]! - n.runRadius[r]!);
        if (gap * gap > limit) continue;
        const end = Math.min(n.x.length, (r + 1) * run);
        for (let j = r * run; j < end; j++) {
          const d2 = (px - n.x[j]!) ** 2 + (py - n.y[j]!) ** 2;
          if (d2 < min) {
            sum = sum * Math.exp((d2 - min) / twoVar) + 1;
            min = d2;
          } else sum += Math.exp((min - d2) / twoVar);
        }
      }
      logs[m] = n.logWeight - min / twoVar + Math.log(sum);
      nearest[m] = min;
      if (logs[m]! > logs[best]!) best = m;
    }
    const top = logs[best]!;
    let total = 0;
    for (let m = 0; m < nodes.length; m++) total += Math.exp(logs[m]! - top);
    out.logDensity = top + Math.log(total) + logJacobian;
    out.mode = best;
    out.near = Math.sqrt(nearest[best]!) <= 3 * sigma;
  });
}
