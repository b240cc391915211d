import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { treeDefEqual, treeFlatten, treeMap, treeUnflatten } from "./pytree.js";

const treeArb = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: "small" }, fc.integer(), fc.constant(null), fc.array(tie("tree"), { maxLength: 3 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), tie("tree"), { maxKeys: 3 })),
})).tree;

describe("pytrees", () => {
  it("unflatten(flatten(t)) = t", () => {
    fc.assert(
      fc.property(treeArb, (t) => {
        const [leaves, def] = treeFlatten(t);
        expect(treeUnflatten(def, leaves)).toEqual(t);
      }),
      { seed: 1, numRuns: 200 },
    );
  });
  it("map keeps the structure", () => {
    const t = { a: [1, 2], b: { c: 3 } };
    expect(treeMap(t, (x: number) => x * 10)).toEqual({ a: [10, 20], b: { c: 30 } });
    expect(treeDefEqual(treeFlatten(t)[1], treeFlatten(treeMap(t, String))[1])).toBe(true);
  });
  it("rejects a wrong number of leaves", () => {
    const [, def] = treeFlatten([1, 2]);
    expect(() => treeUnflatten(def, [1])).toThrow(/too few leaves/);
    expect(() => treeUnflatten(def, [1, 2, 3])).toThrow(/3 leaves/);
  });
});
