// Image grids and plots: grids place every pixel of every tile exactly (value ranges, clipping, layout,
// padding) and survive PNG encoding; the rasteriser's lines, text and clipping behave; scatter and line
// plots paint the data where the axes say, and loss curves come from a JSONL log to a PNG file.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { array } from "@scm-ts/core";
import { canvas, drawLine, drawText, textWidth, type Rgb } from "./canvas.js";
import { openEventLog } from "./event-log-file.js";
import { imageGrid, imageGridFromHost } from "./image-grid.js";
import { linePlot } from "./line-plot.js";
import { writeImageGrid, writeLossCurves } from "./plot-files.js";
import fc from "fast-check";
import { formatTick, maxTickLabelLength, niceTicks, plotFrame, tickLabels } from "./plot-frame.js";
import { encodePng } from "./png-encode.js";
import { decodePng as decodeNamed } from "./png-decode.js";
import type { RasterImage } from "./raster-image.js";
import { scatterPlot } from "./scatter-plot.js";
import { settle } from "@scm-ts/testing";
import { IoError } from "./io-error.js";

const decodePng = (bytes: Uint8Array): RasterImage => decodeNamed(bytes, "plot.png");
const pixel = (img: RasterImage, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels)];
const count = (img: RasterImage, color: Rgb): number => {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 3) if (img.data[i] === color[0] && img.data[i + 1] === color[1] && img.data[i + 2] === color[2]) n++;
  return n;
};

describe("image grids", () => {
  it("tiles [N, C, H, W] in [−1, 1] with exact pixels, padding and layout, through PNG", async () => {
    // Three RGB 2×2 images; channel c of image k at (x, y) = −1 + (k + c + x + 2y)/4, clipped at 1.
    const n = 3, c = 3, h = 2, w = 2;
    const values = Array.from({ length: n * c * h * w }, (_, i) => {
      const x = i % w, y = Math.floor(i / w) % h, ch = Math.floor(i / (w * h)) % c, k = Math.floor(i / (w * h * c));
      return -1 + (k + ch + x + 2 * y) / 4;
    });
    const grid = await imageGrid(array(values, [n, c, h, w]), { columns: 2, padding: 1, padValue: 7 });
    expect([grid.width, grid.height, grid.channels]).toEqual([2 * 3 + 1, 2 * 3 + 1, 3]);
    const byte = (v: number): number => Math.round(Math.min(255, Math.max(0, ((v + 1) / 2) * 255)));
    for (let k = 0; k < n; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const gx = 1 + (k % 2) * 3 + x, gy = 1 + Math.floor(k / 2) * 3 + y;
          expect(pixel(grid, gx, gy)).toEqual([0, 1, 2].map((ch) => byte(-1 + (k + ch + x + 2 * y) / 4)));
        }
      }
    }
    expect(pixel(grid, 0, 0)).toEqual([7, 7, 7]);
    expect(pixel(grid, 5, 5)).toEqual([7, 7, 7]); // the empty fourth tile
    expect(Buffer.from(decodePng(encodePng(grid)).data).equals(Buffer.from(grid.data))).toBe(true);
  });

  it("maps [0, 1] gray images, clips out-of-range values and NaN, and writes a PNG file", async () => {
    const img = imageGridFromHost({ dtype: "float32", shape: [1, 1, 1, 4], data: Float32Array.of(0, 0.5, 2, NaN) }, { valueRange: [0, 1], padding: 0 });
    expect([img.channels, img.width, img.height, ...img.data]).toEqual([1, 4, 1, 0, 128, 255, 0]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "scm-grid-")), "grid.png");
    await writeImageGrid(file, array([0.5, -0.5, 1, -1], [4, 1, 1, 1]));
    expect(decodePng(new Uint8Array(readFileSync(file))).width).toBe(2 * 1 + 3 * 2);
    const bad = await settle(writeImageGrid(file, array([1, 2], [2])), IoError);
    expect(E.isLeft(bad) && bad.left.message).toMatch(/grid\.png: imageGrid: images have shape \[2\]; pass \[N, C, H, W\]/);
    expect(() => imageGridFromHost({ dtype: "float32", shape: [1, 2, 1, 1], data: new Float32Array(2) })).toThrow(/2 channels/);
  });
});

