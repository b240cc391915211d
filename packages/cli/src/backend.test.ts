// --backend webgpu without Dawn: the CLI stops at once and says how to install it.
import { describe, expect, it } from "vitest";
import { dawnMissing, requireDawn } from "./backend.js";

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
