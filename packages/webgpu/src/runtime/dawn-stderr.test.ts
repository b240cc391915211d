// Dawn's two "artificially reduced" warnings never reach the stderr of a process that acquires a
// device through the runtime, while everything else written there does: with stderr a shell pipe
// (captured in the process), and with stderr a socket relayed by a Node parent (vitest's forks
// workers; filtered by the parent, and every package whose tests acquire devices installs that
// filter). Each case runs a fresh Node process on the built package (dist/, which `tsc -b` writes
// before the tests run in CI). A control process that calls Dawn directly shows that the warnings
// are really printed here, so the other cases can fail.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { filterDawnWarningsFrom, withoutDawnWarnings } from "./dawn-stderr.js";
import { describeWebGpu, webgpu } from "../test-support/webgpu.js";

const warning = (kind: string, from: number): string => `Warning: maxDynamic${kind}BuffersPerPipelineLayout artificially reduced from ${from} to 16 to fit dynamic offset allocation limit.`;
const anyWarning = /artificially reduced/;

it("removes exactly Dawn's two limit warnings from a chunk of stderr", () => {
  const text = ["a", warning("Uniform", 90), "b " + warning("Storage", 80), warning("Storage", 1000000), "", "c", ""].join("\n");
  expect(withoutDawnWarnings(text)).toBe(["a", "b " + warning("Storage", 80), "", "c", ""].join("\n"));
  expect(withoutDawnWarnings(`${warning("Uniform", 90)}\n${warning("Storage", 80)}\n`)).toBe("");
});

it("drops the warnings from a relayed stream however its chunks split the lines, and holds nothing else", () => {
  const out: string[] = [];
  const sink = { write: (chunk: string | Uint8Array): boolean => (out.push(String(chunk)), true) };
  const undo = filterDawnWarningsFrom(sink);
  const text = `x\n${warning("Uniform", 90)}\n${warning("Storage", 80)}\nprogress 10%`;
  for (let i = 0; i < text.length; i += 7) sink.write(text.slice(i, i + 7));
  expect(out.join("")).toBe("x\nprogress 10%");
  // a two-byte character split across byte chunks
  const bytes = new TextEncoder().encode(" σ");
  sink.write(bytes.subarray(0, 2));
  sink.write(bytes.subarray(2));
  expect(out.join("")).toBe("x\nprogress 10% σ");
  out.length = 0;
  out.push("x\nprogress 10%");
  sink.write(`\nWarning: maxDynamic`);
  expect(out.join("")).toBe("x\nprogress 10%\n");
  undo();
  expect(out.join("")).toBe("x\nprogress 10%\nWarning: maxDynamic");
});

