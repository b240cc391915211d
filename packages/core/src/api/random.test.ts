// The PRNG: threefry2x32 bit streams equal JAX's (original, non-partitionable scheme), keys split
// into independent streams, and the samplers have the right moments.
import { describe, expect, it } from "vitest";
import * as c from "../index.js";

describe("random", () => {
  it("key(0) split gives JAX's well-known keys", async () => {
    const [a, b] = c.random.split(c.random.key(0));
    expect(Array.from(await a!.data())).toEqual([4146024105, 967050713]);
    expect(Array.from(await b!.data())).toEqual([2718843009, 1272950319]);
  });
  it("is deterministic and the same under jit", async () => {
    const k = c.random.key(42);
    const x = await c.random.normal(k, [100]).data();
    const y = await c.jit((kk: c.Tensor) => c.random.normal(kk, [100]))(k).data();
    // jit fuses the Box–Muller chain and rounds once, eager rounds after each op
    y.forEach((v, i) => expect(Math.abs(v - x[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(x[i]!))));
    const bits = await c.random.bits(k, [33]).data();
    expect(Array.from(await c.jit((kk: c.Tensor) => c.random.bits(kk, [33]))(k).data())).toEqual(Array.from(bits));
    const z = await c.random.normal(c.random.key(43), [100]).data();
    expect(Array.from(z)).not.toEqual(Array.from(x));
  });
  it("uniform in [0, 1) and normal have the right moments", async () => {
    const n = 200_000;
    const u = await c.random.uniform(c.random.key(1), [n]).data();
    let mu = 0, m2 = 0, lo = Infinity, hi = -Infinity;
    for (const v of u) (mu += v), (m2 += v * v), (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    mu /= n;
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(mu - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(m2 / n - mu * mu - 1 / 12)).toBeLessThan(0.002);
    const z = await c.random.normal(c.random.key(2), [n]).data();
    let s1 = 0, s2 = 0, s4 = 0;
    for (const v of z) (s1 += v), (s2 += v * v), (s4 += v ** 4);
    expect(Math.abs(s1 / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
  });
  it("split keys give uncorrelated streams", async () => {
    const [k1, k2] = c.random.split(c.random.key(5));
    const a = await c.random.normal(k1!, [50_000]).data();
    const b = await c.random.normal(k2!, [50_000]).data();
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    expect(Math.abs(s / a.length)).toBeLessThan(4 / Math.sqrt(a.length));
  });
});
