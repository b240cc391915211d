// Users never count references: 10,000 iterations of jvp + grad on a small MLP inside tidy keep the
// backend's live-buffer count flat, and transforms release their own intermediates.
import { describe, expect, it } from "vitest";
import * as c from "./index.js";
import type { Tensor } from "./index.js";

type Params = { w1: Tensor; b1: Tensor; w2: Tensor };
const mlp = (p: Params, x: Tensor) => c.matmul(c.silu(c.add(c.matmul(x, p.w1), p.b1)), p.w2);

describe("memory", () => {
  it("holds a flat live-buffer line over 10,000 jvp + grad iterations", () => {
    const backend = c.getBackend();
    const k = c.random.split(c.random.key(0), 3);
    const params: Params = { w1: c.random.normal(k[0]!, [4, 8]), b1: c.zeros([8]), w2: c.random.normal(k[1]!, [8, 2]) };
    const x = c.random.normal(k[2]!, [3, 4]), v = c.ones([3, 4]);
    const step = () =>
      c.tidy(() => {
        const [, dy] = c.jvp((xx: Tensor) => mlp(params, xx), [x], [v]);
        const g = c.grad((p: Params) => c.mean(c.square(c.sub(mlp(p, x), c.stopGradient(dy)))))(params) as Params;
        return c.sum(g.w1);
      });
    step().dispose();
    const start = backend.liveBuffers();
    const samples: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      step().dispose();
      if (i % 1000 === 999) samples.push(backend.liveBuffers());
    }
    expect(samples).toEqual(samples.map(() => start));
  }, 300_000);

  it("tidy keeps what it returns and releases the rest", () => {
    const backend = c.getBackend();
    const before = backend.liveBuffers();
    const kept = c.tidy(() => {
      const a = c.ones([10]);
      const b = c.exp(a);
      return { b, n: 3 };
    });
    expect(backend.liveBuffers()).toBe(before + 1);
    kept.b.dispose();
    expect(backend.liveBuffers()).toBe(before);
  });
});
