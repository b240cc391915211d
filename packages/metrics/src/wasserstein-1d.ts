// The exact p-Wasserstein distance between two empirical distributions on the line (uniform weights,
// any sizes n and m): W_p^p = ∫₀¹ |F⁻¹(u) − G⁻¹(u)|^p du with the step quantile functions of the sorted
// samples. Both are constant between the merged breakpoints i/n and j/m, so the integral is an exact
// finite sum — the sorted-matching formula when n = m, exact quantile interpolation otherwise.

/** W_p^p between the empirical distributions of two ascending-sorted samples (p ≥ 1). */
export function wassersteinPowerSorted(a: ArrayLike<number>, b: ArrayLike<number>, p = 2): number {
  const n = a.length, m = b.length;
  if (n === 0 || m === 0) throw new RangeError(`wasserstein1d: empty sample (sizes ${n} and ${m}); both need at least one point`);
  const cost = p === 2 ? (x: number) => x * x : p === 1 ? Math.abs : (x: number) => Math.abs(x) ** p;
  if (n === m) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += cost(a[i]! - b[i]!);
    return sum / n;
  }
  // Walk u through the merged breakpoints, in integer units of 1/(n·m) to stay exact.
  let i = 0, j = 0, u = 0, sum = 0;
  const total = n * m;
  while (u < total) {
    const next = Math.min((i + 1) * m, (j + 1) * n);
    sum += (next - u) * cost(a[i]! - b[j]!);
    u = next;
    if (u === (i + 1) * m) i++;
    if (u === (j + 1) * n) j++;
  }
  return sum / total;
}

/** W_p between two samples on the line (sorted copies are made; p ≥ 1). */
export function wasserstein1d(a: ArrayLike<number>, b: ArrayLike<number>, p = 2): number {
  if (!(p >= 1 && Number.isFinite(p))) throw new RangeError(`wasserstein1d: p = ${p}; use a finite p ≥ 1`);
  const sa = Float64Array.from(a).sort(), sb = Float64Array.from(b).sort();
  return wassersteinPowerSorted(sa, sb, p) ** (1 / p);
}
