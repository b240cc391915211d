// 'auto' is one decision (chooseAutoBackend, which the CLI's --backend auto uses too): the CPU when no
// WebGPU backend is registered; WebGPU when it comes up on a hardware adapter; the CPU, with one line
// saying why, when WebGPU has no adapter or only a software one (slower than the CPU backend). The
// WebGPU backend here is a stand-in: the CPU backend under the name "webgpu", hardware or software.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as c from "./index.js";

/** A stand-in "webgpu" backend that computes on the CPU backend and reports `software`. */
function registerStandIn(software: boolean): void {
  c.registerBackend("webgpu", async () => {
    const cpu = await c.setBackend("cpu");
    return Object.create(cpu, { name: { value: "webgpu" }, software: { value: software }, description: { value: software ? "llvmpipe (LLVM 19, 256 bits)" : "a GPU" } }) as c.Backend;
  });
}

afterEach(async () => {
  vi.restoreAllMocks();
  await c.setBackend("cpu");
});

describe("setBackend('auto')", () => {
  it("is the CPU, silently, when no WebGPU backend is registered", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await c.chooseAutoBackend()).toEqual({ name: "cpu" });
    expect((await c.setBackend("auto")).name).toBe("cpu");
    expect(warn).not.toHaveBeenCalled();
  });

  it("is WebGPU on a hardware adapter", async () => {
    registerStandIn(false);
    expect(await c.chooseAutoBackend()).toEqual({ name: "webgpu" });
    expect((await c.setBackend("auto")).name).toBe("webgpu");
  });

  it("keeps the CPU over a software adapter and says so in one line, once", async () => {
    registerStandIn(true);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect((await c.setBackend("auto")).name).toBe("cpu");
    await c.setBackend("auto");
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    expect(line).toMatch(/^scm-ts: the WebGPU adapter \(llvmpipe \(LLVM 19, 256 bits\)\) is a software one, slower than the CPU; using the CPU backend/);
    expect(line).not.toMatch(/\n/);
    // Asked for by name, the software adapter is used.
    expect((await c.setBackend("webgpu")).name).toBe("webgpu");
  });

  it("keeps the CPU when WebGPU has no adapter, with the reason in one line", async () => {
    c.registerBackend("webgpu", async () => {
      throw new Error("no WebGPU adapter: tried opengles (compatibility).\nmore detail");
    });
    const choice = await c.chooseAutoBackend();
    expect(choice.name).toBe("cpu");
    expect(choice.note).toBe("scm-ts: WebGPU is unavailable (no WebGPU adapter: tried opengles (compatibility).); using the CPU backend");
  });
});
