// An adaptive explicit Runge–Kutta integrator (Dormand–Prince 5(4), FSAL, standard step-size control) for y' =
// g(y, t) on Float64Array states, forward or backward in time. The Gaussian-mixture oracle uses it to integrate
// the exact PF-ODE (docs/guide/math.md, "The exact flow and consistency function": mixtures have no closed-form
// flow) to rtol ≈ 1e−10; a batch of points is one long state vector, so one step size serves all of them.

/** The right-hand side of y' = g(y, t); must return a fresh array of the same length as y. */
export type OdeRightHandSide = (y: Float64Array, t: number) => Float64Array;

/** Tolerances and limits of `integrateDopri5`. */
export interface AdaptiveOdeOptions {
  /** Relative tolerance per component (default 1e−10). */
  readonly rtol?: number;
  /** Absolute tolerance per component (default 1e−12). */
  readonly atol?: number;
  /** Maximum number of attempted steps before giving up (default 100 000). */
  readonly maxSteps?: number;
}

/** The outcome of an adaptive integration. */
export interface AdaptiveOdeResult {
  /** The state at the final time. */
  readonly y: Float64Array;
  /** Accepted steps. */
  readonly acceptedSteps: number;
  /** Rejected step attempts. */
  readonly rejectedSteps: number;
  /** Right-hand-side evaluations. */
  readonly evaluations: number;
}

// Dormand & Prince (1980), "A family of embedded Runge–Kutta formulae", J. Comp. Appl. Math. 6: tableau.
const c2 = 1 / 5, c3 = 3 / 10, c4 = 4 / 5, c5 = 8 / 9;
const a21 = 1 / 5;
const a31 = 3 / 40, a32 = 9 / 40;
const a41 = 44 / 45, a42 = -56 / 15, a43 = 32 / 9;
const a51 = 19372 / 6561, a52 = -25360 / 2187, a53 = 64448 / 6561, a54 = -212 / 729;
const a61 = 9017 / 3168, a62 = -355 / 33, a63 = 46732 / 5247, a64 = 49 / 176, a65 = -5103 / 18656;
const b1 = 35 / 384, b3 = 500 / 1113, b4 = 125 / 192, b5 = -2187 / 6784, b6 = 11 / 84;
// Error weights: fifth-order minus embedded fourth-order weights.
const e1 = 71 / 57600, e3 = -71 / 16695, e4 = 71 / 1920, e5 = -17253 / 339200, e6 = 22 / 525, e7 = -1 / 40;

function combine(y: Float64Array, h: number, terms: readonly (readonly [number, Float64Array])[]): Float64Array {
  const out = Float64Array.from(y);
  for (const [weight, k] of terms) {
    if (weight === 0) continue;
    const hw = h * weight;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + hw * k[i]!;
  }
  return out;
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`integrateDopri5: ${name} must be finite, got ${value}`);
}

/**
 * Integrates y' = g(y, t) from t0 to t1 (t1 < t0 is allowed) with Dormand–Prince 5(4) and step-size
 * control on the mixed error norm sqrt(mean((err_i / (atol + rtol·max|y_i|))²)).
 * Throws if the step size underflows or `maxSteps` is exceeded (the ODE is probably stiff or singular there).
 */
