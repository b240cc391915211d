// EDM2's power-function EMA (Karras et al. 2024, §3.1 and App. C): the average at time t weights past
// parameters by a power profile p(τ) ∝ τ^γ on [0, t], obtained with the per-step decay
// β(t) = (1 − Δt/t)^(γ+1). The profile's relative width σ_rel = sqrt((γ+1)/((γ+2)²(γ+3))) (Eq. 3)
// names the average; several σ_rel are tracked at once, and their periodic snapshots let
// `posthoc-ema.ts` reconstruct averages of other widths after training.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { ConfigError, checkPositive } from "./config-check.js";
import { emaInit, emaUpdate } from "./ema.js";

const sigmaRelSq = (g: number): number => (g + 1) / ((g + 2) ** 2 * (g + 3));

// σ_rel(γ) = sqrt((γ+1)/((γ+2)²(γ+3)))   (EDM2, Eq. 3)
/** σ_rel of the exponent γ (> −1). */
export function expToStd(gamma: number): number {
  if (!(gamma > -1)) throw new RangeError(`expToStd: γ must exceed −1, got ${gamma}`);
  return Math.sqrt(sigmaRelSq(gamma));
}

// γ³ + 7γ² + (16 − σ⁻²)γ + (12 − σ⁻²) = 0, largest real root (EDM2's std_to_exp).
/** The exponent γ of the profile with relative width σ_rel. */
export function stdToExp(std: number): number {
  // σ_rel(γ) rises from 0 at γ = −1 to a maximum, then falls; the largest root is on the falling side.
  let lo = -1, hi = 0;
  for (let i = 0; i < 200; i++) {
    const a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;
    if (sigmaRelSq(a) < sigmaRelSq(b)) lo = a;
    else hi = b;
  }
  const peak = (lo + hi) / 2;
  if (!(std > 0) || std * std > sigmaRelSq(peak)) throw new ConfigError("powerEma", "std", `(σ_rel) must lie in (0, ${Math.sqrt(sigmaRelSq(peak)).toFixed(4)}], got ${std}`);
  lo = peak;
  hi = 1;
  while (sigmaRelSq(hi) > std * std) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (sigmaRelSq(mid) > std * std) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// β = (1 − Δt/t)^(γ+1)   (EDM2, Eq. 4 with t_next = t)
/** The decay of one step that brings the count from t − Δt to t. */
export function powerFunctionBeta(std: number, tNext: number, tDelta: number): number {
  return Math.pow(Math.max(1 - tDelta / tNext, 0), stdToExp(std) + 1);
}

/** Power EMAs of the parameters for several σ_rel, and the number of images seen. */
export interface PowerEmaState<P> {
  /** The widths σ_rel tracked. */
  readonly stds: readonly number[];
  /** One average per σ_rel. */
  readonly emas: readonly P[];
  /** Images seen (t in EDM2's units). */
  readonly nimg: number;
}

/** A saved average: what post-hoc reconstruction needs. */
export interface PowerEmaSnapshot<P> {
  /** Images seen when saved. */
  readonly nimg: number;
  /** Its σ_rel. */
  readonly std: number;
  /** The averaged parameters. */
  readonly params: P;
}

/** Starts each average at the current parameters (EDM2 tracks σ_rel ∈ {0.05, 0.10}). */
export function powerEmaInit<P>(params: P, stds: readonly number[] = [0.05, 0.1]): PowerEmaState<P> {
  stds.forEach((s) => stdToExp(s));
  return { stds: [...stds], emas: stds.map(() => emaInit(params)), nimg: 0 };
}

/** Averages in one step of `batchSize` images. */
export function powerEmaUpdate<P>(state: PowerEmaState<P>, params: P, batchSize: number): PowerEmaState<P> {
  checkPositive("powerEmaUpdate", "batchSize", batchSize);
  const nimg = state.nimg + batchSize;
  const emas = state.emas.map((e, i) => emaUpdate(e, params, powerFunctionBeta(state.stds[i]!, nimg, batchSize)));
  return { stds: state.stds, emas, nimg };
}

/** Snapshots of every tracked average (copies, safe to keep while training goes on). */
export function powerEmaSnapshots<P>(state: PowerEmaState<P>): PowerEmaSnapshot<P>[] {
  return state.emas.map((e, i) => ({ nimg: state.nimg, std: state.stds[i]!, params: c.treeMap(e, (t: Tensor) => c.mul(t, 1)) }));
}
