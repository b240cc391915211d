// Exponential moving average of parameters with a half-life counted in training images (EDM's
// ema_halflife_kimg; 0.5 Mimg for the sCM CIFAR-10 runs, docs/guide/math.md, "The paper's settings"): per step
// of B images the decay is β = 0.5^(B/h), optionally with EDM's ramp-up h ← min(h, ratio·images seen), and
// θ_ema ← β·θ_ema + (1 − β)·θ.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { checkPositive } from "./config-check.js";

/** Options of `emaBeta`. */
export interface EmaHalfLife {
  /** Half-life h in images. */
  readonly halfLifeImages: number;
  /** Images per step B. */
  readonly batchSize: number;
  /** EDM's ramp-up ratio: h ← min(h, ratio·imagesSeen) (default none). */
  readonly rampupRatio?: number;
}

// β = 0.5^(B / h),  h = min(h, ratio·n)  (Karras et al. 2022, App. F.3)
/** The per-step decay β after `imagesSeen` images. */
export function emaBeta(config: EmaHalfLife, imagesSeen = Infinity): number {
  checkPositive("emaBeta", "halfLifeImages", config.halfLifeImages);
  checkPositive("emaBeta", "batchSize", config.batchSize);
  let h = config.halfLifeImages;
  if (config.rampupRatio !== undefined) h = Math.min(h, config.rampupRatio * imagesSeen);
  return h <= 0 ? 0 : Math.pow(0.5, config.batchSize / h);
}

/** A copy of the parameters to start the average from (fresh buffers, so disposing params keeps it). */
export function emaInit<P>(params: P): P {
  return c.treeMap(params, (p: Tensor) => c.mul(p, 1));
}

// θ_ema ← θ + β·(θ_ema − θ)
/** One averaging step with decay β (a number or a scalar tensor). */
export function emaUpdate<P>(ema: P, params: P, beta: number | Tensor): P {
  return c.treeMapN([ema, params], (e: Tensor, p: Tensor) => {
    const b = typeof beta === "number" ? beta : c.astype(beta, p.dtype);
    return c.add(p, c.mul(c.sub(e, p), b));
  }, "emaUpdate") as P;
}
