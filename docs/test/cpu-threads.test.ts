// The CPU backend in headless Chromium, loaded straight from @scm-ts/core's built ES modules: on a
// cross-origin isolated page its WebAssembly SIMD kernels run on Web Workers over shared memory (a
// worker computes some of a product's work units, the product matches the pure-JS reference
// 'cpu-js', and the console stays quiet), both when the page's main thread calls them and when a
// module Web Worker of the page does (which may block while it waits, and starts its own workers);
// on a page that is not isolated they run on one thread, with one console line saying why and
// which headers to send, and give the same product. Without Chromium it skips with one line, except
// in CI or with SCM_REQUIRE_BROWSER=1, where it fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequired, chromiumArgs, findChromium } from "./browser.js";
import { crossOriginIsolation, serveStatic, type StaticServer } from "./static-server.js";

const core = fileURLToPath(new URL("../../packages/core", import.meta.url));
const executable = findChromium();
if (!executable && !browserRequired()) console.log("cpu-threads: skipped, no Chromium (apt-get install chromium, or set CHROMIUM_PATH)");

// The test page: module scripts (strings, so that no test transform touches their imports).
// `measure()` runs float32 products 512³ on 'cpu' until a worker has computed some of a product's
// units (a browser starts its workers only after the page yields, and a busy machine may pause
// splitting, so this may take a while: at most 30 s), compares that product with 'cpu-js', then
// times 40 more for the record. The page runs it on its main thread, and in a module Web Worker
// (which, unlike the page, may block in Atomics.wait, and starts its own workers from there).
const measureJs = `
import * as c from "/dist/index.js";
import { mayBlock } from "/dist/cpu/thread-platform.js";
import { wasmGemm } from "/dist/cpu/wasm-gemm.js";
export async function measure() {
  const n = 512;
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37));
  const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.11));
  const product = async (backend) => {
    await c.setBackend(backend);
    return c.tidy(() => c.matmul(c.array(a, [n, n]), c.array(b, [n, n])).dataSync());
  };
  let got = await product("cpu");
  for (const t0 = performance.now(); performance.now() - t0 < 30000; ) {
    const s = c.cpuThreadStats();
    if (s.units > s.callerUnits) break;
    await new Promise((r) => setTimeout(r, 20));
    got = await product("cpu");
  }
  const stats = c.cpuThreadStats();
  const ref = await product("cpu-js");
  let maxError = 0;
  for (let i = 0; i < ref.length; i++) maxError = Math.max(maxError, Math.abs(got[i] - ref[i]) / (1 + Math.abs(ref[i])));
  // the median of the last 20 of 40 products (not asserted: this is no benchmark machine)
  await c.setBackend("cpu");
  const x = c.keep(c.array(a, [n, n])), y = c.keep(c.array(b, [n, n]));
  const times = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    c.tidy(() => { c.matmul(x, y); });
    times.push(performance.now() - t0);
  }
  const ms = times.slice(20).sort((u, v) => u - v)[10];
  return { isolated: globalThis.crossOriginIsolated, mayBlock: stats.workers > 0 ? mayBlock() : null, fma: wasmGemm()?.fma ?? false, ...stats, maxError, gflops512: +(2 * n ** 3 / ms / 1e6).toFixed(1) };
}
`;
const pageJs = `
import { measure } from "/measure.js";
window.measure = measure;
window.measureInWorker = () => new Promise((ok, fail) => {
  const worker = new Worker("/worker.js", { type: "module" });
  worker.onmessage = (e) => ok(e.data);
  worker.onerror = (e) => fail(new Error("the worker failed: " + e.message));
});
window.measureReady = true;
`;
const workerJs = `
import { measure } from "/measure.js";
postMessage(await measure());
`;
const files = {
  "/threads.html": '<!doctype html><meta charset="utf-8"><title>scm-ts CPU threads</title><script type="module" src="/threads.js"></script>',
  "/threads.js": pageJs,
  "/measure.js": measureJs,
  "/worker.js": workerJs,
};

