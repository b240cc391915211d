// Hash-consing keeps distinct constants apart (-0 is not 0) and merges equal subexpressions.
import { describe, expect, it } from "vitest";
import { binary, exprKey, gidx, idx, konst } from "./expr.js";

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
});
