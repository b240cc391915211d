// Bad input is an error thrown at trace time whose message names the op and the offending shapes or
// values — in eager mode, under jvp/grad, and while tracing for jit.
import { describe, expect, it } from "vitest";
import * as c from "./index.js";
import type { Tensor } from "./index.js";

const modes: [string, (f: () => unknown) => unknown][] = [
  ["eager", (f) => f()],
  ["jit", (f) => c.jit(() => f())()],
  ["jvp", (f) => c.jvp((x: Tensor) => c.add(x, (f() as Tensor) ?? x), [c.ones([1])], [c.ones([1])])],
];

describe("bad input", () => {
  for (const [mode, run] of modes) {
    it(`mismatched shapes and dtypes (${mode})`, () => {
      expect(() => run(() => c.add(c.ones([2, 3]), c.ones([4])))).toThrow(/add: shapes \[2,3\] and \[4\]/);
      expect(() => run(() => c.mul(c.ones([2]), c.ones([2], { dtype: "int32" })))).toThrow(/mul: dtypes differ .*float32\[2\].*int32\[2\]/);
      expect(() => run(() => c.matmul(c.ones([2, 3]), c.ones([4, 5])))).toThrow(/matmul: inner dimensions differ: float32\[2,3\] · float32\[4,5\]/);
      expect(() => run(() => c.reshape(c.ones([2, 3]), [4]))).toThrow(/reshape: cannot reshape float32\[2,3\] to \[4\]/);
      expect(() => run(() => c.conv2d(c.ones([1, 3, 8, 8]), c.ones([4, 2, 3, 3])))).toThrow(/conv2d: weights have 2 input channels per group, input has 3 channels/);
    });
    it(`axes out of range (${mode})`, () => {
      expect(() => run(() => c.sum(c.ones([2, 3]), 2))).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
      expect(() => run(() => c.softmax(c.ones([2]), 3))).toThrow(/axis 3 is out of range/);
      expect(() => run(() => c.transpose(c.ones([2, 3]), [0, 0]))).toThrow(/transpose/);
    });
  }
  it("mismatched primal and tangent trees", () => {
    const f = (a: Tensor, b: Tensor) => c.add(a, b);
    expect(() => c.jvp(f, [c.ones([2]), c.ones([2])], [c.ones([2])] as never)).toThrow(/jvp: primals have structure \[\*,\*\] but tangents have \[\*\]/);
    expect(() => c.jvp(f, [c.ones([2]), c.ones([2])], [c.ones([2]), c.ones([3])])).toThrow(/jvp: leaf 1: primal float32\[2\] and tangent float32\[3\]/);
  });
  it("non-differentiable inputs and outputs of grad", () => {
    expect(() => c.grad((x: Tensor) => c.sum(x))(c.ones([2], { dtype: "int32" }))).toThrow(/grad: argument 0 leaf 0 is int32\[2\]; only float inputs are differentiable/);
    expect(() => c.grad((x: Tensor) => x)(c.ones([2]))).toThrow(/grad: f must return a float scalar, got float32\[2\]/);
    expect(() => c.grad((x: number) => c.ones([1]).mul(x) as Tensor)(3 as never)).toThrow(/grad: argument 0 leaf 0 is 3; only tensors can be differentiated/);
    expect(() => c.grad((x: Tensor) => c.sum(x), { argnums: 2 })(c.ones([1]))).toThrow(/argnums 2 is out of range/);
  });
  it("tracers that escape and values read inside jit", () => {
    let leaked: Tensor | undefined;
    c.jvp((x: Tensor) => (leaked = c.sin(x)), [c.ones([1])], [c.ones([1])]);
    expect(() => c.add(leaked!, 1).dataSync()).not.toThrow(); // a JVP tracer's primal is concrete
    expect(() => c.jit((x: Tensor) => (x.dataSync(), x))(c.ones([1]))).toThrow(/cannot read the values of a traced tensor/);
  });
  it("invalid creation arguments", () => {
    expect(() => c.array([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => c.zeros([2, -1])).toThrow(/invalid shape/);
    expect(() => c.ones([2], { dtype: "float16" as never })).toThrow(/unknown dtype "float16"/);
    expect(() => c.random.key(-1)).toThrow(/seed must be a non-negative/);
  });
  it("disposed tensors", () => {
    const x = c.ones([2]);
    x.dispose();
    expect(() => c.add(x, 1)).toThrow(/use of a disposed tensor float32\[2\]/);
  });
});