export function integrateDopri5(
  g: OdeRightHandSide,
  y0: ArrayLike<number>,
  t0: number,
  t1: number,
  options: AdaptiveOdeOptions = {},
): AdaptiveOdeResult {
  const rtol = options.rtol ?? 1e-10;
  const atol = options.atol ?? 1e-12;
  const maxSteps = options.maxSteps ?? 100_000;
  checkFinite("t0", t0);
  checkFinite("t1", t1);
  if (!(rtol > 0 && atol > 0)) throw new RangeError(`integrateDopri5: tolerances must be positive, got rtol ${rtol}, atol ${atol}`);
  let y: Float64Array = Float64Array.from(y0);
  if (t0 === t1) return { y, acceptedSteps: 0, rejectedSteps: 0, evaluations: 0 };
  const direction = Math.sign(t1 - t0);
  const span = Math.abs(t1 - t0);
  let t = t0;
  let k1 = g(y, t);
  let evaluations = 1;
  // Initial step size: Hairer, Nørsett & Wanner, Solving ODEs I, II.4 (scaled RMS norms, one trial step).
  const norm = (v: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < v.length; i++) sum += (v[i]! / (atol + rtol * Math.abs(y[i]!))) ** 2;
    return Math.sqrt(sum / Math.max(1, v.length));
  };
  const d0 = norm(y);
  const d1 = norm(k1);
  const h0 = Math.min(d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1), span);
  const trial = g(combine(y, h0 * direction, [[1, k1]]), t0 + h0 * direction);
  evaluations++;
  const d2 = norm(trial.map((value, i) => value - k1[i]!)) / h0;
  const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** 0.2;
  // (A state near 0 with a large derivative makes h0 tiny; the floor lets the controller grow from 1e−10·span.)
  let h = Math.min(Math.max(Math.min(100 * h0, h1), 1e-10 * span), span) * direction;
  let acceptedSteps = 0;
  let rejectedSteps = 0;
  while (direction * (t1 - t) > 0) {
    if (acceptedSteps + rejectedSteps >= maxSteps) {
      throw new RangeError(`integrateDopri5: gave up after ${maxSteps} steps at t = ${t} (integrating ${t0} → ${t1}); the ODE may be stiff or singular there, or raise maxSteps / loosen rtol`);
    }
    const isLast = Math.abs(h) >= Math.abs(t1 - t);
    if (isLast) h = t1 - t;
    const tNext = isLast ? t1 : t + h; // exact t1 on the last step, never one ulp beyond it
    const k2 = g(combine(y, h, [[a21, k1]]), t + c2 * h);
    const k3 = g(combine(y, h, [[a31, k1], [a32, k2]]), t + c3 * h);
    const k4 = g(combine(y, h, [[a41, k1], [a42, k2], [a43, k3]]), t + c4 * h);
    const k5 = g(combine(y, h, [[a51, k1], [a52, k2], [a53, k3], [a54, k4]]), t + c5 * h);
    const k6 = g(combine(y, h, [[a61, k1], [a62, k2], [a63, k3], [a64, k4], [a65, k5]]), tNext);
    const yNew = combine(y, h, [[b1, k1], [b3, k3], [b4, k4], [b5, k5], [b6, k6]]);
    const k7 = g(yNew, tNext);
    evaluations += 6;
    let errorSquared = 0;
    for (let i = 0; i < y.length; i++) {
      const err = h * (e1 * k1[i]! + e3 * k3[i]! + e4 * k4[i]! + e5 * k5[i]! + e6 * k6[i]! + e7 * k7[i]!);
      const sc = atol + rtol * Math.max(Math.abs(y[i]!), Math.abs(yNew[i]!));
      errorSquared += (err / sc) ** 2;
    }
    const error = Math.sqrt(errorSquared / Math.max(1, y.length));
    if (!Number.isFinite(error)) {
      throw new RangeError(`integrateDopri5: non-finite state or derivative near t = ${t}; check the right-hand side there`);
    }
    const factor = error === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * error ** -0.2));
    if (error <= 1) {
      t = tNext;
      y = yNew;
      k1 = k7;
      acceptedSteps++;
      h *= factor;
    } else {
      rejectedSteps++;
      h *= Math.min(1, factor);
      if (Math.abs(h) < 1e-14 * Math.max(1, Math.abs(t))) {
        throw new RangeError(`integrateDopri5: step size underflow (h = ${h}) at t = ${t}; the ODE is singular or too stiff there`);
      }
    }
  }
  return { y, acceptedSteps, rejectedSteps, evaluations };
}
