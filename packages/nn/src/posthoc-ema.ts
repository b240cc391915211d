// Post-hoc EMA reconstruction (EDM2, Karras et al. 2024, §3.2 and App. C.3): each snapshot is a power
// profile p_i(τ) = (γ_i+1)·τ^γ_i / t_i^(γ_i+1) on [0, t_i]; a profile of another width and end time is
// approximated by Σ x_i·p_i in L², which means solving A·x = b with the Gram matrix
// A_ij = ⟨p_i, p_j⟩ and b_i = ⟨p_i, p_out⟩ (least squares, as np.linalg.lstsq), then averaging the
// snapshot parameters with the weights x. Inner products are in closed form (EDM2's p_dot_p).
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { stdToExp, type PowerEmaSnapshot } from "./power-ema.js";

// ⟨p_a, p_b⟩ = (γa+1)(γb+1)·(t_a/t_b)^(t_a<t_b ? γb : −γa) / ((γa+γb+1)·max(t_a, t_b))
/** The L² inner product of two power profiles. */
export function pDotP(tA: number, gammaA: number, tB: number, gammaB: number): number {
  const ratio = tA / tB;
  const e = tA < tB ? gammaB : -gammaA;
  return ((gammaA + 1) * (gammaB + 1) * Math.pow(ratio, e)) / ((gammaA + gammaB + 1) * Math.max(tA, tB));
}

/**
 * Least-squares coefficients X [in, out] with Σ_i X[i][j]·p_i ≈ p_out_j, for snapshots at
 * (inNimg[i], inStd[i]) and targets (outNimg[j], outStd[j]) (EDM2's solve_posthoc_coefficients).
 */
export function solvePosthocCoefficients(inNimg: readonly number[], inStd: readonly number[], outNimg: readonly number[], outStd: readonly number[]): number[][] {
  if (inNimg.length !== inStd.length || outNimg.length !== outStd.length || inNimg.length === 0) {
    throw new Error(`solvePosthocCoefficients: ${inNimg.length} snapshot times with ${inStd.length} widths, ${outNimg.length} target times with ${outStd.length} widths`);
  }
  const gIn = inStd.map(stdToExp), gOut = outStd.map(stdToExp);
  const a = inNimg.map((ti, i) => inNimg.map((tj, j) => pDotP(ti, gIn[i]!, tj, gIn[j]!)));
  const b = inNimg.map((ti, i) => outNimg.map((tj, j) => pDotP(ti, gIn[i]!, tj, gOut[j]!)));
  // Minimum-norm least squares via the pseudo-inverse, cutting eigenvalues below n·ε·λ_max.
  const n = a.length;
  const { values, vectors } = c.symmetricEigen(a.flat(), n); // A = V·diag(λ)·Vᵀ, eigenvector k is column k
  const cutoff = Math.max(...Array.from(values, Math.abs)) * n * 2.220446049250313e-16;
  return Array.from({ length: n }, (_, i) =>
    outNimg.map((_, j) => {
      let s = 0;
      for (let k = 0; k < n; k++) {
        if (Math.abs(values[k]!) <= cutoff) continue;
        let vb = 0;
        for (let r = 0; r < n; r++) vb += vectors[r * n + k]! * b[r]![j]!;
        s += (vectors[i * n + k]! * vb) / values[k]!;
      }
      return s;
    }),
  );
}

/** The average of width `outStd` at `outNimg` (default: the latest snapshot) from saved snapshots. */
export function reconstructPosthocEma<P>(snapshots: readonly PowerEmaSnapshot<P>[], outStd: number, outNimg?: number): P {
  if (snapshots.length === 0) throw new Error("reconstructPosthocEma: no snapshots");
  const target = outNimg ?? Math.max(...snapshots.map((s) => s.nimg));
  const x = solvePosthocCoefficients(snapshots.map((s) => s.nimg), snapshots.map((s) => s.std), [target], [outStd]);
  const weighted = snapshots.map((s, i) => c.treeMap(s.params, (t: Tensor) => c.mul(t, x[i]![0]!)));
  return c.treeMapN(weighted, (...leaves: Tensor[]) => leaves.reduce((acc, t) => c.add(acc, t)), "reconstructPosthocEma") as P;
}
