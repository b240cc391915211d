// Histograms: the bar heights are densities count/(n·width) that integrate to the share of finite values
// inside the range (a property over random data, fixed seed), NaN and ±∞ are left out, and the plot paints
// each bar at the height the density axis gives it, series overlapping translucently.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogramDensity, histogramPlot, histogramRange } from "./histogram-plot.js";
import { plotFrame } from "./plot-frame.js";
import type { RasterImage } from "./raster-image.js";

const pixel = (img: RasterImage, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x + 1) * 3)];

describe("histogramDensity", () => {
  it("integrates to the share of finite values inside the range", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (values, bins) => {
        const range = { min: -20, max: 30 };
        const d = histogramDensity(values, range, bins);
        const width = (range.max - range.min) / bins;
        const inside = values.filter((v) => v >= range.min && v <= range.max).length / values.length;
        expect(d.reduce((s, v) => s + v * width, 0)).toBeCloseTo(inside, 10);
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it("skips NaN and ±∞, puts the right edge in the last bin, and refuses bad bins or ranges", () => {
    const d = histogramDensity([0, 0.5, 1, NaN, Infinity, -Infinity], { min: 0, max: 1 }, 2);
    // 0 in the first bin; 0.5 (a left edge) and 1 (the right edge) in the second; n = 3 finite values.
    expect([...d]).toEqual([1 / 3 / 0.5, 2 / 3 / 0.5]);
    expect(() => histogramDensity([1], { min: 0, max: 1 }, 0)).toThrow(/bins must be a positive whole number/);
    expect(() => histogramDensity([1], { min: 1, max: 1 }, 3)).toThrow(/max > min/);
  });

  it("ranges: the values' span with a 5% margin; a single value gets a margin of its own size", () => {
    expect(histogramRange([{ values: [0, 10] }, { values: [NaN, 20] }])).toEqual({ min: -1, max: 21 });
    expect(histogramRange([{ values: [1000] }])).toEqual({ min: 500, max: 1500 });
    expect(histogramRange([{ values: [0] }])).toEqual({ min: -1, max: 1 });
    expect(histogramRange([{ values: [NaN] }])).toEqual({ min: -1, max: 1 });
  });
});

describe("histogramPlot", () => {
  it("paints each bar up to its density and leaves empty bins white", () => {
    // Three values in [0, 1) and one in [3, 4) over [0, 4] in 4 bins: densities 0.75, 0, 0, 0.25.
    const opts = { width: 240, height: 200, x: { min: 0, max: 4 }, bins: 4, yMax: 1 } as const;
    const img = histogramPlot([{ values: [0.1, 0.5, 0.9, 3.5], color: [200, 0, 0] }], opts);
    const frame = plotFrame(240, 200, opts.x, { min: 0, max: 1 }, { yLabel: "density" });
    const red = (x: number, y: number) => pixel(img, Math.round(frame.px(x)), Math.round(frame.py(y)));
    expect(red(0.5, 0.7)[0]).toBeGreaterThan(150);
    expect(red(0.5, 0.7)[1]).toBeLessThan(100);
    expect(red(0.5, 0.85)).toEqual([255, 255, 255]);
    expect(red(3.5, 0.2)[1]).toBeLessThan(100);
    expect(red(3.5, 0.3)).toEqual([255, 255, 255]);
    expect(red(1.5, 0.1)).toEqual([255, 255, 255]);
  });
});
