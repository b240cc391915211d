// Hash-consing keeps distinct constants apart (-0 is not 0) and merges equal subexpressions; index
// arithmetic simplifies by bounds, and the digits of a flattened index rejoin into one remainder.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { binary, exprKey, gidx, idx, konst, ridx, type Expr } from "./expr.js";

describe("kernel IR", () => {
  it("keeps -0 and 0 apart and shares equal nodes", () => {
    expect(konst(-0, "float32")).not.toBe(konst(0, "float32"));
    expect(exprKey(konst(-0, "float32"))).not.toBe(exprKey(konst(0, "float32")));
    expect(binary("ADD", gidx(10), idx(1))).toBe(binary("ADD", gidx(10), idx(1)));
  });
  it("simplifies index arithmetic with known bounds", () => {
    expect(binary("MOD", gidx(8), idx(8))).toBe(gidx(8));
    expect(binary("IDIV", gidx(8), idx(8))).toBe(idx(0));
  });
  it("rejoins ((x / c) % m)·c + x % c into x % (c·m), alone or after another term, with the same values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), (c, m, blocks, withTerm) => {
        const size = c * m * blocks * 2, r = ridx(size);
        const digits = (x: Expr) => binary("ADD", binary("MUL", binary("MOD", binary("IDIV", x, idx(c)), idx(m)), idx(c)), binary("MOD", x, idx(c)));
        const lead = binary("MUL", binary("IDIV", r, idx(c * m)), idx(7));
        const e = withTerm ? binary("ADD", binary("ADD", lead, binary("MUL", binary("MOD", binary("IDIV", r, idx(c)), idx(m)), idx(c))), binary("MOD", r, idx(c))) : digits(r);
        const want = withTerm ? binary("ADD", lead, binary("MOD", r, idx(c * m))) : binary("MOD", r, idx(c * m));
        expect(e).toBe(want);
        // the identity itself, at every index
        for (let x = 0; x < size; x++) expect((Math.trunc(x / c) % m) * c + (x % c)).toBe(x % (c * m));
      }),
      { seed: 31, numRuns: 50 },
    );
  });
});