describe("rasteriser", () => {
  it("draws lines between exact endpoints and clips far-away ones quickly", () => {
    const img = canvas(10, 10);
    drawLine(img, 1, 1, 8, 4, [255, 0, 0]);
    expect(pixel(img, 1, 1)).toEqual([255, 0, 0]);
    expect(pixel(img, 8, 4)).toEqual([255, 0, 0]);
    expect(count(img, [255, 0, 0])).toBe(8);
    const t0 = performance.now();
    drawLine(img, -1e9, 5, 1e9, 5, [0, 0, 255]);
    drawLine(img, -1e9, -1e9, -5e8, -1e9, [0, 0, 255]);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(count(img, [0, 0, 255])).toBe(10);
  });

  it("draws text glyphs", () => {
    const img = canvas(20, 9);
    drawText(img, "1-", 1, 1, [0, 0, 0]);
    expect(textWidth("1-")).toBe(11);
    // "1" has 10 set pixels, "-" has 5.
    expect(count(img, [0, 0, 0])).toBe(15);
  });

  it("chooses nice ticks and short labels", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    expect(niceTicks(-3.2, 7.9, 5)).toEqual([-2, 0, 2, 4, 6]);
    expect(niceTicks(0, 10000)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect([formatTick(0.6000000000000001), formatTick(2e-5), formatTick(250000), formatTick(-2)]).toEqual(["0.6", "2e-5", "3e5", "-2"]);
  });

  it("labels ticks apart when the short labels collide: more digits, then an offset", () => {
    expect(tickLabels(niceTicks(0, 1))).toEqual({ labels: ["0", "0.2", "0.4", "0.6", "0.8", "1"] });
    expect(tickLabels(niceTicks(12.31, 12.39))).toEqual({ labels: ["12.32", "12.34", "12.36", "12.38"] });
    expect(tickLabels(niceTicks(100000.0004, 100000.0096))).toEqual({ labels: ["0", "0.002", "0.004", "0.006"], offset: "100000.002" });
    expect(tickLabels(niceTicks(-3e7, -3e7 + 40))).toEqual({ labels: ["0", "10", "20", "30", "40"], offset: "-30000000" });
  });

  it("tick labels are distinct, short, and read back to their ticks (property)", () => {
    const scale = fc.integer({ min: -12, max: 12 }).map((e) => 10 ** e);
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), scale, fc.double({ min: 1, max: 10, noNaN: true }), (center, spread, k) => {
        const ticks = niceTicks(center, center + spread * k);
        fc.pre(ticks.length >= 2 && ticks[1]! - ticks[0]! > Math.abs(center) * 1e-13);
        const { labels, offset } = tickLabels(ticks);
        expect(new Set(labels).size).toBe(labels.length);
        const step = ticks[1]! - ticks[0]!;
        ticks.forEach((t, i) => expect(Math.abs(Number(offset ?? 0) + Number(labels[i]) - t)).toBeLessThan(step / 2));
        if (offset !== undefined) expect(Math.max(...labels.map((l) => l.length))).toBeLessThanOrEqual(maxTickLabelLength);
      }),
      { seed: 17, numRuns: 400 },
    );
  });
});

describe("plots", () => {
  it("scatter plots paint each series where the axes put its points", () => {
    const frame = plotFrame(200, 160, { min: 0, max: 10 }, { min: 0, max: 10 });
    const img = scatterPlot(
      [
        { points: Float64Array.of(2, 2, 2, 2, 2, 2), color: [0, 0, 255], label: "data" },
        { points: Float32Array.of(8, 5), color: [255, 0, 0] },
      ],
      { width: 200, height: 160, x: { min: 0, max: 10 }, y: { min: 0, max: 10 }, binSize: 1 },
    );
    expect(pixel(img, Math.floor(frame.px(2)), Math.floor(frame.py(2)))).toEqual([0, 0, 255]);
    const lone = pixel(img, Math.floor(frame.px(8)), Math.floor(frame.py(5)));
    expect(lone[0]).toBe(255);
    expect(lone[2]).toBeLessThan(255);
    expect(pixel(img, Math.floor(frame.px(5.5)), Math.floor(frame.py(7.3)))).toEqual([255, 255, 255]);
    expect(() => scatterPlot([{ points: [1, 2, 3], color: [0, 0, 0] }])).toThrow(/3 coordinates/);
  });

  it("line plots draw the curve and break it at non-finite values", () => {
    const opts = { width: 300, height: 200, logY: false } as const;
    const img = linePlot([{ x: [0, 1, 2, 3], y: [0, 1, NaN, 3], color: [0, 200, 0] }], opts);
    const ys = [0, 3];
    const frame = plotFrame(300, 200, { min: -0.15, max: 3.15 }, { min: ys[0]! - 0.15, max: ys[1]! + 0.15 });
    expect(pixel(img, Math.round(frame.px(1)), Math.round(frame.py(1)))).toEqual([0, 200, 0]);
    // No segment between x = 1 and x = 3 (the NaN at x = 2 breaks it).
    expect(pixel(img, Math.round(frame.px(2)), Math.round(frame.py(2)))).not.toEqual([0, 200, 0]);
  });

  it("loss curves from a JSONL log become a PNG; a log without the keys is a clear IoError", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "scm-plot-"));
    const logFile = path.join(dir, "events.jsonl");
    const log = await openEventLog(logFile);
    for (let step = 1; step <= 50; step++) log.append({ type: "train", step, loss: 1 / step, lossEma: NaN });
    log.close();
    const png = path.join(dir, "loss.png");
    await writeLossCurves(logFile, png, { title: "Loss", smoothing: 0.5 });
    const image = decodePng(new Uint8Array(readFileSync(png)));
    expect([image.width, image.height, image.channels]).toEqual([640, 400, 3]);
    const none = await settle(writeLossCurves(logFile, png, { keys: ["accuracy"] }), IoError);
    expect(E.isLeft(none) && none.left.message).toMatch(/events\.jsonl: no event has both "step" and any of "accuracy" as numbers/);
  });
});
