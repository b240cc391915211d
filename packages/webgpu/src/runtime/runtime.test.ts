// The runtime on a real device: a jitted 10-op chain is one dispatch (eager is ten, still one
// submit), reads coalesce into one submit, memory returns to the pool and stays flat across steps,
// recycled buffers read as zeros, writes into recycled memory do not overtake recorded work,
// float64 and disposed tensors fail clearly, uncaptured WebGPU errors become thrown errors, a lost
// device is an error naming it, the navigator.gpu path of browsers works, and 'auto' picks WebGPU.
import { beforeAll, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { acquireDevice } from "./acquire.js";
import { createWebGpuBackend, type WebGpuBackend } from "./backend.js";
import { describeWebGpu, useWebGpu } from "../test-support/webgpu.js";

/**
 * Ten elementwise primitives (the chain of the fusion benchmark, packages/webgpu/bench/bench.mjs); `k` holds its
 * constants, numbers or tensors.
 */
export function chain10(x: Tensor, k: Record<"a" | "b" | "z" | "one" | "q", Tensor | number>): Tensor {
  let y = c.mul(x, k.a);
  y = c.maximum(c.add(y, k.b), k.z);
  y = c.sqrt(c.add(c.mul(y, y), k.one));
  y = c.exp(c.sub(k.q, y));
  return c.add(c.tanh(y), k.one);
}
const constants = { a: 1.0001, b: 0.5, z: 0, one: 1, q: 0.25 };

describeWebGpu("WebGPU runtime", () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await useWebGpu();
  });

  it("runs a jitted chain of ten elementwise ops as one dispatch, and eagerly as ten in one submit", async () => {
    const n = 4099;
    const x = c.random.normal(c.random.key(1), [n]);
    const f = c.jit((t: Tensor) => chain10(t, constants));
    await f(x).data(); // trace, compile
    const before = { ...gpu.stats };
    const y = f(x);
    await y.data();
    expect(gpu.stats.dispatches - before.dispatches).toBe(1);
    const full = Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, c.full([n], v)])) as unknown as Record<keyof typeof constants, Tensor>;
    await Promise.all(Object.values(full).map((t) => t.data()));
    const eagerBefore = { ...gpu.stats };
    const z = chain10(x, full);
    expect(gpu.stats.dispatches - eagerBefore.dispatches).toBe(10);
    expect(gpu.stats.submits).toBe(eagerBefore.submits);
    const [a, b] = await Promise.all([y.data(), z.data()]);
    expect(gpu.stats.submits - eagerBefore.submits).toBe(1);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
  });

  it("packs the inputs of kernels that read more tensors than the adapter binds", async () => {
    const limit = gpu.context.limits.maxStorageBuffersPerShaderStage;
    const n = limit + 3;
    const xs = Array.from({ length: n }, (_, i) => c.random.normal(c.random.key(10 + i), [5, 37]));
    const ki = c.astype(c.mul(xs[0]!, 10), "int32");
    const mask = c.greater(xs[1]!, 0);
    const f = c.jit((ts: Tensor[], k: Tensor, m: Tensor) => {
      let s = c.where(m, c.astype(k, "float32"), 0);
      ts.forEach((t, i) => (s = c.add(s, c.mul(t, i + 1))));
      return [s, c.sum(c.mul(s, ts[2]!), 1)];
    });
    const lowered = f.lower(xs, ki, mask).plan;
    expect(Math.max(...lowered.steps.map((st) => st.inputs.length))).toBeGreaterThan(limit - 1);
    const before = gpu.liveBuffers();
    const [s, r] = f(xs, ki, mask) as [Tensor, Tensor];
    const got = [await s.data(), await r.data()];
    expect(gpu.liveBuffers()).toBe(before + 2);
    await c.setBackend("cpu");
    const host = async (t: Tensor) => c.array(await t.data(), [...t.shape], { dtype: t.dtype });
    const [s2, r2] = f(await Promise.all(xs.map(host)), await host(ki), await host(mask)) as [Tensor, Tensor];
    const want = [await s2.data(), await r2.data()];
    await c.setBackend("webgpu");
    want.forEach((w, j) => w.forEach((v, i) => expect(Math.abs(got[j]![i]! - v)).toBeLessThan(1e-4 * (1 + Math.abs(v)))));
  });

  it("keeps memory flat across repeated steps", async () => {
    const w = c.random.normal(c.random.key(2), [33, 17]);
    const step = c.jit((v: Tensor) => c.sub(v, c.mul(c.grad((u: Tensor) => c.sum(c.tanh(c.matmul(u, c.transpose(u)))))(v), 0.01)));
    let v = step(w);
    await v.data();
    const live = gpu.liveBuffers();
    for (let i = 0; i < 5; i++) {
      const next = step(v);
      v.dispose();
      v = next;
    }
    await v.data();
    expect(gpu.liveBuffers()).toBe(live);
  });

  it("hands out recycled memory as zeros", async () => {
    const a = gpu.alloc("float32", 300);
    gpu.write(a, Float32Array.from({ length: 300 }, (_, i) => i + 1));
    gpu.free(a);
    const b = gpu.alloc("float32", 300);
    expect(Array.from(await gpu.read(b)).every((v) => v === 0)).toBe(true);
    gpu.free(b);
  });

  it("orders writes into recycled memory after the work recorded before them", async () => {
    const x = c.array(Float32Array.from({ length: 1000 }, (_, i) => i), [1000]);
    const y = c.mul(x, 2); // recorded, not submitted
    x.dispose(); // x's buffer returns to the pool while y's kernel still reads it
    const z = c.array(new Float32Array(1000).fill(-1), [1000]); // likely the same buffer
    const [yd, zd] = await Promise.all([y.data(), z.data()]);
    expect(yd[999]).toBe(1998);
    expect(zd[0]).toBe(-1);
  });

  it("reads bool, int32 and uint32 tensors back as the CPU backend does", async () => {
    const x = c.array([-2, 0, 3], [3]);
    expect(Array.from(await c.greater(x, 0).data())).toEqual([0, 0, 1]);
    expect(await c.greater(x, 0).data()).toBeInstanceOf(Uint8Array);
    expect(Array.from(await c.astype(x, "int32").data())).toEqual([-2, 0, 3]);
    expect(await c.random.bits(c.random.key(0), [2]).data()).toBeInstanceOf(Uint32Array);
    expect(Array.from(await c.zeros([0]).data())).toEqual([]);
  });

  it("refuses float64 and disposed tensors with clear messages", async () => {
    expect(() => c.array([1, 2], [2], { dtype: "float64" })).toThrow(/webgpu backend does not support float64/);
    const t = c.ones([3]);
    t.dispose();
    expect(() => c.exp(t)).toThrow(/disposed/);
  });

  it("turns uncaptured WebGPU errors into thrown errors", async () => {
    gpu.context.device.createBuffer({ size: 4, usage: 0 }); // invalid: no usage
    await expect(gpu.sync()).rejects.toThrow(/WebGPU error on .*usage/i);
    await expect(c.ones([2]).data()).resolves.toBeDefined(); // the error was reported once
  });

  it("names what was lost when the device is lost", async () => {
    const other = createWebGpuBackend(await acquireDevice());
    const buf = other.alloc("float32", 4);
    other.context.device.destroy();
    await other.context.device.lost;
    expect(() => other.alloc("float32", 4)).toThrow(/WebGPU device on .* was lost \(destroyed/);
    await expect(other.read(buf)).rejects.toThrow(/was lost/);
  });

  it("acquires through navigator.gpu as in a browser (the same Dawn object standing in for it)", async () => {
    const via = /\((\w+), (core|compatibility)\)$/.exec(gpu.context.description)?.[1] ?? "default";
    const dawn = (await import("webgpu" as string)) as { create(flags: string[]): GPU };
    const nav = globalThis as { navigator?: unknown };
    const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", { value: { gpu: dawn.create(via === "default" ? [] : [`backend=${via}`]) }, configurable: true, writable: true });
    try {
      const ctx = await acquireDevice();
      expect(ctx.description).toMatch(/\(navigator\.gpu, (core|compatibility)\)$/);
      const b = createWebGpuBackend(ctx);
      const buf = b.alloc("float32", 3);
      b.write(buf, Float32Array.from([1, 2, 3]));
      expect(Array.from(await b.read(buf))).toEqual([1, 2, 3]);
      ctx.device.destroy();
    } finally {
      if (had) Object.defineProperty(globalThis, "navigator", had);
      else delete nav.navigator;
    }
  });

  it("is what setBackend('auto') picks on a hardware adapter; on a software one, auto keeps the CPU", async () => {
    const webgpu = await c.setBackend("webgpu");
    const b = await c.setBackend("auto");
    expect(b.name).toBe(webgpu.software ? "cpu" : "webgpu");
  });
});
