// matmul with operands read transposed equals matmul of explicitly transposed operands, and its
// transposes pass the VJP identity (through grad of each flag combination).
import { describe, expect, it } from "vitest";
import * as c from "../index.js";

describe("matmul transpose flags", () => {
  it("op(A)·op(B) for every flag combination, values and gradients", async () => {
    const k = c.random.split(c.random.key(4), 2);
    const A = c.random.normal(k[0]!, [2, 3, 5], { dtype: "float64" }), B = c.random.normal(k[1]!, [2, 5, 4], { dtype: "float64" });
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = ta ? c.transpose(A, [0, 2, 1]) : A, b = tb ? c.transpose(B, [0, 2, 1]) : B;
        const flagged = (x: c.Tensor, y: c.Tensor) => c.applyPrimitive(c.primitives.matmul, [x, y], { transposeA: ta, transposeB: tb })[0]!;
        expect(Array.from(await flagged(a, b).data())).toEqual(Array.from(await c.matmul(A, B).data()));
        const [ga, gb] = c.grad((x: c.Tensor, y: c.Tensor) => c.sum(c.sin(flagged(x, y))), { argnums: [0, 1] })(a, b);
        const [gA, gB] = c.grad((x: c.Tensor, y: c.Tensor) => c.sum(c.sin(c.matmul(x, y))), { argnums: [0, 1] })(A, B);
        const wantA = ta ? c.transpose(gA, [0, 2, 1]) : gA, wantB = tb ? c.transpose(gB, [0, 2, 1]) : gB;
        (await ga.data()).forEach((v: number, i: number) => expect(v).toBeCloseTo(wantA.dataSync()[i]!, 12));
        (await gb.data()).forEach((v: number, i: number) => expect(v).toBeCloseTo(wantB.dataSync()[i]!, 12));
      }
    }
  });
  it("grad of a matmul network needs no transpose kernels under jit", () => {
    const f = c.jit(c.grad((w: c.Tensor, x: c.Tensor) => c.sum(c.tanh(c.matmul(x, w)))));
    const kinds = f.lower(c.ones([3, 2]), c.ones([4, 3])).plan.steps.map((s) => (s.program.kind === "routine" ? s.program.spec.name : s.program.kind));
    expect(kinds.filter((k) => k === "matmul").length).toBe(2);
    expect(kinds.length).toBeLessThanOrEqual(4);
  });
});