/** What the page reports after its products. */
interface Report {
  isolated: boolean;
  /** Whether the thread that ran it may block in Atomics.wait (null when no worker was started). */
  mayBlock: boolean | null;
  /** Whether the kernels use relaxed SIMD's fused multiply-add (Chromium has it). */
  fma: boolean;
  threads: number;
  workers: number;
  parallelCalls: number;
  units: number;
  callerUnits: number;
  maxError: number;
  /** GFLOP/s of a float32 product 512³ on 'cpu' (median of the last 20 of 40 calls), for the log. */
  gflops512: number;
}

describe.skipIf(!executable && !browserRequired())("the CPU backend in headless Chromium", () => {
  let context: BrowserContext;
  let profile = "";
  const servers: StaticServer[] = [];

  beforeAll(async () => {
    if (!executable) throw new Error("cpu-threads: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH), and CI/SCM_REQUIRE_BROWSER requires one: apt-get install -y --no-install-recommends chromium");
    profile = mkdtempSync(join(tmpdir(), "scm-cpu-threads-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: executable, headless: true, args: chromiumArgs });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    for (const s of servers) await s.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const run = async (headers: Record<string, string>, where: "page" | "worker" = "page"): Promise<{ report: Report; console: string[]; errors: string[] }> => {
    const server = await serveStatic(core, { headers, files });
    servers.push(server);
    const tab = await context.newPage();
    const lines: string[] = [], errors: string[] = [];
    tab.on("console", (m) => lines.push(m.text()));
    tab.on("pageerror", (e) => errors.push(e.message));
    expect((await tab.goto(`${server.url}/threads.html`))?.status()).toBe(200);
    await tab.waitForFunction(() => (globalThis as { measureReady?: boolean }).measureReady === true, undefined, { timeout: 30_000 });
    type Page = { measure(): Promise<Report>; measureInWorker(): Promise<Report> };
    const report = await tab.evaluate((w) => (globalThis as unknown as Page)[w === "page" ? "measure" : "measureInWorker"](), where);
    await tab.close();
    return { report, console: lines, errors };
  };

  it("on a cross-origin isolated page: Web Workers compute part of the product, which matches cpu-js", async () => {
    const { report, console: lines, errors } = await run(crossOriginIsolation);
    console.log(`cpu-threads (isolated): ${JSON.stringify(report)}`);
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(true);
    expect(report.threads).toBeGreaterThan(1);
    expect(report.parallelCalls).toBeGreaterThan(0);
    expect(report.units).toBeGreaterThan(report.callerUnits);
    expect(report.mayBlock).toBe(false);
    expect(report.maxError).toBeLessThan(1e-4);
    expect(lines.filter((l) => l.startsWith("scm-ts:"))).toEqual([]);
  }, 120_000);

  it("inside a module Web Worker of an isolated page: it starts its own workers, which compute part of the product", async () => {
    const { report, errors } = await run(crossOriginIsolation, "worker");
    console.log(`cpu-threads (in a worker): ${JSON.stringify(report)}`);
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(true);
    expect(report.parallelCalls).toBeGreaterThan(0);
    expect(report.units).toBeGreaterThan(report.callerUnits);
    expect(report.mayBlock).toBe(true);
    expect(report.maxError).toBeLessThan(1e-4);
  }, 120_000);

  it("on a page that is not isolated: one thread, one console line saying why, the same product", async () => {
    const { report, console: lines, errors } = await run({});
    console.log(`cpu-threads (not isolated): ${JSON.stringify(report)}`);
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(false);
    expect(report.parallelCalls).toBe(0);
    expect(report.maxError).toBeLessThan(1e-4);
    expect(lines.filter((l) => l.startsWith("scm-ts:"))).toEqual([
      "scm-ts: the CPU backend's WebAssembly SIMD kernels run on one thread because this page is not cross-origin isolated, so it has no SharedArrayBuffer (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
    ]);
  }, 120_000);
});
