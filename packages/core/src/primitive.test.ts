// The compiler demands the rules a primitive needs: a JVP for every primitive and a transpose for
// linear ones (checked by `tsc` through the @ts-expect-error lines), and every registered primitive
// is a well-formed definition at run time.
import { describe, expect, it } from "vitest";
import { defineOp } from "./primitive.js";
import { primitives } from "./ops/registry.js";

describe("primitive definitions", () => {
  it("reject a linear primitive without a transpose rule, and any primitive without a JVP rule", () => {
    const base = { name: "t", abstractEval: () => [], lower: { kind: "inline" as const } };
    // @ts-expect-error — kind 'linear' requires `transpose`
    defineOp({ ...base, kind: "linear", jvp: () => [[], []] });
    // @ts-expect-error — every primitive requires `jvp`
    defineOp({ ...base, kind: "nonlinear" });
    expect(defineOp({ ...base, kind: "nonlinear", jvp: () => [[], []] }).kind).toBe("nonlinear");
  });
  it("every registered primitive has its rules", () => {
    for (const [name, op] of Object.entries(primitives)) {
      expect(typeof op.jvp, name).toBe("function");
      expect(typeof op.abstractEval, name).toBe("function");
      if (op.kind === "linear") expect(typeof op.transpose, name).toBe("function");
    }
  });
});
