// Broadcasting and shape rules, as properties against a brute-force numpy model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "../index.js";

const shape = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 });
const params = { seed: 7, numRuns: 60 };

describe("broadcasting", () => {
  it("add broadcasts like numpy (value check against index arithmetic)", async () => {
    await fc.assert(
      fc.asyncProperty(shape, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 4 }), async (s, ones, drop) => {
        const a = s;
        const b = s.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, s.length));
        const na = a.reduce((x, y) => x * y, 1), nb = b.reduce((x, y) => x * y, 1);
        const x = c.arange(na).reshape(a), y = c.mul(c.arange(nb).reshape(b), 1000);
        const z = c.add(x, y);
        expect(z.shape).toEqual(a);
        const data = await z.data();
        const strides = (sh: number[]) => sh.map((_, i) => sh.slice(i + 1).reduce((p, q) => p * q, 1));
        const sa = strides(a), sb = strides(b);
        for (let i = 0; i < na; i++) {
          const m = a.map((d, k) => Math.floor(i / sa[k]!) % d);
          const mb = m.slice(a.length - b.length).map((v, k) => (b[k] === 1 ? 0 : v));
          const j = mb.reduce((acc, v, k) => acc + v * sb[k]!, 0);
          expect(data[i]).toBe(i + 1000 * j);
        }
      }),
      params,
    );
  });
  it("incompatible shapes throw naming the op and shapes", () => {
    expect(() => c.add(c.ones([2, 3]), c.ones([3, 2]))).toThrow(/add: shapes \[2,3\] and \[3,2\] are not broadcast-compatible/);
  });
  it("sum/mean/max with axis and keepDims have numpy shapes", () => {
    fc.assert(
      fc.property(shape.filter((s) => s.length > 0), fc.nat(), fc.boolean(), (s, ax, keep) => {
        const axis = ax % s.length;
        const x = c.ones(s);
        const want = keep ? s.map((d, i) => (i === axis ? 1 : d)) : s.filter((_, i) => i !== axis);
        expect(c.sum(x, axis, keep).shape).toEqual(want);
        expect(c.max(x, -s.length + axis, keep).shape).toEqual(want);
        expect(c.mean(x, [axis], keep).shape).toEqual(want);
      }),
      params,
    );
  });
  it("reshape with -1, transpose and matmul batch broadcasting", () => {
    expect(c.ones([2, 3, 4]).reshape([-1, 4]).shape).toEqual([6, 4]);
    expect(c.transpose(c.ones([2, 3, 4]), [2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(c.matmul(c.ones([5, 1, 2, 3]), c.ones([4, 3, 6])).shape).toEqual([5, 4, 2, 6]);
    expect(c.matmul(c.ones([3]), c.ones([3, 2])).shape).toEqual([2]);
  });
  it("matrixTranspose swaps the last two axes: out[b, j, i] = x[b, i, j]", async () => {
    const x = c.arange(24).reshape([2, 3, 4]);
    const y = c.matrixTranspose(x);
    expect(y.shape).toEqual([2, 4, 3]);
    const [xs, ys] = [await x.data(), await y.data()];
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(ys[b * 12 + j * 3 + i]).toBe(xs[b * 12 + i * 4 + j]);
    expect(() => c.matrixTranspose(c.ones([3]))).toThrow(/matrixTranspose: needs at least 2 axes/);
  });
});
