// WebGPU against the CPU backend on random shapes chosen around the workgroup sizes (so the last
// workgroup is partial), with broadcasting: fused elementwise chains, both reduction layouts,
// matmul, the three convolutions (through conv2d and its VJP), attention and its tangent, standardisation, random streams, integer and bool
// kernels, and NaN/±Inf/−0 edge values. Tolerances are float32's. GEMM routines run in both forms:
// the adapter's own ('webgpu'; on llvmpipe operands are read from storage) and the workgroup-memory
// tiling of GPUs ('webgpu-staged', a second backend on the same device that is told it is a GPU).
import fc from "fast-check";
import { beforeAll, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { arrayArb, checkParity, fcParams, type HostArray } from "@scm-ts/testing";
import { createWebGpuBackend } from "./runtime/backend.js";
import { describeWebGpu, useWebGpu } from "./test-support/webgpu.js";

/** Sizes that straddle workgroup boundaries (64, 128, 256) and odd ones. */
const awkward = fc.oneof(fc.constantFrom(1, 63, 65, 127, 129, 255, 257, 511, 1023, 4097), fc.integer({ min: 1, max: 3000 }));
const dim = fc.integer({ min: 1, max: 9 });
const tol = { rtol: 1e-4, atol: 1e-5 };

const chain = (x: Tensor): Tensor => {
  const y = c.add(c.mul(c.tanh(c.exp(c.mul(x, 0.3))), c.sin(x)), c.sqrt(c.add(c.abs(x), 1)));
  return c.sub(c.maximum(y, c.neg(x)), c.div(x, c.add(c.square(x), 1)));
};

const gemmBackends = ["webgpu", "webgpu-staged"] as const;

describeWebGpu("WebGPU vs CPU on awkward shapes", () => {
  beforeAll(async () => {
    const { context } = await useWebGpu();
    const staged = createWebGpuBackend({ ...context, limits: { ...context.limits, cpuAdapter: false } });
    c.registerBackend("webgpu-staged", async () => staged);
  });

  it("fused elementwise chains, plain and jitted", async () => {
    const jitted = c.jit(chain);
    await fc.assert(
      fc.asyncProperty(awkward.chain((n) => arrayArb([n])), async (x) => {
        await checkParity(chain, [x], tol);
        await checkParity((t) => jitted(t), [x], tol);
      }),
      fcParams(6),
    );
  });

  it("broadcasting binary ops", async () => {
    const shapes = fc.tuple(dim, dim, fc.integer({ min: 1, max: 300 })).chain(([a, b, n]) => fc.tuple(arrayArb([a, 1, n]), arrayArb([b, 1])));
    await fc.assert(
      fc.asyncProperty(shapes, async ([x, y]) => {
        await checkParity((p, q) => [c.add(p, q), c.mul(p, q), c.maximum(p, q), c.where(c.greater(p, q), p, q)], [x, y], tol);
      }),
      fcParams(8),
    );
  });

  it("reductions, over a workgroup per output and in a loop per output", async () => {
    const shapes = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 129, max: 3000 })),
      fc.tuple(fc.integer({ min: 1000, max: 5000 }), fc.integer({ min: 1, max: 9 })),
      fc.tuple(dim, awkward),
    );
    await fc.assert(
      fc.asyncProperty(shapes.chain(([r, n]) => arrayArb([r, n])), async (x) => {
        await checkParity((t) => [c.sum(t, 1), c.max(t, 1), c.mean(t, 0), c.sum(t), c.softmax(t, 1)], [x], { rtol: 1e-4, atol: 1e-4 });
      }),
      fcParams(6),
    );
  });

  it("reductions over middle and several axes", async () => {
    const x = fc.tuple(dim, fc.integer({ min: 1, max: 300 }), dim).chain((s) => arrayArb(s));
    await fc.assert(
      fc.asyncProperty(x, async (h) => {
        await checkParity((t) => [c.sum(t, 1), c.max(t, [0, 2]), c.sum(t, [0, 1], true)], [h], { rtol: 1e-4, atol: 1e-4 });
      }),
      fcParams(8),
    );
  });

  it("matmul and its gradients with odd sizes and batches", async () => {
    const mm = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }));
    await fc.assert(
      fc.asyncProperty(mm.chain(([b, m, k, n]) => fc.tuple(arrayArb([b, m, k]), arrayArb([b, k, n]))), async ([a, b]) => {
        // The VJP reads operands transposed in place (transposeA/B).
        const withGrads = (p: Tensor, q: Tensor): unknown => {
          const [y, pullback] = c.vjp((u: Tensor, v: Tensor) => c.matmul(u, v), p, q);
          return [y, pullback(c.sin(y))];
        };
        for (const g of gemmBackends) await checkParity(withGrads, [a, b], { rtol: 1e-4, atol: 1e-4, backends: [g, "cpu"] });
      }),
      fcParams(8),
    );
    const big: [HostArray, HostArray] = [arbitrary([131, 67]), arbitrary([67, 129])];
    for (const g of gemmBackends) await checkParity((p, q) => c.matmul(p, q), big, { rtol: 1e-4, atol: 1e-4, backends: [g, "cpu"] });
  });

  it("conv2d and both of its gradients (stride, padding, groups)", async () => {
    const cfg = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cg: fc.integer({ min: 1, max: 3 }),
      og: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 3, max: 9 }),
      w: fc.integer({ min: 3, max: 9 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 1 }),
    });
    await fc.assert(
      fc.asyncProperty(
        cfg.chain((k) => fc.tuple(fc.constant(k), arrayArb([k.n, k.cg * k.groups, k.h, k.w]), arrayArb([k.og * k.groups, k.cg, k.kh, k.kw]))),
        async ([k, x, w]) => {
          const opts = { stride: k.s, padding: k.p, groups: k.groups };
          const f = (p: Tensor, q: Tensor): Tensor => c.conv2d(p, q, opts);
          const withGrads = (p: Tensor, q: Tensor): unknown => {
            const [y, pullback] = c.vjp(f, p, q);
            return [y, pullback(c.cos(y))];
          };
          for (const g of gemmBackends) await checkParity(withGrads, [x, w], { rtol: 1e-4, atol: 1e-4, backends: [g, "cpu"] });
        },
      ),
      fcParams(10),
    );
  });

  it("attention and its tangent (one online-softmax pass) against the composed reference on the CPU", async () => {
    // rows straddle the 64-invocation workgroup; widths and key counts are odd
    const cfg = fc.record({ b: fc.integer({ min: 1, max: 3 }), n: fc.oneof(fc.constantFrom(1, 63, 65, 129), fc.integer({ min: 1, max: 90 })), m: fc.integer({ min: 1, max: 77 }), d: fc.integer({ min: 1, max: 13 }), dv: fc.integer({ min: 1, max: 11 }) });
    const composed = (q: Tensor, k: Tensor, v: Tensor): Tensor => c.matmul(c.softmax(c.mul(c.matmul(q, c.transpose(k, [0, 2, 1])), 1 / Math.sqrt(q.shape[2]!)), -1), v);
    const pick = () => (c.getBackend().name === "cpu" ? composed : (a: Tensor, b: Tensor, e: Tensor) => c.attention(a, b, e));
    const fwdJvp = (q: Tensor, k: Tensor, v: Tensor, tq: Tensor, tk: Tensor, tv: Tensor): unknown => c.jvp(pick(), [q, k, v], [tq, tk, tv]);
    await fc.assert(
      fc.asyncProperty(
        cfg.chain(({ b, n, m, d, dv }) => fc.tuple(...[[b, n, d], [b, m, d], [b, m, dv], [b, n, d], [b, m, d], [b, m, dv]].map((s) => arrayArb(s)))),
        async (xs) => {
          await checkParity(fwdJvp, xs, { rtol: 2e-4, atol: 2e-5 });
        },
      ),
      fcParams(8),
    );
    // under jit the pair becomes one attentionJvp routine writing [y; t_y]
    const jitted = c.jit((q: Tensor, k: Tensor, v: Tensor, tq: Tensor, tk: Tensor, tv: Tensor) => c.jvp(pick(), [q, k, v], [tq, tk, tv]));
    const shapes = [[3, 65, 7], [3, 19, 7], [3, 19, 5]];
    await checkParity(jitted, [...shapes, ...shapes].map((s, i) => arbitrary(s, 1 + i / 4)), { rtol: 2e-4, atol: 2e-5 });
    // reverse mode goes through the tangent routine's transpose: the attentionBwdQ/KV routines here
    const vjp = (q: Tensor, k: Tensor, v: Tensor, ct: Tensor): unknown => c.vjp(pick(), q, k, v)[1](ct);
    await checkParity(vjp, [arbitrary([2, 67, 5]), arbitrary([2, 31, 5]), arbitrary([2, 31, 3]), arbitrary([2, 67, 3])], { rtol: 2e-4, atol: 2e-5 });
  });

  it("standardisation (group norm rows) and its tangent against the composed reference on the CPU", async () => {
    // row lengths straddle the 64- and 256-invocation workgroups
    const shapes = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.oneof(fc.constantFrom(2, 63, 65, 255, 257, 1000), fc.integer({ min: 2, max: 700 })));
    const composed = (x: Tensor): Tensor => {
      const xc = c.sub(x, c.mean(x, -1, true));
      return c.mul(xc, c.rsqrt(c.add(c.mean(c.square(xc), -1, true), 1e-5)));
    };
    const fn = (x: Tensor, t: Tensor, ct: Tensor): unknown => {
      const f = c.getBackend().name === "cpu" ? composed : (a: Tensor) => c.standardize(a);
      return [c.jvp(f, [x], [t]), c.vjp(f, x)[1](ct)];
    };
    await fc.assert(
      fc.asyncProperty(shapes.chain(([r, l]) => fc.tuple(arrayArb([r, l]), arrayArb([r, l]), arrayArb([r, l]))), async (xs) => {
        await checkParity(fn, xs, { rtol: 2e-4, atol: 2e-4 });
      }),
      fcParams(6),
    );
    // under jit the pair becomes one standardizeJvp routine writing [y; t_y]
    const jitted = c.jit((x: Tensor, t: Tensor) => c.jvp(c.getBackend().name === "cpu" ? composed : (a: Tensor) => c.standardize(a), [x], [t]));
    await checkParity(jitted, [arbitrary([5, 3, 301]), arbitrary([5, 3, 301], 2)], { rtol: 2e-4, atol: 2e-4 });
  });

  it("random streams are the same stream on both backends", async () => {
    await checkParity(() => [c.random.bits(c.random.key(3), [1001]), c.random.uniform(c.random.key(4), [257]), c.random.normal(c.random.key(5), [33, 3])], [], { rtol: 1e-6, atol: 1e-6 });
  });

  it("integer and bool kernels", async () => {
    const x = arbitrary([517], 20);
    await checkParity(
      (t) => {
        const i = c.astype(t, "int32");
        const u = c.astype(c.abs(t), "uint32");
        const b = c.greater(t, 0);
        return [i, c.add(c.mul(i, 3), 7), c.maximum(i, c.neg(i)), u, c.astype(b, "float32"), c.where(b, i, c.sub(i, 1)), c.astype(c.equal(i, c.astype(t, "int32")), "int32")];
      },
      [x],
      { rtol: 0, atol: 0 },
    );
  });

  it("NaN, ±Inf and −0 behave as on the CPU", async () => {
    const special: HostArray = { shape: [12], data: Float64Array.from([NaN, Infinity, -Infinity, -0, 0, 1, -1, 2.5, -2.5, 100, -100, 1e30]) };
    const other: HostArray = { shape: [12], data: Float64Array.from([1, NaN, 2, -0, 0, 0, 0, -3, 3, 1e4, -2, 3]) };
    await checkParity(
      (x, y) => [c.maximum(x, y), c.max(c.reshape(x, [3, 4]), 1), c.exp(x), c.log(x), c.sqrt(x), c.div(x, y), c.tanh(x), c.pow(x, y), c.sign(x), c.atan(x), c.cos(c.minimum(x, 1e4)), c.sin(c.minimum(x, 1e4)), c.where(c.less(x, y), x, y)],
      [special, other],
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  it("sin and cos of large arguments keep float32 accuracy", async () => {
    const x: HostArray = { shape: [8], data: Float64Array.from([1e3, -1e3, 12345.678, 3e4, -49999.5, 4321.5, 6.2831855, -3.14159]) };
    await checkParity((t) => [c.sin(t), c.cos(t)], [x], { rtol: 0, atol: 2e-6 });
  });
});

/** Deterministic host data of a shape (values in [−scale, scale]). */
function arbitrary(shape: number[], scale = 1): HostArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, (_, i) => scale * Math.sin(1.7 * i + 0.3 * (i % 7))) };
}
