// End to end, on a tiny budget: the sCT example trains from scratch, writes its checkpoint and event
// log, 1- and 2-step PNG grids, the panel and results.json, and reports finite figures. Bad flags stop
// it with one message naming the flag.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpointFile } from "@scm-ts/io/node";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "./flags.js";
import { main } from "./sct.js";

const dir = mkdtempSync(join(tmpdir(), "scm-mnist-sct-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the MNIST sCT example", () => {
  it("trains from scratch, writes a checkpoint, grids and finite figures", async () => {
    const r = await main(["--model", "tiny", "--steps", "3", "--batch", "4", "--n", "16", "--out", dir], () => {});
    expect(r!.rows.map((x) => x.method)).toEqual(["sCT, 1 step", "sCT, 2 steps", "data (training digits)"]);
    for (const row of r!.rows) expect(Number.isFinite(row.fd) && row.fd >= 0).toBe(true);
    expect(existsSync(checkpointFile(join(dir, "sct")))).toBe(true);
    for (const f of [...r!.files, join(dir, "results.json")]) expect(existsSync(f)).toBe(true);
    expect(r!.stages.sct!.steps).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, "results.json"), "utf8")).example).toBe("mnist-sct");
  }, 300_000);

  it("names a bad flag or value and prints the flags on --help", async () => {
    await expect(main(["--stepz", "3"], () => {})).rejects.toThrow(UsageError);
    await expect(main(["--steps", "many"], () => {})).rejects.toThrow(/^node dist\/sct\.js: --steps must be a number, got 'many'$/);
    await expect(main(["--steps", "0"], () => {})).rejects.toThrow(/--steps must be at least 1, got 0/);
    await expect(main(["--model", "huge"], () => {})).rejects.toThrow(/--model must be one of tiny, small, base; got 'huge'/);
    await expect(main(["--size", "10"], () => {})).rejects.toThrow(/--size 10/);
    await expect(main(["--ema", "1.5"], () => {})).rejects.toThrow(/decay per step below 1, got 1\.5/);
    await expect(main(["--ema-std", "0.9"], () => {})).rejects.toThrow(/--ema-std: .*EDM2 uses/);
    const help: string[] = [];
    expect(await main(["--help"], (l) => help.push(l))).toBeUndefined();
    expect(help.join("\n")).toMatch(/--init/);
  });
});
