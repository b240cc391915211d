// Parameter and FLOP counts: exact on a single product, DiT-XL/2 matches the DiT paper (675.1 M
// parameters less the fixed position table and the null-class row; 118.6 GMACs), counting allocates
// nothing, and every preset gets a row of the report table.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { describe, expect, test } from "vitest";
import { dit, ditPresets } from "./dit.js";
import { mlp, mlpPresets } from "./mlp.js";
import { countFlops, countParams, formatReports, modelReport } from "./report.js";
import { unet, unetPresets } from "./unet.js";

describe("model report", () => {
  test("counts a matrix product and an elementwise op exactly", () => {
    const j = c.makeJaxpr((a: Tensor, b: Tensor) => c.tanh(c.matmul(a, b)))(c.zeros([2, 3]), c.zeros([3, 4]));
    expect(countFlops(j.jaxpr)).toEqual({ flops: 2 * 24 + 8, macs: 24 });
    expect(countParams({ a: c.zeros([2, 3]), b: [c.zeros([5])] })).toBe(11);
  });

  test("DiT-XL/2 (learned σ, 8 output channels) matches the DiT paper's 675.1 M and 118.6 Gflops", () => {
    const r = modelReport(dit({ ...ditPresets["XL/2"], outChannels: 8 }), { numClasses: 1000 });
    // 675,129,632 in DiT, less its fixed 256×1152 position table and the extra null-class row.
    expect(r.params).toBe(675_129_632 - 256 * 1152 - 1152);
    expect(Math.abs(r.macs / 118.6e9 - 1)).toBeLessThan(0.01);
    expect(r.logvarParams).toBe(129);
  });

  test("a row per preset", () => {
    const rows = [
      ...Object.entries(mlpPresets).map(([preset, cfg]) => ({ preset, ...modelReport(mlp(cfg)) })),
      ...Object.entries(unetPresets).map(([preset, cfg]) => ({ preset, ...modelReport(unet(cfg), "numClasses" in cfg ? { numClasses: cfg.numClasses } : {}) })),
      ...Object.entries(ditPresets).map(([preset, cfg]) => ({ preset, ...modelReport(dit(cfg), "numClasses" in cfg ? { numClasses: cfg.numClasses } : {}) })),
    ];
    const table = formatReports(rows);
    console.log(table);
    expect(table.split("\n")).toHaveLength(2 + rows.length);
    for (const r of rows) expect(r.params > 0 && r.flops > 2 * r.macs - 1 && r.macs > 0).toBe(true);
  });
});