it("is installed as a global setup by every package whose tests acquire a WebGPU device in their workers", () => {
  const packages = fileURLToPath(new URL("../../..", import.meta.url));
  const users = readdirSync(packages).filter((p) => {
    const src = join(packages, p, "src");
    if (p === "webgpu" || !existsSync(src)) return false;
    // A test acquires a device when it gates on Dawn or loads @scm-ts/webgpu before asking for the backend
    // (core's tests register a stand-in "webgpu" backend on the CPU, which acquires none).
    const acquires = (text: string) => /webgpuGate/.test(text) || (/setBackend\(["']webgpu/.test(text) && /@scm-ts\/webgpu/.test(text));
    return readdirSync(src).some((f) => f.endsWith(".test.ts") && acquires(readFileSync(join(src, f), "utf8")));
  });
  expect(users).toEqual(expect.arrayContaining(["nn", "models"]));
  for (const p of [...users, "webgpu"]) expect(readFileSync(join(packages, p, "vitest.config.ts"), "utf8"), `${p}/vitest.config.ts`).toMatch(/globalSetup: \[[^\]]*"[^"]*test-support\/relay-filter\.ts"/);
});

const acquireJs = fileURLToPath(new URL("../../dist/runtime/acquire.js", import.meta.url));

/** Runs an ES module in a fresh Node process; stderr is a pipe unless `stdio` says otherwise. */
function node(source: string, stdio: "pipe" | number = "pipe"): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", source], {
    env: { ...process.env, LP_NUM_THREADS: "1" },
    encoding: "utf8",
    stdio: stdio === "pipe" ? "pipe" : ["ignore", stdio, stdio],
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

const dawnStderrJs = fileURLToPath(new URL("../../dist/runtime/dawn-stderr.js", import.meta.url));

// A real acquisition: Dawn prints its warnings natively; the script's own lines must pass.
const acquireScript = `
  import { acquireDevice } from ${JSON.stringify(acquireJs)};
  process.stderr.write("before\\n");
  const ctx = await acquireDevice();
  process.stderr.write("after\\n");
  console.log("on " + ctx.description);
  ctx.device.destroy();
  process.exit(0);
`;

// A request that certainly writes while the capture is in place (a real adapter request can finish
// before any timer of the script fires): the warnings written natively to descriptor 2, as Dawn's
// fprintf does, and the process's own lines, one at once and one after a turn of the event loop.
const requestScript = `
  import { writeSync } from "node:fs";
  import { filterDawnWarnings } from ${JSON.stringify(dawnStderrJs)};
  process.stderr.write("before\\n");
  await filterDawnWarnings(async () => {
    writeSync(2, ${JSON.stringify(warning("Uniform", 90) + "\n" + warning("Storage", 80) + "\n")});
    process.stderr.write("during\\n");
    await new Promise((resolve) => setTimeout(resolve, 5));
    process.stderr.write("later\\n");
  });
  process.stderr.write("after\\n");
  process.exit(0);
`;

describeWebGpu("Dawn's limit warnings", () => {
  it("are printed by Dawn itself here (the control)", () => {
    const via = /\((\w+), (core|compatibility)\)$/.exec(webgpu.detail);
    expect(via, `the adapter description names its backend: ${webgpu.detail}`).not.toBeNull();
    const flags = via![1] === "default" ? [] : [`backend=${via![1]}`];
    const r = node(`
      import { create } from "webgpu";
      const gpu = create(${JSON.stringify(flags)});
      const adapter = await gpu.requestAdapter({ featureLevel: ${JSON.stringify(via![2])} });
      console.log(adapter ? "adapter" : "none");
      process.exit(0);
    `);
    expect(r.stdout.trim()).toBe("adapter");
    expect(r.stderr).toMatch(anyWarning);
  });

  it("do not reach a shell pipe that is the stderr of a process acquiring a device; other output does, in order", () => {
    for (const js of [acquireJs, dawnStderrJs]) expect(existsSync(js), `${js} is missing: build the package first (npx tsc -b)`).toBe(true);
    // sh: the process's stderr is a pipe into cat (whose output is what we read), stdout is dropped.
    const viaPipe = (src: string) =>
      spawnSync("sh", ["-c", '"$NODE" --input-type=module -e "$SRC" 2>&1 >/dev/null | cat'], {
        env: { ...process.env, LP_NUM_THREADS: "1", NODE: process.execPath, SRC: src },
        encoding: "utf8",
        timeout: 60_000,
      });
    for (const [src, lines] of [[acquireScript, ["before", "after"]], [requestScript, ["before", "during", "later", "after"]]] as const) {
      const r = viaPipe(src);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(anyWarning);
      expect(r.stdout.split("\n").filter((l) => l.length > 0)).toEqual(lines);
    }
  });

  it("do not reach the output of a Node parent relaying a child's socket stderr through filterDawnWarningsFrom", async () => {
    const out: string[] = [];
    const sink = { write: (chunk: string | Uint8Array): boolean => (out.push(String(chunk)), true) };
    const undo = filterDawnWarningsFrom(sink);
    const child = spawn(process.execPath, ["--input-type=module", "-e", acquireScript], { env: { ...process.env, LP_NUM_THREADS: "1" }, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => sink.write(chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    undo();
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).not.toMatch(anyWarning);
    expect(text.split("\n").filter((l) => l.length > 0)).toEqual(["before", "after"]);
  });

  it("leave a stderr that is a regular file shared with stdout intact (`>log 2>&1`: nothing overwritten)", () => {
    const dir = mkdtempSync(join(tmpdir(), "scm-dawn-stderr-"));
    try {
      const log = join(dir, "log");
      for (const [src, lines] of [[acquireScript, ["before", "after"]], [requestScript, ["before", "during", "later", "after"]]] as const) {
        const fd = openSync(log, "w");
        const r = node(src, fd);
        closeSync(fd);
        expect(r.code).toBe(0);
        const text = readFileSync(log, "utf8");
        for (const line of lines) expect(text).toContain(`${line}\n`);
        if (src === acquireScript) expect(text).toMatch(/^on /m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
