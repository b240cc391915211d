// writeSamplePanels: panels wrap after perLine on one PNG of size × size tiles, each panel paints its
// points in its colour on shared axes, and samples that are not 2-D are refused before anything is written.
import * as c from "@scm-ts/core";
import { decodePng } from "@scm-ts/io/node";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSamplePanels } from "./sample-panels.js";

const dir = mkdtempSync(join(tmpdir(), "scm-panels-"));
const pixelsOf = (png: { data: Uint8Array; channels: number }, rgb: readonly number[], x0: number, x1: number, width: number) => {
  let n = 0;
  for (let i = 0; i < png.data.length; i += png.channels) {
    const x = (i / png.channels) % width;
    if (x >= x0 && x < x1 && png.data[i] === rgb[0] && png.data[i + 1] === rgb[1] && png.data[i + 2] === rgb[2]) n++;
  }
  return n;
};

describe("writeSamplePanels", () => {
  it("tiles the panels, wrapping after perLine, each in its own colour", async () => {
    const x = c.array([0, 0, 1, 1, -1, 0.5, 0.3, -0.7], [4, 2]);
    const panels = [{ label: "a", x, color: [200, 0, 0] as const }, { label: "b", x, color: [0, 0, 200] as const }, { label: "c", x, color: [0, 200, 0] as const }];
    const file = join(dir, "p.png");
    await writeSamplePanels(file, panels, { perLine: 2, size: 120 });
    const png = decodePng(readFileSync(file), file);
    expect([png.width, png.height]).toEqual([240, 240]);
    expect(pixelsOf(png, [200, 0, 0], 0, 120, 240)).toBeGreaterThan(0);
    expect(pixelsOf(png, [200, 0, 0], 120, 240, 240)).toBe(0);
    expect(pixelsOf(png, [0, 0, 200], 120, 240, 240)).toBeGreaterThan(0);
  });

  it("refuses samples that are not [n, 2], writing nothing", async () => {
    const file = join(dir, "bad.png");
    await expect(writeSamplePanels(file, [{ label: "3-D", x: c.zeros([4, 3]), color: [0, 0, 0] }])).rejects.toThrow(/3-D has shape \[4, 3\]; panels plot 2-D samples/);
    expect(existsSync(file)).toBe(false);
  });
});
