// End to end, on a tiny budget: the sCD example trains a teacher and a student, writes both checkpoints,
// the event logs, one PNG grid per method plus the panel and results.json, and reports a finite FD,
// precision and recall for the teacher, sCD in 1 and 2 steps, and the data floor. The full run is
// experiments/mnist/run.sh, not part of the tests.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpointFile } from "@scm-ts/io/node";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "./scd.js";

const dir = mkdtempSync(join(tmpdir(), "scm-mnist-scd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pngSignature = [137, 80, 78, 71, 13, 10, 26, 10];

describe("the MNIST sCD example", () => {
  it("trains a teacher and a student, writes checkpoints, grids and finite figures", async () => {
    const lines: string[] = [];
    const r = await main(["--model", "tiny", "--teacher-steps", "2", "--steps", "2", "--batch", "4", "--n", "16", "--nfe", "3", "--out", dir], (l) => lines.push(l));
    expect(r).toBeDefined();
    expect(r!.rows.map((x) => x.method)).toEqual(["teacher, 3 NFE", "sCD, 1 step", "sCD, 2 steps", "data (training digits)"]);
    for (const row of r!.rows) {
      expect(Number.isFinite(row.fd) && row.fd >= 0).toBe(true);
      expect(row.precision).toBeGreaterThanOrEqual(0);
      expect(row.recall).toBeLessThanOrEqual(1);
    }
    for (const stage of ["teacher", "scd"]) {
      expect(existsSync(checkpointFile(join(dir, stage)))).toBe(true);
      expect(readFileSync(join(dir, stage, "events.jsonl"), "utf8").trim().split("\n").length).toBeGreaterThan(0);
    }
    expect(r!.files).toHaveLength(4);
    for (const f of r!.files) expect([...readFileSync(f).subarray(0, 8)]).toEqual(pngSignature);
    const saved = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { rows: { fd: number }[] };
    expect(saved.rows[0]!.fd).toBeCloseTo(r!.rows[0]!.fd, 10);
    expect(lines.join("\n")).toMatch(/\n\| sCD, 2 steps \| 2 \| [0-9.]+ \|/);
  }, 300_000);

  it("scores saved teacher and student checkpoints without training (--teacher, --student)", async () => {
    const again = join(dir, "again");
    const r = await main(["--teacher", join(dir, "teacher"), "--student", join(dir, "scd"), "--n", "16", "--nfe", "3", "--out", again], () => {});
    expect(Object.keys(r!.stages)).toEqual([]);
    expect(r!.rows).toHaveLength(4);
    for (const row of r!.rows) expect(Number.isFinite(row.fd)).toBe(true);
    expect(existsSync(checkpointFile(join(again, "scd")))).toBe(false);
    await expect(main(["--teacher", join(dir, "teacher"), "--student", join(dir, "teacher"), "--n", "8"], () => {})).rejects.toThrow(/a diffusion checkpoint, not an sCD one/);
  }, 300_000);

  it("rejects a teacher folder without a checkpoint, naming it", async () => {
    await expect(main(["--teacher", join(dir, "nothing-here"), "--n", "8"], () => {})).rejects.toThrow(/nothing-here: no readable checkpoint/);
  }, 60_000);
});
