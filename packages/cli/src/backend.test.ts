// --backend webgpu without Dawn: the CLI stops at once and says how to install it; --backend auto is
// the library's setBackend("auto"), one decision for both; --backend cpu registers the native
// convolutions (the oneDNN addon, built at install where CI builds it) and says so.
import * as c from "@scm-ts/core";
import { describe, expect, it } from "vitest";
import { dawnMissing, requireDawn, selectBackend } from "./backend.js";

describe("requireDawn", () => {
  it("names the package and the install command when 'webgpu' cannot be resolved", () => {
    const missing = (s: string): string => {
      throw new Error(`Cannot find package '${s}'`);
    };
    expect(() => requireDawn(missing)).toThrow(dawnMissing);
    expect(dawnMissing).toMatch(/npm install webgpu/);
  });
  it("passes when the package resolves (it is a dev dependency of the workspace)", () => {
    expect(() => requireDawn()).not.toThrow();
  });
});

describe("selectBackend", () => {
  it("puts the CPU backend's convolutions on the native path and names it in its line", async () => {
    expect(await selectBackend("cpu")).toMatch(/^backend: cpu; cpu convolutions: native \(oneDNN \d+\.\d+\.\d+\)$/);
    expect(c.nativeCpu()?.name).toMatch(/^oneDNN/);
  });
});

describe("--backend auto", () => {
  it("is core's setBackend('auto') decision, WebGPU loaded when Dawn is installed", async () => {
    await selectBackend("auto");
    expect(c.getBackend().name).toBe((await c.chooseAutoBackend()).name);
    await c.setBackend("cpu");
  }, 60_000);
});
