// The results page renderer and the result files: the page opens with a summary of the claims and the
// pictures, every section names its command, machine, wall time and seeds, claims carry their verdicts,
// full runs replace quick ones, and files round-trip.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatNumber, renderResults } from "./report.js";
import { readCommentary, readResults, resultsDir, writeResult, type ExperimentResult } from "./result-file.js";

const result = (id: string, quick: boolean, sw: number): ExperimentResult => ({
  id, title: `Experiment ${id}`, command: `npm run exp -w @scm-ts/experiments -- ${id}${quick ? " --quick" : ""}`, quick,
  seeds: { "train.x": 11 }, settings: { steps: 10 }, machine: { cpu: "Test CPU", cores: 2, node: "v20", backend: "cpu" },
  startedAt: "2026-11-27T18:00:00.000Z", wallSeconds: 12.5, commit: "abc1234",
  tables: [{ title: "T", columns: ["method", "SW"], rows: [["a|b", sw], ["none", null]] }],
  claims: [{ text: "claim one", holds: false, detail: "1.2× the teacher" }], notes: ["a note"],
});

describe("renderResults", () => {
  it("names the command, machine, wall time, seeds and verdicts", () => {
    const page = renderResults([result("e1", false, 0.01234)], []);
    expect(page).toContain("`npm run exp -w @scm-ts/experiments -- e1`");
    expect(page).toContain("Test CPU, 2 cores, Node v20, cpu backend");
    expect(page).toContain("12.50 s");
    expect(page).toContain("train.x 11");
    expect(page).toContain("| claim one | **does not hold** | 1.2× the teacher |");
    expect(page).toContain("| a\\|b | 0.01234 |");
    expect(page).toContain("| none | — |");
  });

  it("orders sections by the issue's numbering, MNIST as experiment 4", () => {
    const mnist = { ...result("mnist", false, 1), title: "MNIST: teacher vs sCD" };
    const page = renderResults([{ ...result("exp5", false, 1), title: "Experiment 5 — cost" }, mnist, { ...result("exp3", false, 1), title: "Experiment 3 — x" }], []);
    const at = (s: string) => page.indexOf(`## ${s}`);
    expect(at("Experiment 3")).toBeLessThan(at("MNIST"));
    expect(at("MNIST")).toBeLessThan(at("Experiment 5"));
  });

  it("opens with one summary row per claim: the main run's verdict, then how many variants hold it", () => {
    const variant = (id: string, holds: boolean) => ({ ...result(id, false, 1), title: `Experiment e1 (variant: ${id})`, claims: [{ text: "claim one", holds, detail: "" }] });
    const page = renderResults([result("e1", false, 1), variant("seed", true), variant("lr", false), { ...result("e2", true, 1), claims: [] }], []);
    const summary = page.slice(page.indexOf("## Summary"), page.indexOf("## How these figures were made"));
    expect(summary).toContain("| [Experiment e1](#experiment-e1) | claim one | **does not hold** | 1 of 2 |");
    expect(summary.match(/claim one/g)?.length).toBe(1);
    expect(page.indexOf("## Summary")).toBeLessThan(page.indexOf("## Experiment e1"));
  });

  it("shows the runs' images before the detail, with paths from docs/", () => {
    const withImages = { ...result("e1", false, 1), images: [{ title: "ring: data and models", file: "e1-ring.png" }] };
    const page = renderResults([withImages, result("e2", false, 1)], []);
    const shown = page.indexOf("![ring: data and models](../experiments/results/e1-ring.png)");
    expect(shown).toBeGreaterThan(page.indexOf("## Pictures"));
    expect(page.indexOf("## Pictures")).toBeGreaterThan(page.indexOf("## Summary"));
    expect(shown).toBeLessThan(page.indexOf("## Experiment e1"));
    expect(page).toContain("Its figures (ring: data and models) are under [Pictures](#pictures).");
    expect(renderResults([result("e2", false, 1)], [])).not.toContain("## Pictures");
  });

  it("appends the hand-written reading of an experiment", () => {
    const page = renderResults([result("e1", false, 1)], [], new Map([["e1", "The numbers say so."]]));
    expect(page).toContain("**Reading** (written after the run, from the figures above):\n\nThe numbers say so.");
  });

  it("uses a full run over a quick one, and marks quick-only sections", () => {
    const both = renderResults([result("e1", false, 1)], [result("e1", true, 2), result("e2", true, 3)]);
    expect(both).toContain("-- e1`");
    expect(both).not.toContain("-- e1 --quick");
    expect(both.match(/Quick run only/g)?.length).toBe(1);
  });
});

describe("formatNumber", () => {
  it("keeps integers, 4 significant digits, exponents for tiny values", () => {
    expect(formatNumber(1500)).toBe("1500");
    expect(formatNumber(0.0123456)).toBe("0.01235");
    expect(formatNumber(1.5e-5)).toBe("1.50e-5");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });
});

describe("result files", () => {
  it("round-trip through write and read, quick runs in their own folder", () => {
    const root = mkdtempSync(join(tmpdir(), "scm-results-"));
    writeResult(root, result("e1", false, 1));
    writeResult(root, result("e2", true, 2));
    expect(readResults(root).map((r) => r.id)).toEqual(["e1"]);
    expect(readResults(resultsDir(root, true))).toEqual([result("e2", true, 2)]);
  });

  it("reads readings from <id>.reading.md only (other markdown is left alone)", () => {
    const root = mkdtempSync(join(tmpdir(), "scm-results-"));
    writeFileSync(join(root, "e1.reading.md"), "reading");
    writeFileSync(join(root, "fragment.md"), "not a reading");
    expect([...readCommentary(root)]).toEqual([["e1", "reading"]]);
  });
});
