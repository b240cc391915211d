// Derivative checks in float64 (JAX's check_jvp / check_vjp / check_grads): the JVP against central
// finite differences along a random direction, the VJP by the dot-product identity
// ⟨ct, J·t⟩ = ⟨Jᵀ·ct, t⟩, and the same checks on the JVP and VJP maps themselves (second order).
import { array, jvp, vjp, treeFlatten, treeUnflatten, type Tensor } from "@scm-ts/core";
import { compareArrays } from "./close.js";
import { normalStream } from "./seeded.js";

/** Options of the checks. */
export interface CheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly eps?: number;
  /** Relative tolerance (default 1e-6). */
  readonly rtol?: number;
  /** Seed of the random directions. */
  readonly seed?: number;
}

type Fn<A extends unknown[]> = (...args: A) => unknown;

function leavesOf(tree: unknown): Tensor[] {
  return treeFlatten<Tensor>(tree)[0];
}

/** Random float64 tensors shaped like the leaves of `tree`, with the same structure. */
export function randomLike<T>(tree: T, seed: number): T {
  const [leaves, def] = treeFlatten<Tensor>(tree);
  const next = normalStream(seed);
  return treeUnflatten<T>(def, leaves.map((l) => array(Float64Array.from({ length: l.size }, next), [...l.shape], { dtype: "float64" })));
}

function axpy(a: number, xs: unknown, ys: unknown): unknown {
  const [x, def] = treeFlatten<Tensor>(xs);
  const y = leavesOf(ys);
  return treeUnflatten(def, x.map((xi, i) => xi.add(y[i]!.mul(a))));
}

async function flatData(tree: unknown): Promise<Float64Array> {
  const parts = await Promise.all(leavesOf(tree).map(async (t) => Float64Array.from(await t.data())));
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) out.set(p, (k += p.length) - p.length);
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** Checks jvp(f) against central differences; returns the worst relative error (scaled by the output norm). */
export async function checkJvp<A extends unknown[]>(f: Fn<A>, args: A, options: CheckOptions = {}): Promise<number> {
  const eps = options.eps ?? 1e-6, rtol = options.rtol ?? 1e-6;
  const t = randomLike(args, options.seed ?? 1);
  const [, tout] = jvp(f as (...a: A) => unknown, args, t);
  const plus = f(...(axpy(eps, args, t) as A));
  const minus = f(...(axpy(-eps, args, t) as A));
  const p = await flatData(plus), m = await flatData(minus), j = await flatData(tout);
  const fd = p.map((v, i) => (v - m[i]!) / (2 * eps));
  const scale = Math.max(norm(fd) / Math.sqrt(Math.max(fd.length, 1)), 1e-12);
  const report = compareArrays(j, fd, { rtol, atol: rtol * scale * 10 });
  if (!report.ok) throw new Error(`checkJvp: JVP differs from central differences: ${report.message}`);
  return report.maxAbs / scale;
}

/** Checks vjp(f) against jvp(f) by the dot-product identity; returns the relative mismatch. */
export async function checkVjp<A extends unknown[]>(f: Fn<A>, args: A, options: CheckOptions = {}): Promise<number> {
  const rtol = options.rtol ?? 1e-6;
  const seed = options.seed ?? 1;
  const t = randomLike(args, seed);
  const [out, tout] = jvp(f as (...a: A) => unknown, args, t);
  const ct = randomLike(out, seed + 7);
  const [, pullback] = vjp(f as (...a: A) => unknown, ...args);
  const cts = pullback(ct);
  const lhs = dot(await flatData(ct), await flatData(tout));
  const rhs = dot(await flatData(cts), await flatData(t));
  const scale = norm(await flatData(ct)) * norm(await flatData(tout)) + norm(await flatData(cts)) * norm(await flatData(t)) + 1e-300;
  const err = Math.abs(lhs - rhs) / scale;
  if (!(err <= rtol)) throw new Error(`checkVjp: ⟨ct, J·t⟩ = ${lhs} but ⟨Jᵀ·ct, t⟩ = ${rhs} (relative mismatch ${err.toExponential(2)} > ${rtol})`);
  return err;
}

/** First- and second-order checks: f, its JVP map x ↦ J(x)·t and its VJP map x ↦ J(x)ᵀ·ct. */
export async function checkGrads<A extends unknown[]>(f: Fn<A>, args: A, options: CheckOptions & { order?: 1 | 2 } = {}): Promise<void> {
  await checkJvp(f, args, options);
  await checkVjp(f, args, options);
  if ((options.order ?? 2) < 2) return;
  const seed = (options.seed ?? 1) + 100;
  const t = randomLike(args, seed);
  const jvpMap = (...xs: A): unknown => jvp(f as (...a: A) => unknown, xs, t)[1];
  const loose = { ...options, rtol: (options.rtol ?? 1e-6) * 10, seed: seed + 1 };
  await checkJvp(jvpMap, args, loose);
  await checkVjp(jvpMap, args, loose);
  const out = (f as (...a: A) => unknown)(...args);
  const ct = randomLike(out, seed + 2);
  const vjpMap = (...xs: A): unknown => vjp(f as (...a: A) => unknown, ...xs)[1](ct);
  await checkJvp(vjpMap, args, loose);
  await checkVjp(vjpMap, args, loose);
}
